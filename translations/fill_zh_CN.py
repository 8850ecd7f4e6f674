#!/usr/bin/env python3
"""Fills translations/flashsale_zh_CN.ts from the table below and marks every entry finished.

Run after `ninja update_translations` (lupdate) adds new source texts; it fails listing any
source text that has no Chinese yet, so the .ts never ships with unfinished entries.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ZH = {
    # Dashboard
    "%1 ms": "%1 毫秒",
    "All events": "全部活动",
    "%1 · %2": "%1 · %2",
    "Cannot write %1.": "无法写入 %1。",
    "Save the dashboard": "保存看板",
    "PNG image (*.png);;PDF document (*.pdf)": "PNG 图片 (*.png);;PDF 文档 (*.pdf)",
    "The dashboard was not saved": "看板未保存",
    "Event:": "活动：",
    "Window:": "时间窗口：",
    "Last minute": "最近 1 分钟",
    "Last 5 minutes": "最近 5 分钟",
    "Last 15 minutes": "最近 15 分钟",
    "&Save as PNG/PDF…": "保存为 PNG/PDF(&S)…",
    "Accepted requests": "已受理请求",
    "Units sold": "已售件数",
    "Conversion (won ÷ accepted)": "转化率（抢中 ÷ 受理）",
    "Intent leads": "意向线索",
    "Decision latency p50": "判定延迟 p50",
    "Decision latency p99": "判定延迟 p99",
    "WebSocket clients": "WebSocket 客户端",
    "seconds ago": "秒前",
    "Per second": "每秒",
    "Requests/s": "请求/秒",
    "Wins/s": "抢中/秒",
    "Losses/s": "未抢中/秒",
    "Queue depth": "队列深度",
    "Remaining stock": "剩余库存",
    # Event dialog
    "%1 (copy)": "%1（副本）",
    "Use 1–64 lowercase letters, digits and hyphens, e.g. spring-sale-2025.":
        "请使用 1–64 个小写字母、数字或连字符，例如 spring-sale-2025。",
    "Give the event a name shoppers will see.": "请填写顾客能看到的活动名称。",
    "Keep the name under %1 characters.": "名称请勿超过 %1 个字符。",
    "Enter a price such as %1 (at most two decimals).": "请输入价格，例如 %1（最多两位小数）。",
    "Use a three-letter currency code such as CNY.": "请使用三个字母的货币代码，例如 CNY。",
    "Stock is a whole number from 0 to %1.": "库存必须是 0 到 %1 之间的整数。",
    "The limit per shopper is a whole number from 1 to %1.": "每人限购必须是 1 到 %1 之间的整数。",
    "The end must be after the start.": "结束时间必须晚于开始时间。",
    "The end is in the past.": "结束时间已经过去。",
    "Edit event": "编辑活动",
    "New event": "新建活动",
    "&Id (in the shop's URL)": "标识(&I)（用于商店网址）",
    "spring-sale-2025": "spring-sale-2025",
    "&Name": "名称(&N)",
    "&Price": "价格(&P)",
    "&Currency": "货币(&C)",
    "&Stock (units)": "库存(&S)（件）",
    "&Limit per shopper": "每人限购(&L)",
    "Starts": "开始",
    "Open by itself at": "自动开始于",
    "Ends": "结束",
    "End by itself at": "自动结束于",
    "The sale has started: price, currency, stock and start can no longer change. Use Restock to add units.":
        "活动已开始：价格、货币、库存和开始时间不能再修改。请用“补货”增加库存。",
    # Events model and page
    "When opened": "手动开启时",
    "When ended": "手动结束时",
    "Id": "标识",
    "Name": "名称",
    "State": "状态",
    "Price": "价格",
    "Stock": "库存",
    "Remaining": "剩余",
    "Sold": "已售",
    "Requests": "请求数",
    "The change was not made": "未能完成修改",
    "Launch “%1”? It opens to shoppers by itself at %2.": "发布“%1”？它将在 %2 自动向顾客开放。",
    "Open “%1” now? Shoppers can buy at once.": "现在开启“%1”？顾客将立即可以购买。",
    "Open the sale": "开启活动",
    "Pause the sale": "暂停活动",
    "Pause “%1”? Requests lose with “not open” until you open it again.":
        "暂停“%1”？在重新开启之前，请求都将以“未开放”失败。",
    "End the sale": "结束活动",
    "End “%1” for good? This cannot be undone.": "永久结束“%1”？此操作无法撤销。",
    "Restock": "补货",
    "Units to add to “%1”:": "为“%1”增加的件数：",
    "Add %1 units to “%2”?": "为“%2”增加 %1 件？",
    "&New…": "新建(&N)…",
    "&Edit…": "编辑(&E)…",
    "D&uplicate…": "复制(&U)…",
    "&Open": "开启(&O)",
    "&Pause": "暂停(&P)",
    "E&nd": "结束(&N)",
    "&Restock…": "补货(&R)…",
    "Scheduled events open by themselves at their start time. Double-click an event to edit it.":
        "已排期的活动会在开始时间自动开启。双击活动即可编辑。",
    # Export bar
    "%1 of %2 rows": "%1 / %2 行",
    "Saved %1 (rows: %2)": "已保存 %1（共 %2 行）",
    "Export cancelled; no file was written.": "导出已取消，未写入任何文件。",
    "Export failed: %1": "导出失败：%1",
    "Exporting to %1…": "正在导出到 %1…",
    "Cancel": "取消",
    # Labels
    "Draft": "草稿",
    "Scheduled": "已排期",
    "Open": "进行中",
    "Paused": "已暂停",
    "Sold out": "已售罄",
    "Ended": "已结束",
    "Limit reached": "超出限购",
    "Not open": "未开放",
    "Done": "完成",
    "The event no longer exists.": "该活动已不存在。",
    "A value is not valid.": "有一个值无效。",
    "An event with this id already exists.": "已存在相同标识的活动。",
    "The event's state does not allow this.": "活动当前的状态不允许此操作。",
    "The event is not open.": "活动尚未开放。",
    "The engine is overloaded; try again in a moment.": "引擎负载过高，请稍后再试。",
    "The database is not answering; the change will be saved when it is back.": "数据库无响应；恢复后会保存此修改。",
    "%1\n(%2)": "%1\n（%2）",
    # Leads and orders
    "Event": "活动",
    "User": "用户",
    "Contact": "联系方式",
    "Quantity": "数量",
    "Reason": "原因",
    "Attempts": "尝试次数",
    "First try": "首次尝试",
    "Last try": "最近尝试",
    "Simulated": "模拟",
    "yes": "是",
    "Leads: %1": "线索：%1",
    "Leads: %1 (simulated shoppers left out)": "线索：%1（不含模拟顾客）",
    "Cannot read the leads: %1": "无法读取线索：%1",
    "Export intent leads": "导出意向线索",
    "Reason:": "原因：",
    "Any": "全部",
    "From": "从",
    "To": "至",
    "Has contact": "有联系方式",
    "Include simulated shoppers": "包含模拟顾客",
    "Refresh": "刷新",
    "Order": "订单",
    "Total": "金额",
    "Decided at": "成交时间",
    "Orders: %1": "订单：%1",
    "Cannot read the orders: %1": "无法读取订单：%1",
    "Export orders": "导出订单",
    "Search by user…": "按用户搜索…",
    # Main window
    "Copied %1": "已复制 %1",
    "About Flash Sale Console": "关于秒杀控制台",
    "Database from a newer version": "数据库来自更新的版本",
    "This database was made by a newer version of Flash Sale Console, so this version cannot use it. It was not changed.\n\n%1":
        "此数据库由更新版本的秒杀控制台创建，当前版本无法使用它。数据库未被改动。\n\n%1",
    # About dialog
    "Version %1 (Qt %2)": "版本 %1（Qt %2）",
    "Run flash sales without overselling or losing an order.": "秒杀不超卖，订单不丢失。",
    "Engine stopped": "引擎已停止",
    "⚠ Database failing": "⚠ 数据库故障",
    "● Running": "● 运行中",
    "Stopping": "正在停止",
    "Queue: %1": "队列：%1",
    "Queue (RabbitMQ): %1": "队列（RabbitMQ）：%1",
    "⚠ RabbitMQ unreachable": "⚠ RabbitMQ 无法连接",
    "⚠ PostgreSQL unreachable": "⚠ PostgreSQL 无法连接",
    "● Node %1": "● 节点 %1",
    "Flash Sale Console": "秒杀控制台",
    "Events": "活动",
    "Live dashboard": "实时看板",
    "Orders": "订单",
    "Shoppers' API: <a href=\"%1\">%1</a>": "顾客 API：<a href=\"%1\">%1</a>",
    "Click to copy": "点击复制",
    "Engine": "引擎",
    "The engine could not start:\n%1\n\nCheck the address, data directory and backend in Settings, then restart the console.":
        "引擎无法启动：\n%1\n\n请在“设置”中检查地址、数据目录和后端，然后重新启动控制台。",
    "Settings": "设置",
    "&File": "文件(&F)",
    "&Save dashboard as PNG/PDF…": "将看板保存为 PNG/PDF(&S)…",
    "&Quit": "退出(&Q)",
    "&Tools": "工具(&T)",
    "&Simulate a sale…": "模拟一场秒杀(&S)…",
    "&Help": "帮助(&H)",
    "&About": "关于(&A)",
    # Settings
    "Data directory": "数据目录",
    "Admin token copied.": "管理令牌已复制。",
    "The address must look like 127.0.0.1:8080 or [::1]:8080.": "地址格式应为 127.0.0.1:8080 或 [::1]:8080。",
    "Choose a data directory.": "请选择数据目录。",
    "Saved. The changes apply when the engine next starts (restart the console).": "已保存。更改将在引擎下次启动时生效（请重新启动控制台）。",
    "New admin token": "新的管理令牌",
    "Scripts and dashboards that use the current token will be refused until they get the new one. Make a new token?":
        "使用当前令牌的脚本和看板在换用新令牌之前都会被拒绝。确定生成新令牌吗？",
    "The token was not changed: %1": "令牌未更改：%1",
    "A new admin token is in use.": "新的管理令牌已启用。",
    "Listen address:": "监听地址：",
    "Data directory:": "数据目录：",
    "Browse…": "浏览…",
    "The address and data directory apply at the next start. Command-line options (--listen, --data-dir) take precedence.":
        "地址和数据目录在下次启动时生效。命令行选项（--listen、--data-dir）优先。",
    "Save": "保存",
    "Admin token": "管理令牌",
    "Show": "显示",
    "Copy": "复制",
    "Regenerate…": "重新生成…",
    "Language": "语言",
    "Console language:": "控制台语言：",
    "Backend": "后端",
    "Store URL (PostgreSQL):": "存储地址（PostgreSQL）：",
    "Leave empty for the embedded SQLite database in the data directory.": "留空则使用数据目录中的内置 SQLite 数据库。",
    "Queue URL (RabbitMQ):": "队列地址（RabbitMQ）：",
    "Leave empty for the embedded in-process queue.": "留空则使用内置的进程内队列。",
    "Node id:": "节点 ID：",
    "Names this node in logs, metrics and the cluster. Leave empty for the host name.":
        "在日志、指标和集群中标识本节点。留空则使用主机名。",
    "Empty URLs mean one node on its own: the embedded SQLite database and in-process queue. Nodes that share a RabbitMQ queue must share one PostgreSQL store. Passwords are saved but not shown; type a URL with its password to change it. The backend applies when the engine next starts: restart the console. Command-line options (--store, --queue, --node-id) take precedence.":
        "地址留空表示单节点运行：使用内置的 SQLite 数据库和进程内队列。共用一个 RabbitMQ 队列的节点必须共用同一个 PostgreSQL 存储。"
        "密码会被保存但不会显示；如需更改，请输入带密码的完整地址。后端设置在引擎下次启动时生效：请重新启动控制台。"
        "命令行选项（--store、--queue、--node-id）优先。",
    "Running now: %1, %2, node id %3.": "当前运行：%1，%2，节点 ID：%3。",
    "embedded SQLite": "内置 SQLite",
    "embedded queue": "内置队列",
    "The store URL must look like postgresql://USER:PASSWORD@HOST:5432/DATABASE.":
        "存储地址格式应为 postgresql://用户名:密码@主机:5432/数据库。",
    "The queue URL must look like amqp://USER:PASSWORD@HOST:5672/VHOST.":
        "队列地址格式应为 amqp://用户名:密码@主机:5672/虚拟主机。",
    "A RabbitMQ queue needs a PostgreSQL store URL: every node must share one database.":
        "使用 RabbitMQ 队列时必须填写 PostgreSQL 存储地址：所有节点必须共用同一个数据库。",
    "The node id takes 1 to 64 letters, digits, dots (.), underscores (_) and dashes (-).":
        "节点 ID 须为 1 到 64 个字母、数字、点（.）、下划线（_）或连字符（-）。",
    # Simulator
    "Create and open an event first.": "请先创建并开启一个活动。",
    "Accepted %1 · won %2 · lost %3 · leads %4 · %5 shoppers/s": "受理 %1 · 抢中 %2 · 未抢中 %3 · 线索 %4 · %5 人/秒",
    "%1 still queued when the wait ended": "等待结束时仍有 %1 个在排队",
    "%1 answers were “too busy” and retried": "%1 次收到“繁忙”并已重试",
    "%1 failed; last error: %2": "%1 个失败；最近的错误：%2",
    "Simulate a sale": "模拟秒杀",
    "Sends synthetic shoppers through the real shoppers' API, so you can rehearse a launch and watch the dashboard. They are marked as simulated and can be left out of exports.":
        "通过真实的顾客 API 发送模拟顾客，便于演练发布并观察看板。这些顾客带有“模拟”标记，导出时可以排除。",
    "Shoppers:": "顾客数：",
    "At once (in flight):": "同时进行（并发）：",
    "Stop": "停止",
    "Start": "开始",
    "Close": "关闭",
    # Issue 17 part 5: exports for people (.xlsx).
    "Excel workbook (*.xlsx)": "Excel 工作簿 (*.xlsx)",
    "CSV for other programs (*.csv)": "CSV，供其他程序使用 (*.csv)",
    "&Export…": "导出(&E)…",
    "Leads": "意向线索",
    "Request": "请求",
    "First attempt": "首次尝试",
    "Last attempt": "最后尝试",
    "no": "否",
}


def main() -> int:
    path = Path(__file__).with_name("flashsale_zh_CN.ts")
    tree = ET.parse(path)
    missing = []
    for message in tree.getroot().iter("message"):
        source = message.find("source").text or ""
        translation = message.find("translation")
        if source not in ZH:
            missing.append(source)
            continue
        translation.attrib.pop("type", None)
        for child in list(translation):
            translation.remove(child)
        if message.get("numerus") == "yes":
            translation.text = None
            form = ET.SubElement(translation, "numerusform")
            form.text = ZH[source]
        else:
            translation.text = ZH[source]
    if missing:
        print("no Chinese for:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    body = ET.tostring(tree.getroot(), encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
