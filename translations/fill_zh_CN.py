#!/usr/bin/env python3
"""Fills translations/flashsale_zh_CN.ts from the table below and marks every entry finished.

Run after `ninja update_translations` (lupdate) adds new source texts; it fails listing any
source text that has no Chinese yet, so the .ts never ships with unfinished entries.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ZH = {
    # Issue 10: the console on a remote node
    "cancelled": "已取消",
    "invalid simulation plan": "模拟方案无效",
    "The address must look like http://HOST:PORT, e.g. http://shop.example:8080.": "地址格式应为 http://主机:端口，例如 http://shop.example:8080。",
    "Enter the node's admin token (its Settings page, or the token file in its data directory).": "请输入该节点的管理员令牌（见其“设置”页，或其数据目录中的令牌文件）。",
    "Connect to server": "连接到服务器",
    "Watch and run the sale of a node elsewhere, such as the production server: its events, live figures, orders and leads. Nothing is stored on this computer.": "查看并管理另一台节点（例如生产服务器）上的秒杀：活动、实时数据、订单和潜在客户。本机不保存任何数据。",
    "Node address:": "节点地址：",
    "Admin token:": "管理员令牌：",
    "Remember the token on this computer": "在本机记住令牌",
    "only the console that runs the engine can make a new token": "只有运行引擎的控制台才能生成新令牌",
    "the engine in this console": "本控制台内的引擎",
    "the engine is not running": "引擎未在运行",
    "Leave the engine in this console?": "离开本控制台内的引擎？",
    "%n event(s) are open or scheduled here. Switching stops the engine in this console: the shop goes offline until it runs again.": "此处有 %n 个活动正在进行或已排期。切换会停止本控制台内的引擎：在它再次运行之前商店将下线。",
    "Attached to %1": "已连接到 %1",
    "Connecting to %1…": "正在连接 %1…",
    "⚠ Connection to %1 lost (%2); retrying in %n s": "⚠ 与 %1 的连接已断开（%2）；%n 秒后重试",
    "● Connected to %1": "● 已连接 %1",
    "Flash Sale Console — %1": "秒杀控制台 — %1",
    "&Connect to server…": "连接到服务器(&C)…",
    "Use the &engine in this console": "使用本控制台内的引擎(&E)",
    "the node sent nothing for %n second(s)": "节点已 %n 秒没有发送任何数据",
    "the node refused the admin token": "节点拒绝了管理员令牌",
    "the connection closed": "连接已关闭",
    # Issue 12: a requestId is bound to its user
    "This request id was already used by another user.": "此请求编号已被另一位用户使用。",
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
    "The address, data directory, TLS files and rate limit apply at the next start. Command-line options (--listen, --data-dir, --tls-cert, --rate-limit) take precedence.":
        "地址、数据目录、TLS 文件和限速在下次启动时生效。命令行选项（--listen、--data-dir、--tls-cert、--rate-limit）优先。",
    "TLS certificate (PEM):": "TLS 证书（PEM）：",
    "TLS private key (PEM):": "TLS 私钥（PEM）：",
    "Serve HTTPS and WSS on the listen address. Leave empty for plain HTTP.": "在监听地址上提供 HTTPS 和 WSS。留空则使用普通 HTTP。",
    "HTTPS needs both a certificate file and its key file, or neither.": "HTTPS 需要同时提供证书文件和私钥文件，或者都不提供。",
    "Cannot read %1.": "无法读取 %1。",
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
    # Issue 17 part 3: a dashboard that explains itself (window vs since open, leads, tooltips)
    "%1 · since %2 (when this page started counting)": "%1 · 自 %2 起（本页开始统计时）",
    "since open: %1": "开售以来：%1",
    "since open: %1 (%2 of leads)": "开售以来：%1（占线索 %2）",
    "connected now": "当前连接数",
    "none yet": "暂无",
    "requests in the window: %1": "时间窗口内请求：%1",
    "no requests in the window": "时间窗口内没有请求",
    "peak %1": "峰值 %1",
    "Leads": "线索",
    "Leads with contact": "留有联系方式的线索",
    "Purchase requests the engine took in during the window (each retry counts). "
    "The small figure counts since the event opened.":
        "时间窗口内引擎受理的购买请求（每次重试都计入）。小字为活动开售以来的数字。",
    "Units shoppers won during the window. The small figure counts since the event opened.":
        "时间窗口内顾客抢中的件数。小字为活动开售以来的数字。",
    "Conversion: winning requests divided by accepted requests, in the window. "
    "Retries count as requests, so it is lower than the share of shoppers who won. "
    "The small figure is since the event opened.":
        "转化率：时间窗口内抢中的请求数除以受理的请求数。重试也算作请求，因此低于抢中顾客所占的比例。小字为活动开售以来的数字。",
    "Leads: every shopper who tried and did not get the item, counted once per event, "
    "in the window by their last attempt. The same word means the same on the Intent leads page "
    "and in the simulation summary.":
        "线索：尝试购买但没有抢到的每一位顾客，每个活动只计一次，按最后一次尝试的时间计入时间窗口。"
        "“意向线索”页面和模拟结果中的“线索”含义相同。",
    "The leads who left a contact (phone or e-mail), so they can be reached later.":
        "留下联系方式（电话或电子邮件）的线索，之后可以联系他们。",
    "Decision latency p50 (the median): half of the requests decided in the window took at most this "
    "long from being accepted to their decision being safely on disk. Covers every event.":
        "判定延迟 p50（中位数）：时间窗口内有一半的请求，从受理到判定结果安全写入磁盘所用的时间不超过此值。涵盖所有活动。",
    "Decision latency p99: 99 of every 100 requests decided in the window took at most this long from "
    "being accepted to their decision being safely on disk; the slowest 1 % took longer. Covers every event.":
        "判定延迟 p99：时间窗口内每 100 个请求中有 99 个，从受理到判定结果安全写入磁盘所用的时间不超过此值；"
        "最慢的 1% 更久。涵盖所有活动。",
    "Open WebSocket connections (shoppers' pages and staff consoles) at this moment.":
        "此刻打开的 WebSocket 连接（顾客页面和员工控制台）。",
    "Decided %1 of %2 · won %3 · leads (lost shoppers) %4, with contact %5 · %6 shoppers/s":
        "已判定 %1 / %2 · 抢中 %3 · 线索（未抢中的顾客）%4，其中留有联系方式 %5 · %6 人/秒",
    "Accepted %1 · won %2 · leads (lost shoppers) %3, with contact %4 · %5 shoppers/s":
        "受理 %1 · 抢中 %2 · 线索（未抢中的顾客）%3，其中留有联系方式 %4 · %5 人/秒",
    "Leads with contact: %1": "留有联系方式的线索：%1",
    "(simulated shoppers left out)": "（不含模拟顾客）",
    "Only leads with contact": "仅限留有联系方式的线索",

    # Issue 17 parts 1 and 6 (wt-17a): launching (schedule on save, live edits, quitting with a
    # live sale, the tray) and polish (mnemonics, Ctrl+N, empty states, shop links, Advanced).
    "The start is in the past. Untick it to open the sale yourself.": "开始时间已过。取消勾选即可由你亲自开启。",
    "A scheduled sale opens at its start time: keep one, or end the sale.": "已排期的秒杀在开始时间自动开启：请保留开始时间，或结束该秒杀。",
    "Shoppers see the name “%1” instead of “%2”.": "顾客看到的名称将从“%2”变为“%1”。",
    "Each shopper may buy up to %1 (was %2).": "每位顾客最多可买 %1 件（原为 %2 件）。",
    "The sale no longer ends by itself.": "秒杀不再自动结束。",
    "The sale ends by itself at %1.": "秒杀将于 %1 自动结束。",
    "The sale ends by itself at %1 instead of %2.": "秒杀将于 %1 自动结束（原为 %2）。",
    "Change a live sale": "修改进行中的秒杀",
    "“%1” is live: shoppers see these changes at once.": "“%1”正在进行：顾客会立即看到这些修改。",
    "&Save changes": "保存修改(&S)",
    "&Schedule": "排期(&S)",
    "En&d": "结束(&D)",
    "“%1” is a draft: shoppers cannot see it. Schedule it to open by itself at %2, or edit it.": "“%1”是草稿：顾客看不到它。排期后将于 %2 自动开启，也可以先编辑。",
    "“%1” is a draft: shoppers cannot see it. Open it when the sale should start, or give it a start time and schedule it.": "“%1”是草稿：顾客看不到它。到开卖时开启它，或设置开始时间并排期。",
    "“%1” is scheduled: shoppers see a countdown, and it opens by itself at %2.": "“%1”已排期：顾客看到倒计时，将于 %2 自动开启。",
    "Copy shop &link": "复制店铺链接(&L)",
    "Copies the address of the event's shop page, to send to shoppers.": "复制该活动店铺页面的地址，发给顾客。",
    "No events yet. Press New… (Ctrl+N) to create a sale: give it a name, a price and the stock, and tick “Open by itself at” to schedule its launch.": "还没有活动。按“新建…”（Ctrl+N）创建一场秒杀：填写名称、价格和库存，勾选“自动开始于”即可排期上线。",
    "Scheduled · opens in %1": "已排期 · %1 后开启",
    "%n day(s) %1": "%n 天 %1",
    "Quit Flash Sale Console?": "退出秒杀控制台？",
    "%n event(s) are open or scheduled. If the console quits, the shop goes offline: shoppers cannot see or buy anything until it runs again.": "有 %n 个活动正在进行或已排期。控制台退出后商店将下线：在它再次运行之前，顾客无法浏览或购买。",
    "Keep serving in the background: the window closes, the shop stays online, and the icon in the system tray brings it back or quits.": "在后台继续服务：窗口关闭，商店保持在线；可通过系统托盘图标重新打开或退出。",
    "&Keep serving in the background": "在后台继续服务(&K)",
    "&Quit and take the shop offline": "退出并让商店下线(&Q)",
    "&Show the console": "显示控制台(&S)",
    "&Quit (the shop goes offline)": "退出（商店下线）(&Q)",
    "Flash Sale Console: serving %n live event(s) at %1": "秒杀控制台：正在 %1 为 %n 个活动服务",
    "&New event…": "新建活动(&N)…",
    "&Advanced: several nodes (PostgreSQL, RabbitMQ)": "高级：多节点（PostgreSQL、RabbitMQ）(&A)",
    "Orders: %1 (simulated shoppers left out)": "订单：%1（不含模拟顾客）",
    "No orders here yet. An order appears as soon as a shopper wins; orders of simulated shoppers show when “Include simulated shoppers” is ticked.": "暂无订单。顾客一抢中，订单就会出现在这里；勾选“包含模拟顾客”可显示模拟顾客的订单。",
    "No leads here yet. A lead is a shopper who tried to buy and lost (sold out, over the limit, not open yet); with the contact they left, they are the people to call for the next sale.": "暂无线索。线索是尝试购买但未抢到的顾客（已售罄、超出限购、尚未开启）；凭他们留下的联系方式，可在下一场秒杀时联系他们。",
    # Issue 17 part 2: rehearsal copies, pace, progress (wt-17e)
    "Create an event first.": "请先创建一个活动。",
    "Decided %1 of %2 · won %3 · lost %4 · leads %5 · %6 shoppers/s": "已判定 %1 / %2 · 抢中 %3 · 未抢中 %4 · 线索 %5 · %6 人/秒",
    "On the rehearsal copy %1; the event itself is not touched.": "在演练副本 %1 上进行；活动本身不受影响。",
    "Rehearses a launch: synthetic shoppers go through the real shoppers' API to a rehearsal copy of the event (same settings, its own id, opened for the rehearsal and ended after it). The event itself, its stock, orders and leads are not touched; shoppers never see the copy, and exports and totals leave it out. Pick the copy on the dashboard to watch it.":
        "演练一次发布：模拟顾客通过真实的顾客 API 访问该活动的演练副本（设置相同、编号独立，演练时开启、结束后关闭）。活动本身及其库存、订单和线索都不受影响；顾客看不到副本，导出和合计也不包含它。在看板上选择该副本即可观察。",
    "Pace:": "速度：",
    " shoppers/s": " 人/秒",
    "As fast as possible": "尽可能快",
    # Issue 17 part 4 (wt-17c): the post-sale report (ui/salereportview, ui/salereportdialog, dashboard button).
    "%1 s": "%1 秒",
    "%1 min %2 s": "%1 分 %2 秒",
    "Post-sale report: %1": "售后报告：%1",
    "Event %1 (%2) · from %3 to %4 · stock %5": "活动 %1（%2）· 从 %3 到 %4 · 库存 %5",
    "not sold out": "未售罄",
    "%1/s at %2": "%1/秒，于 %2",
    "Purchase requests": "购买请求",
    "Revenue": "销售额",
    "Time to sell out": "售罄用时",
    "Conversion (won ÷ requests)": "转化率（抢到 ÷ 请求）",
    "Peak rate": "峰值速率",
    "Leads (every shopper who missed out)": "意向线索（所有未抢到的顾客）",
    "Leads with contact": "留有联系方式的线索",
    "Of the requests, simulated": "其中模拟请求",
    "Requests never decided": "未判定的请求",
    "From the stored journal: times are when each request was accepted and decided. Queue depth is requests accepted but not yet decided at the end of each step; requests refused before the journal (busy, invalid) are not counted. Remaining stock counts restocks from the start.": "数据来自已保存的请求日志：时间为每个请求被接收和被判定的时刻。队列深度为每个时间段结束时已接收但尚未判定的请求数；进入日志前被拒绝的请求（繁忙、无效）不计入。剩余库存从一开始就包含补货数量。",
    "Local time": "本地时间",
    "Requests and wins per second": "每秒请求数与抢到数",
    "Queue depth (accepted, not yet decided)": "队列深度（已接收、未判定）",
    "Save the post-sale report": "保存售后报告",
    "PDF document (*.pdf);;PNG image (*.png)": "PDF 文档 (*.pdf);;PNG 图片 (*.png)",
    "The report was not saved": "报告未保存",
    "Post-sale report": "售后报告",
    "&Save as PDF/PNG…": "另存为 PDF/PNG(&S)…",
    "From the journal stored for %1.": "来自 %1 已保存的请求日志。",
    "Computing the report for %1…": "正在生成 %1 的报告…",
    "The report could not be made: %1": "无法生成报告：%1",
    "Post-sale &report…": "售后报告(&R)…",
    "the store gave no reason": "数据库未说明原因",
    "Totals and timeline of the chosen event from the stored journal, as PDF or PNG": "所选活动的汇总与时间线，来自已保存的请求日志，可存为 PDF 或 PNG",
    # Issue 17 part 5: exports for people (.xlsx).
    "Excel workbook (*.xlsx)": "Excel 工作簿 (*.xlsx)",
    "CSV for other programs (*.csv)": "CSV，供其他程序使用 (*.csv)",
    "&Export…": "导出(&E)…",
    "Leads": "意向线索",
    "Request": "请求",
    "First attempt": "首次尝试",
    "Last attempt": "最后尝试",
    "no": "否",
    "only the console that runs the engine can rotate its shop secret": "只有运行引擎的控制台才能轮换其商城密钥",
    "Shoppers can buy only with a pass the shop signs; links without one stop working.": "顾客只能凭商城签发的凭证购买；不带凭证的链接将失效。",
    "Shoppers no longer need a pass: any user id the page sends can buy.": "顾客不再需要凭证：页面发送的任何用户 ID 都可以购买。",
    "Requests are decided first come, first served from the start.": "从开始起按先到先得处理请求。",
    "Requests in the first %1 s after opening are decided in a random order.": "开始后 %1 秒内的请求将按随机顺序处理。",
    "S&hoppers": "顾客身份(&H)",
    "Anyone: the user id the shop's page sends": "任何人：使用商城页面发送的用户 ID",
    "Signed in at the shop: a pass the shop signs": "已在商城登录：由商城签发凭证",
    "With signed passes a script cannot buy as a hundred made-up users: the shop's backend signs who is logged in (README, Fair sales).": "使用签名凭证后，脚本无法冒充上百个虚构用户购买：由商城后端为已登录用户签名（见 README“公平抢购”）。",
    "&Fair start": "公平开抢(&F)",
    "Off: first come, first served": "关闭：先到先得",
    " s": " 秒",
    "Requests in the first seconds after opening are decided in a random order, so a bot firing at the first millisecond gains nothing over a person.": "开始后最初几秒内的请求按随机顺序处理，机器人在第一毫秒抢先提交也不比真人占优。",
    "The sale has started: price, currency, stock, start, shoppers and fair start can no longer change. Use Restock to add units.": "抢购已开始：价格、币种、库存、开始时间、顾客身份和公平开抢均不能再修改。请使用“补货”增加库存。",
    "Shop secret copied (key id, a space, the secret).": "商城密钥已复制（密钥 ID、空格、密钥）。",
    "New shop secret": "新的商城密钥",
    "The shop's backend must sign new passes with the new secret. Passes signed with the current one keep working for 24 hours. Make a new secret?": "商城后端须用新密钥签发新凭证。用当前密钥签发的凭证在 24 小时内仍然有效。要生成新密钥吗？",
    "The secret was not changed: %1": "密钥未更改：%1",
    "A new shop secret is in use; the previous one works for 24 more hours.": "新的商城密钥已启用；旧密钥在 24 小时内仍然有效。",
    "Rate limit (purchases/s per address):": "限速（每个地址每秒购买次数）：",
    "Off": "关闭",
    "Purchases one client address may send a second, with bursts of twice as many; more get 429. No person clicks that fast; a script does.": "单个客户端地址每秒可提交的购买次数，允许两倍的突发；超出的返回 429。真人点不了这么快，脚本才会。",
    "Shop secret (signed shopper passes)": "商城密钥（顾客签名凭证）",
    "Rotate…": "轮换…",
    "The secret stays on the node this console is connected to.": "密钥保存在本控制台所连接的节点上。",
    "Events whose shoppers are \"signed in at the shop\" accept only passes (HS256 JWTs) signed with this secret, its key id as `kid`. Give it only to the shop's backend.": "顾客身份为“已在商城登录”的活动只接受用此密钥签名的凭证，凭证头部须写明密钥 ID。只交给商城后端。",
    "Rejected: rate limit": "拒绝：超出限速",
    "since start: %1 · bad pass: %2 · queue full: %3": "启动以来：%1 · 凭证无效：%2 · 队列已满：%3",
    "Purchases refused with 429 because one address or one signed user sent more than the node's rate limit (--rate-limit), in the window; scripts, not people, reach it.": "时间窗口内因单个地址或单个签名用户超出节点限速（--rate-limit）而被以 429 拒绝的购买；达到它的是脚本，不是真人。",
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
