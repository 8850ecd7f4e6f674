<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>flashsale::AboutDialog</name>
    <message>
        <source>About Flash Sale Console</source>
        <translation>关于秒杀控制台</translation>
    </message>
    <message>
        <source>Flash Sale Console</source>
        <translation>秒杀控制台</translation>
    </message>
    <message>
        <source>Version %1 (Qt %2)</source>
        <translation>版本 %1（Qt %2）</translation>
    </message>
    <message>
        <source>Run flash sales without overselling or losing an order.</source>
        <translation>秒杀不超卖，订单不丢失。</translation>
    </message>
</context>
<context>
    <name>flashsale::BackendRehearsal</name>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>invalid simulation plan</source>
        <translation>模拟方案无效</translation>
    </message>
</context>
<context>
    <name>flashsale::ConnectDialog</name>
    <message>
        <source>The address must look like http://HOST:PORT, e.g. http://shop.example:8080.</source>
        <translation>地址格式应为 http://主机:端口，例如 http://shop.example:8080。</translation>
    </message>
    <message>
        <source>Enter the node's admin token (its Settings page, or the token file in its data directory).</source>
        <translation>请输入该节点的管理员令牌（见其“设置”页，或其数据目录中的令牌文件）。</translation>
    </message>
    <message>
        <source>Connect to server</source>
        <translation>连接到服务器</translation>
    </message>
    <message>
        <source>Watch and run the sale of a node elsewhere, such as the production server: its events, live figures, orders and leads. Nothing is stored on this computer.</source>
        <translation>查看并管理另一台节点（例如生产服务器）上的秒杀：活动、实时数据、订单和潜在客户。本机不保存任何数据。</translation>
    </message>
    <message>
        <source>Node address:</source>
        <translation>节点地址：</translation>
    </message>
    <message>
        <source>Admin token:</source>
        <translation>管理员令牌：</translation>
    </message>
    <message>
        <source>Remember the token on this computer</source>
        <translation>在本机记住令牌</translation>
    </message>
</context>
<context>
    <name>flashsale::ConsoleBackend</name>
    <message>
        <source>only the console that runs the engine can make a new token</source>
        <translation>只有运行引擎的控制台才能生成新令牌</translation>
    </message>
    <message>
        <source>only the console that runs the engine can rotate its shop secret</source>
        <translation>只有运行引擎的控制台才能轮换其商城密钥</translation>
    </message>
</context>
<context>
    <name>flashsale::DashboardPage</name>
    <message>
        <source>All events</source>
        <translation>全部活动</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>Save the dashboard</source>
        <translation>保存看板</translation>
    </message>
    <message>
        <source>PNG image (*.png);;PDF document (*.pdf)</source>
        <translation>PNG 图片 (*.png);;PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>The dashboard was not saved</source>
        <translation>看板未保存</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>活动：</translation>
    </message>
    <message>
        <source>Window:</source>
        <translation>时间窗口：</translation>
    </message>
    <message>
        <source>Last minute</source>
        <translation>最近 1 分钟</translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation>最近 5 分钟</translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation>最近 15 分钟</translation>
    </message>
    <message>
        <source>&amp;Save as PNG/PDF…</source>
        <translation>保存为 PNG/PDF(&amp;S)…</translation>
    </message>
    <message>
        <source>Accepted requests</source>
        <translation>已受理请求</translation>
    </message>
    <message>
        <source>Units sold</source>
        <translation>已售件数</translation>
    </message>
    <message>
        <source>Conversion (won ÷ accepted)</source>
        <translation>转化率（抢中 ÷ 受理）</translation>
    </message>
    <message>
        <source>Decision latency p50</source>
        <translation>判定延迟 p50</translation>
    </message>
    <message>
        <source>Decision latency p99</source>
        <translation>判定延迟 p99</translation>
    </message>
    <message>
        <source>WebSocket clients</source>
        <translation>WebSocket 客户端</translation>
    </message>
    <message>
        <source>seconds ago</source>
        <translation>秒前</translation>
    </message>
    <message>
        <source>Per second</source>
        <translation>每秒</translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>Wins/s</source>
        <translation>抢中/秒</translation>
    </message>
    <message>
        <source>Losses/s</source>
        <translation>未抢中/秒</translation>
    </message>
    <message>
        <source>Queue depth</source>
        <translation>队列深度</translation>
    </message>
    <message>
        <source>Remaining stock</source>
        <translation>剩余库存</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <extracomment>Latency in milliseconds</extracomment>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <extracomment>Dashboard title: the event (or all events) and the window, e.g. "Last 5 minutes"</extracomment>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>since open: %1</source>
        <translation>开售以来：%1</translation>
    </message>
    <message>
        <source>since open: %1 (%2 of leads)</source>
        <translation>开售以来：%1（占线索 %2）</translation>
    </message>
    <message>
        <source>%1 · since %2 (when this page started counting)</source>
        <extracomment>Dashboard title when the console's snapshots cover less than the window: event, time of the first one</extracomment>
        <translation>%1 · 自 %2 起（本页开始统计时）</translation>
    </message>
    <message>
        <source>connected now</source>
        <extracomment>Under the WebSocket clients tile: the count is of this moment, not of the window</extracomment>
        <translation>当前连接数</translation>
    </message>
    <message>
        <source>none yet</source>
        <extracomment>Latency tile value before any request was ever decided</extracomment>
        <translation>暂无</translation>
    </message>
    <message>
        <source>requests in the window: %1</source>
        <extracomment>Under a latency tile: how many decisions the figure is taken from</extracomment>
        <translation>时间窗口内请求：%1</translation>
    </message>
    <message>
        <source>no requests in the window</source>
        <translation>时间窗口内没有请求</translation>
    </message>
    <message>
        <source>peak %1</source>
        <extracomment>Label at the highest point of the queue depth chart</extracomment>
        <translation>峰值 %1</translation>
    </message>
    <message>
        <source>Post-sale &amp;report…</source>
        <translation>售后报告(&amp;R)…</translation>
    </message>
    <message>
        <source>Totals and timeline of the chosen event from the stored journal, as PDF or PNG</source>
        <translation>所选活动的汇总与时间线，来自已保存的请求日志，可存为 PDF 或 PNG</translation>
    </message>
    <message>
        <source>Leads</source>
        <translation>意向线索</translation>
    </message>
    <message>
        <source>Leads with contact</source>
        <translation>留有联系方式的线索</translation>
    </message>
    <message>
        <source>Purchase requests the engine took in during the window (each retry counts). The small figure counts since the event opened.</source>
        <translation>时间窗口内引擎受理的购买请求（每次重试都计入）。小字为活动开售以来的数字。</translation>
    </message>
    <message>
        <source>Units shoppers won during the window. The small figure counts since the event opened.</source>
        <translation>时间窗口内顾客抢中的件数。小字为活动开售以来的数字。</translation>
    </message>
    <message>
        <source>Conversion: winning requests divided by accepted requests, in the window. Retries count as requests, so it is lower than the share of shoppers who won. The small figure is since the event opened.</source>
        <translation>转化率：时间窗口内抢中的请求数除以受理的请求数。重试也算作请求，因此低于抢中顾客所占的比例。小字为活动开售以来的数字。</translation>
    </message>
    <message>
        <source>Leads: every shopper who tried and did not get the item, counted once per event, in the window by their last attempt. The same word means the same on the Intent leads page and in the simulation summary.</source>
        <translation>线索：尝试购买但没有抢到的每一位顾客，每个活动只计一次，按最后一次尝试的时间计入时间窗口。“意向线索”页面和模拟结果中的“线索”含义相同。</translation>
    </message>
    <message>
        <source>The leads who left a contact (phone or e-mail), so they can be reached later.</source>
        <translation>留下联系方式（电话或电子邮件）的线索，之后可以联系他们。</translation>
    </message>
    <message>
        <source>Decision latency p50 (the median): half of the requests decided in the window took at most this long from being accepted to their decision being safely on disk. Covers every event.</source>
        <translation>判定延迟 p50（中位数）：时间窗口内有一半的请求，从受理到判定结果安全写入磁盘所用的时间不超过此值。涵盖所有活动。</translation>
    </message>
    <message>
        <source>Decision latency p99: 99 of every 100 requests decided in the window took at most this long from being accepted to their decision being safely on disk; the slowest 1 % took longer. Covers every event.</source>
        <translation>判定延迟 p99：时间窗口内每 100 个请求中有 99 个，从受理到判定结果安全写入磁盘所用的时间不超过此值；最慢的 1% 更久。涵盖所有活动。</translation>
    </message>
    <message>
        <source>Open WebSocket connections (shoppers' pages and staff consoles) at this moment.</source>
        <translation>此刻打开的 WebSocket 连接（顾客页面和员工控制台）。</translation>
    </message>
    <message>
        <source>since start: %1 · bad pass: %2 · queue full: %3</source>
        <extracomment>Under the rate-limit tile: refusals since the node started, by kind</extracomment>
        <translation>启动以来：%1 · 凭证无效：%2 · 队列已满：%3</translation>
    </message>
    <message>
        <source>Rejected: rate limit</source>
        <translation>拒绝：超出限速</translation>
    </message>
    <message>
        <source>Purchases refused with 429 because one address or one signed user sent more than the node's rate limit (--rate-limit), in the window; scripts, not people, reach it.</source>
        <translation>时间窗口内因单个地址或单个签名用户超出节点限速（--rate-limit）而被以 429 拒绝的购买；达到它的是脚本，不是真人。</translation>
    </message>
    <message>
        <source>no payment window: orders are final</source>
        <extracomment>Under a payment tile when no event shown has a payment window (its orders are final)</extracomment>
        <translation>无支付时限：订单即成交</translation>
    </message>
    <message>
        <source>paid %1 of %2 units</source>
        <extracomment>Under the paid conversion tile: paid units of the units won or offered</extracomment>
        <translation>%2 件中已支付 %1 件</translation>
    </message>
    <message>
        <source>units awaiting payment: %1</source>
        <extracomment>Under the pending payments tile (whose figure counts orders): the units of those orders</extracomment>
        <translation>待支付件数：%1</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <extracomment>Freed units tile value: units freed / units offered to leads</extracomment>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>cancelled %1 · expired %2</source>
        <extracomment>Under the freed units tile: how the freed units were freed</extracomment>
        <translation>已取消 %1 · 已过期 %2</translation>
    </message>
    <message>
        <source>Paid conversion</source>
        <translation>支付转化率</translation>
    </message>
    <message>
        <source>Pending payments</source>
        <translation>待支付订单</translation>
    </message>
    <message>
        <source>Units freed / offered</source>
        <translation>释放 / 递补件数</translation>
    </message>
    <message>
        <source>Paid conversion: units of paid orders divided by the units of every order that needed payment (won in the sale or offered to a lead), since the event opened. Events without a payment window have final orders and show “—”.</source>
        <translation>支付转化率：已支付订单的件数除以所有需要支付的订单（抢购所得或递补给潜在客户）的件数，自活动开始起计。没有支付时限的活动订单即成交，显示“—”。</translation>
    </message>
    <message>
        <source>Orders awaiting payment now, and their units. Each is paid, cancelled, or expires at its deadline (Orders page: Pays by).</source>
        <translation>当前待支付的订单数及其件数。每个订单都会被支付、取消，或在截止时间过期（见订单页的“支付截止”）。</translation>
    </message>
    <message>
        <source>Units freed by cancelled and expired orders, and units offered to leads (the event's Freed units setting: back to stock, or offered to the next lead who lost for sold out).</source>
        <translation>因订单取消或过期而释放的件数，以及递补给潜在客户的件数（活动的“释放的商品”设置：退回库存，或递补给因售罄落空的下一位顾客）。</translation>
    </message>
</context>
<context>
    <name>flashsale::EventDialog</name>
    <message>
        <source>%1 (copy)</source>
        <extracomment>Name given to a duplicated event; %1 is the original name</extracomment>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <source>Use 1–64 lowercase letters, digits and hyphens, e.g. spring-sale-2025.</source>
        <translation>请使用 1–64 个小写字母、数字或连字符，例如 spring-sale-2025。</translation>
    </message>
    <message>
        <source>Give the event a name shoppers will see.</source>
        <translation>请填写顾客能看到的活动名称。</translation>
    </message>
    <message>
        <source>Enter a price such as %1 (at most two decimals).</source>
        <translation>请输入价格，例如 %1（最多两位小数）。</translation>
    </message>
    <message>
        <source>Use a three-letter currency code such as CNY.</source>
        <translation>请使用三个字母的货币代码，例如 CNY。</translation>
    </message>
    <message>
        <source>Stock is a whole number from 0 to %1.</source>
        <translation>库存必须是 0 到 %1 之间的整数。</translation>
    </message>
    <message>
        <source>The limit per shopper is a whole number from 1 to %1.</source>
        <translation>每人限购必须是 1 到 %1 之间的整数。</translation>
    </message>
    <message>
        <source>The end must be after the start.</source>
        <translation>结束时间必须晚于开始时间。</translation>
    </message>
    <message>
        <source>The end is in the past.</source>
        <translation>结束时间已经过去。</translation>
    </message>
    <message>
        <source>Edit event</source>
        <translation>编辑活动</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>新建活动</translation>
    </message>
    <message>
        <source>&amp;Id (in the shop's URL)</source>
        <translation>标识(&amp;I)（用于商店网址）</translation>
    </message>
    <message>
        <source>spring-sale-2025</source>
        <translation>spring-sale-2025</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名称(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Price</source>
        <translation>价格(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Currency</source>
        <translation>货币(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Stock (units)</source>
        <translation>库存(&amp;S)（件）</translation>
    </message>
    <message>
        <source>&amp;Limit per shopper</source>
        <translation>每人限购(&amp;L)</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Open by itself at</source>
        <translation>自动开始于</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>End by itself at</source>
        <translation>自动结束于</translation>
    </message>
    <message>
        <source>Keep the name under %1 characters.</source>
        <translation>名称请勿超过 %1 个字符。</translation>
    </message>
    <message>
        <source>A scheduled sale opens at its start time: keep one, or end the sale.</source>
        <translation>已排期的秒杀在开始时间自动开启：请保留开始时间，或结束该秒杀。</translation>
    </message>
    <message>
        <source>The start is in the past. Untick it to open the sale yourself.</source>
        <translation>开始时间已过。取消勾选即可由你亲自开启。</translation>
    </message>
    <message>
        <source>Shoppers see the name “%1” instead of “%2”.</source>
        <translation>顾客看到的名称将从“%2”变为“%1”。</translation>
    </message>
    <message>
        <source>Each shopper may buy up to %1 (was %2).</source>
        <translation>每位顾客最多可买 %1 件（原为 %2 件）。</translation>
    </message>
    <message>
        <source>The sale no longer ends by itself.</source>
        <translation>秒杀不再自动结束。</translation>
    </message>
    <message>
        <source>The sale ends by itself at %1.</source>
        <translation>秒杀将于 %1 自动结束。</translation>
    </message>
    <message>
        <source>The sale ends by itself at %1 instead of %2.</source>
        <translation>秒杀将于 %1 自动结束（原为 %2）。</translation>
    </message>
    <message>
        <source>Change a live sale</source>
        <translation>修改进行中的秒杀</translation>
    </message>
    <message>
        <source>“%1” is live: shoppers see these changes at once.</source>
        <translation>“%1”正在进行：顾客会立即看到这些修改。</translation>
    </message>
    <message>
        <source>&amp;Save changes</source>
        <translation>保存修改(&amp;S)</translation>
    </message>
    <message>
        <source>Shoppers can buy only with a pass the shop signs; links without one stop working.</source>
        <translation>顾客只能凭商城签发的凭证购买；不带凭证的链接将失效。</translation>
    </message>
    <message>
        <source>Shoppers no longer need a pass: any user id the page sends can buy.</source>
        <translation>顾客不再需要凭证：页面发送的任何用户 ID 都可以购买。</translation>
    </message>
    <message>
        <source>Requests are decided first come, first served from the start.</source>
        <translation>从开始起按先到先得处理请求。</translation>
    </message>
    <message>
        <source>Requests in the first %1 s after opening are decided in a random order.</source>
        <translation>开始后 %1 秒内的请求将按随机顺序处理。</translation>
    </message>
    <message>
        <source>S&amp;hoppers</source>
        <translation>顾客身份(&amp;H)</translation>
    </message>
    <message>
        <source>Anyone: the user id the shop's page sends</source>
        <translation>任何人：使用商城页面发送的用户 ID</translation>
    </message>
    <message>
        <source>Signed in at the shop: a pass the shop signs</source>
        <translation>已在商城登录：由商城签发凭证</translation>
    </message>
    <message>
        <source>With signed passes a script cannot buy as a hundred made-up users: the shop's backend signs who is logged in (README, Fair sales).</source>
        <translation>使用签名凭证后，脚本无法冒充上百个虚构用户购买：由商城后端为已登录用户签名（见 README“公平抢购”）。</translation>
    </message>
    <message>
        <source>&amp;Fair start</source>
        <translation>公平开抢(&amp;F)</translation>
    </message>
    <message>
        <source>Off: first come, first served</source>
        <translation>关闭：先到先得</translation>
    </message>
    <message>
        <source> s</source>
        <extracomment>Suffix of the fair-start window in seconds</extracomment>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Requests in the first seconds after opening are decided in a random order, so a bot firing at the first millisecond gains nothing over a person.</source>
        <translation>开始后最初几秒内的请求按随机顺序处理，机器人在第一毫秒抢先提交也不比真人占优。</translation>
    </message>
    <message>
        <source>Pa&amp;yment window (min:s)</source>
        <extracomment>The field takes minutes:seconds, e.g. 15:00</extracomment>
        <translation>支付时限（分:秒）(&amp;Y)</translation>
    </message>
    <message>
        <source>None: a win is the sale</source>
        <translation>无：抢到即成交</translation>
    </message>
    <message>
        <source>How long a winner has to pay (minutes:seconds, up to %1 days). The order awaits payment until the shop marks it paid or cancels it; unpaid at the deadline, it expires and its units are freed. None: orders are final, as without a shop checkout.</source>
        <translation>抢购成功者的付款时限（分:秒，最长 %1 天）。订单在商城标记为已支付或取消之前处于待支付状态；截止时仍未支付则过期，其商品被释放。无：订单即成交，适用于商城没有结账步骤的情况。</translation>
    </message>
    <message>
        <source>Freed &amp;units</source>
        <translation>释放的商品(&amp;U)</translation>
    </message>
    <message>
        <source>Back to stock</source>
        <translation>退回库存</translation>
    </message>
    <message>
        <source>Offer to the next lead</source>
        <translation>递补给下一位潜在客户</translation>
    </message>
    <message>
        <source>Where the units of a cancelled or expired order go: back to stock (a sold-out sale reopens), or offered to the shoppers who lost for sold out, in the order they asked, each with the same payment window. Needs a payment window.</source>
        <translation>已取消或过期订单的商品去向：退回库存（已售罄的抢购重新开放），或按请求先后递补给因售罄落空的顾客，支付时限相同。需要设置支付时限。</translation>
    </message>
    <message>
        <source>The sale has started: price, currency, stock, start, shoppers, fair start, payment window and freed units can no longer change (orders already made keep their terms). Use Restock to add units.</source>
        <translation>抢购已开始：价格、币种、库存、开始时间、顾客身份、公平开抢、支付时限和释放的商品均不能再修改（已生成的订单保持原条件）。请使用“补货”增加库存。</translation>
    </message>
</context>
<context>
    <name>flashsale::EventsModel</name>
    <message>
        <source>When opened</source>
        <translation>手动开启时</translation>
    </message>
    <message>
        <source>When ended</source>
        <translation>手动结束时</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>标识</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>剩余</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Scheduled · opens in %1</source>
        <extracomment>%1 is the time left, such as 1:05:09</extracomment>
        <translation>已排期 · %1 后开启</translation>
    </message>
</context>
<context>
    <name>flashsale::EventsPage</name>
    <message>
        <source>The change was not made</source>
        <translation>未能完成修改</translation>
    </message>
    <message>
        <source>Launch “%1”? It opens to shoppers by itself at %2.</source>
        <translation>发布“%1”？它将在 %2 自动向顾客开放。</translation>
    </message>
    <message>
        <source>Open “%1” now? Shoppers can buy at once.</source>
        <translation>现在开启“%1”？顾客将立即可以购买。</translation>
    </message>
    <message>
        <source>Open the sale</source>
        <translation>开启活动</translation>
    </message>
    <message>
        <source>Pause the sale</source>
        <translation>暂停活动</translation>
    </message>
    <message>
        <source>Pause “%1”? Requests lose with “not open” until you open it again.</source>
        <translation>暂停“%1”？在重新开启之前，请求都将以“未开放”失败。</translation>
    </message>
    <message>
        <source>End the sale</source>
        <translation>结束活动</translation>
    </message>
    <message>
        <source>End “%1” for good? This cannot be undone.</source>
        <translation>永久结束“%1”？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Restock</source>
        <translation>补货</translation>
    </message>
    <message>
        <source>Units to add to “%1”:</source>
        <translation>为“%1”增加的件数：</translation>
    </message>
    <message>
        <source>Add %1 units to “%2”?</source>
        <translation>为“%2”增加 %1 件？</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>新建(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>D&amp;uplicate…</source>
        <translation>复制(&amp;U)…</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>开启(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Restock…</source>
        <translation>补货(&amp;R)…</translation>
    </message>
    <message>
        <source>Scheduled events open by themselves at their start time. Double-click an event to edit it.</source>
        <translation>已排期的活动会在开始时间自动开启。双击活动即可编辑。</translation>
    </message>
    <message>
        <source>&amp;Schedule</source>
        <translation>排期(&amp;S)</translation>
    </message>
    <message>
        <source>“%1” is a draft: shoppers cannot see it. Schedule it to open by itself at %2, or edit it.</source>
        <translation>“%1”是草稿：顾客看不到它。排期后将于 %2 自动开启，也可以先编辑。</translation>
    </message>
    <message>
        <source>“%1” is a draft: shoppers cannot see it. Open it when the sale should start, or give it a start time and schedule it.</source>
        <translation>“%1”是草稿：顾客看不到它。到开卖时开启它，或设置开始时间并排期。</translation>
    </message>
    <message>
        <source>“%1” is scheduled: shoppers see a countdown, and it opens by itself at %2.</source>
        <translation>“%1”已排期：顾客看到倒计时，将于 %2 自动开启。</translation>
    </message>
    <message>
        <source>En&amp;d</source>
        <translation>结束(&amp;D)</translation>
    </message>
    <message>
        <source>Copy shop &amp;link</source>
        <translation>复制店铺链接(&amp;L)</translation>
    </message>
    <message>
        <source>Copies the address of the event's shop page, to send to shoppers.</source>
        <translation>复制该活动店铺页面的地址，发给顾客。</translation>
    </message>
    <message>
        <source>No events yet. Press New… (Ctrl+N) to create a sale: give it a name, a price and the stock, and tick “Open by itself at” to schedule its launch.</source>
        <translation>还没有活动。按“新建…”（Ctrl+N）创建一场秒杀：填写名称、价格和库存，勾选“自动开始于”即可排期上线。</translation>
    </message>
</context>
<context>
    <name>flashsale::ExportBar</name>
    <message>
        <source>%1 of %2 rows</source>
        <translation>%1 / %2 行</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>导出已取消，未写入任何文件。</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Exporting to %1…</source>
        <translation>正在导出到 %1…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Saved %1 (rows: %2)</source>
        <translation>已保存 %1（共 %2 行）</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>CSV for other programs (*.csv)</source>
        <translation>CSV，供其他程序使用 (*.csv)</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>Saved %1 (rows: %2). %3 more losses were still being listed; export again in a moment to include them.</source>
        <translation>已保存 %1（共 %2 行）。还有 %3 条未抢到的记录正在录入意向名单，请稍后再导出一次以包含它们。</translation>
    </message>
</context>
<context>
    <name>flashsale::Labels</name>
    <message>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>已排期</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Sold out</source>
        <translation>已售罄</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Limit reached</source>
        <translation>超出限购</translation>
    </message>
    <message>
        <source>Not open</source>
        <translation>未开放</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>The event no longer exists.</source>
        <translation>该活动已不存在。</translation>
    </message>
    <message>
        <source>A value is not valid.</source>
        <translation>有一个值无效。</translation>
    </message>
    <message>
        <source>An event with this id already exists.</source>
        <translation>已存在相同标识的活动。</translation>
    </message>
    <message>
        <source>The event's state does not allow this.</source>
        <translation>活动当前的状态不允许此操作。</translation>
    </message>
    <message>
        <source>The event is not open.</source>
        <translation>活动尚未开放。</translation>
    </message>
    <message>
        <source>The engine is overloaded; try again in a moment.</source>
        <translation>引擎负载过高，请稍后再试。</translation>
    </message>
    <message>
        <source>The database is not answering; the change will be saved when it is back.</source>
        <translation>数据库无响应；恢复后会保存此修改。</translation>
    </message>
    <message>
        <source>%1
(%2)</source>
        <extracomment>%1 is the translated problem, %2 the engine's detail (English)</extracomment>
        <translation>%1
（%2）</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Leads</source>
        <translation>意向线索</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Simulated</source>
        <translation>模拟</translation>
    </message>
    <message>
        <source>Decided at</source>
        <translation>成交时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>First attempt</source>
        <translation>首次尝试</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>最后尝试</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>This request id was already used by another user.</source>
        <translation>此请求编号已被另一位用户使用。</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) %1</source>
        <extracomment>a countdown longer than a day: %1 days, %2 hours:minutes:seconds</extracomment>
        <translation><numerusform>%n 天 %1</numerusform></translation>
    </message>
    <message>
        <source>The order's status does not allow this.</source>
        <translation>订单的状态不允许此操作。</translation>
    </message>
    <message>
        <source>The order or its event no longer exists.</source>
        <translation>该订单或其活动已不存在。</translation>
    </message>
    <message>
        <source>Final</source>
        <extracomment>An order of an event without a payment window: the win is the sale</extracomment>
        <translation>已成交</translation>
    </message>
    <message>
        <source>Awaiting payment</source>
        <translation>待支付</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已支付</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Sale</source>
        <extracomment>How an order came about: a shopper won it in the sale</extracomment>
        <translation>抢购</translation>
    </message>
    <message>
        <source>Offer</source>
        <extracomment>How an order came about: freed units offered to a lead</extracomment>
        <translation>递补</translation>
    </message>
</context>
<context>
    <name>flashsale::LeadsModel</name>
    <message>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>First try</source>
        <translation>首次尝试</translation>
    </message>
    <message>
        <source>Last try</source>
        <translation>最近尝试</translation>
    </message>
    <message>
        <source>Simulated</source>
        <translation>模拟</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>Offered</source>
        <extracomment>Offer outcome: the lead was offered freed units and has not paid yet</extracomment>
        <translation>已递补</translation>
    </message>
    <message>
        <source>Offered at</source>
        <extracomment>Column: when units freed by a cancelled or expired order were offered to this lead</extracomment>
        <translation>递补时间</translation>
    </message>
    <message>
        <source>Offer outcome</source>
        <extracomment>Column: what became of the offer (awaiting payment, paid, expired, cancelled)</extracomment>
        <translation>递补结果</translation>
    </message>
</context>
<context>
    <name>flashsale::LeadsPage</name>
    <message>
        <source>Cannot read the leads: %1</source>
        <translation>无法读取线索：%1</translation>
    </message>
    <message>
        <source>Export intent leads</source>
        <translation>导出意向线索</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>活动：</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>全部活动</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Include simulated shoppers</source>
        <translation>包含模拟顾客</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Leads: %1</source>
        <translation>线索：%1</translation>
    </message>
    <message>
        <source>Leads with contact: %1</source>
        <translation>留有联系方式的线索：%1</translation>
    </message>
    <message>
        <source>(simulated shoppers left out)</source>
        <translation>（不含模拟顾客）</translation>
    </message>
    <message>
        <source>Only leads with contact</source>
        <translation>仅限留有联系方式的线索</translation>
    </message>
    <message>
        <source>No leads here yet. A lead is a shopper who tried to buy and lost (sold out, over the limit, not open yet); with the contact they left, they are the people to call for the next sale.</source>
        <translation>暂无线索。线索是尝试购买但未抢到的顾客（已售罄、超出限购、尚未开启）；凭他们留下的联系方式，可在下一场秒杀时联系他们。</translation>
    </message>
    <message>
        <source>Offered leads only</source>
        <translation>仅已递补的潜在客户</translation>
    </message>
    <message>
        <source>Leads who were offered units freed by a cancelled or expired order (events whose Freed units setting is “Offer to the next lead”).</source>
        <translation>获得过因订单取消或过期而释放的商品的潜在客户（活动的“释放的商品”设置为“递补给下一位潜在客户”）。</translation>
    </message>
    <message>
        <source>(offered freed units only)</source>
        <translation>（仅已递补）</translation>
    </message>
    <message>
        <source>%1 more losses are still being listed; Refresh in a moment.</source>
        <translation>还有 %1 条未抢到的记录正在录入，请稍后点“刷新”。</translation>
    </message>
</context>
<context>
    <name>flashsale::LocalBackend</name>
    <message>
        <source>the engine in this console</source>
        <translation>本控制台内的引擎</translation>
    </message>
    <message>
        <source>the engine is not running</source>
        <translation>引擎未在运行</translation>
    </message>
    <message>
        <source>the store gave no reason</source>
        <translation>数据库未说明原因</translation>
    </message>
    <message>
        <source>Running now: %1, %2, node id %3.</source>
        <translation>当前运行：%1，%2，节点 ID：%3。</translation>
    </message>
    <message>
        <source>embedded SQLite</source>
        <translation>内置 SQLite</translation>
    </message>
    <message>
        <source>embedded queue</source>
        <translation>内置队列</translation>
    </message>
</context>
<context>
    <name>flashsale::MainWindow</name>
    <message>
        <source>Copied %1</source>
        <translation>已复制 %1</translation>
    </message>
    <message>
        <source>Engine stopped</source>
        <translation>引擎已停止</translation>
    </message>
    <message>
        <source>⚠ Database failing</source>
        <translation>⚠ 数据库故障</translation>
    </message>
    <message>
        <source>● Running</source>
        <translation>● 运行中</translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation>队列：%1</translation>
    </message>
    <message>
        <source>Flash Sale Console</source>
        <translation>秒杀控制台</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>Live dashboard</source>
        <translation>实时看板</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Intent leads</source>
        <translation>意向线索</translation>
    </message>
    <message>
        <source>Shoppers' API: &lt;a href="%1"&gt;%1&lt;/a&gt;</source>
        <translation>顾客 API：&lt;a href="%1"&gt;%1&lt;/a&gt;</translation>
    </message>
    <message>
        <source>Click to copy</source>
        <translation>点击复制</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>引擎</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Save dashboard as PNG/PDF…</source>
        <translation>将看板保存为 PNG/PDF(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Simulate a sale…</source>
        <translation>模拟一场秒杀(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>The engine could not start:
%1

Check the address, data directory and backend in Settings, then restart the console.</source>
        <translation>引擎无法启动：
%1

请在“设置”中检查地址、数据目录和后端，然后重新启动控制台。</translation>
    </message>
    <message>
        <source>⚠ RabbitMQ unreachable</source>
        <translation>⚠ RabbitMQ 无法连接</translation>
    </message>
    <message>
        <source>⚠ PostgreSQL unreachable</source>
        <translation>⚠ PostgreSQL 无法连接</translation>
    </message>
    <message>
        <source>Queue (RabbitMQ): %1</source>
        <translation>队列（RabbitMQ）：%1</translation>
    </message>
    <message>
        <source>Database from a newer version</source>
        <translation>数据库来自更新的版本</translation>
    </message>
    <message>
        <source>This database was made by a newer version of Flash Sale Console, so this version cannot use it. It was not changed.

%1</source>
        <translation>此数据库由更新版本的秒杀控制台创建，当前版本无法使用它。数据库未被改动。

%1</translation>
    </message>
    <message>
        <source>Quit Flash Sale Console?</source>
        <translation>退出秒杀控制台？</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) are open or scheduled. If the console quits, the shop goes offline: shoppers cannot see or buy anything until it runs again.</source>
        <translation><numerusform>有 %n 个活动正在进行或已排期。控制台退出后商店将下线：在它再次运行之前，顾客无法浏览或购买。</numerusform></translation>
    </message>
    <message>
        <source>Keep serving in the background: the window closes, the shop stays online, and the icon in the system tray brings it back or quits.</source>
        <translation>在后台继续服务：窗口关闭，商店保持在线；可通过系统托盘图标重新打开或退出。</translation>
    </message>
    <message>
        <source>&amp;Keep serving in the background</source>
        <translation>在后台继续服务(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Quit and take the shop offline</source>
        <translation>退出并让商店下线(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Show the console</source>
        <translation>显示控制台(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Quit (the shop goes offline)</source>
        <translation>退出（商店下线）(&amp;Q)</translation>
    </message>
    <message numerus="yes">
        <source>Flash Sale Console: serving %n live event(s) at %1</source>
        <translation><numerusform>秒杀控制台：正在 %1 为 %n 个活动服务</numerusform></translation>
    </message>
    <message>
        <source>&amp;New event…</source>
        <translation>新建活动(&amp;N)…</translation>
    </message>
    <message>
        <source>Leave the engine in this console?</source>
        <translation>离开本控制台内的引擎？</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) are open or scheduled here. Switching stops the engine in this console: the shop goes offline until it runs again.</source>
        <translation><numerusform>此处有 %n 个活动正在进行或已排期。切换会停止本控制台内的引擎：在它再次运行之前商店将下线。</numerusform></translation>
    </message>
    <message>
        <source>Attached to %1</source>
        <translation>已连接到 %1</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message numerus="yes">
        <source>⚠ Connection to %1 lost (%2); retrying in %n s</source>
        <translation><numerusform>⚠ 与 %1 的连接已断开（%2）；%n 秒后重试</numerusform></translation>
    </message>
    <message>
        <source>● Connected to %1</source>
        <translation>● 已连接 %1</translation>
    </message>
    <message>
        <source>Flash Sale Console — %1</source>
        <translation>秒杀控制台 — %1</translation>
    </message>
    <message>
        <source>&amp;Connect to server…</source>
        <translation>连接到服务器(&amp;C)…</translation>
    </message>
    <message>
        <source>Use the &amp;engine in this console</source>
        <translation>使用本控制台内的引擎(&amp;E)</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>回调通知</translation>
    </message>
</context>
<context>
    <name>flashsale::OrdersModel</name>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Decided at</source>
        <translation>成交时间</translation>
    </message>
    <message>
        <source>Simulated</source>
        <translation>模拟</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Pays by</source>
        <extracomment>Column: the payment deadline of an order, with the time left while it awaits payment</extracomment>
        <translation>支付截止</translation>
    </message>
    <message>
        <source>Paid at</source>
        <translation>支付时间</translation>
    </message>
    <message>
        <source>%1 (%2 left)</source>
        <extracomment>Pays by cell of an order awaiting payment: %1 the deadline, %2 the time left (h:mm:ss)</extracomment>
        <translation>%1（剩余 %2）</translation>
    </message>
</context>
<context>
    <name>flashsale::OrdersPage</name>
    <message>
        <source>Cannot read the orders: %1</source>
        <translation>无法读取订单：%1</translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation>导出订单</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>活动：</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>全部活动</translation>
    </message>
    <message>
        <source>Search by user…</source>
        <translation>按用户搜索…</translation>
    </message>
    <message>
        <source>Include simulated shoppers</source>
        <translation>包含模拟顾客</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Orders: %1</source>
        <translation>订单：%1</translation>
    </message>
    <message>
        <source>Orders: %1 (simulated shoppers left out)</source>
        <translation>订单：%1（不含模拟顾客）</translation>
    </message>
    <message>
        <source>No orders here yet. An order appears as soon as a shopper wins; orders of simulated shoppers show when “Include simulated shoppers” is ticked.</source>
        <translation>暂无订单。顾客一抢中，订单就会出现在这里；勾选“包含模拟顾客”可显示模拟顾客的订单。</translation>
    </message>
    <message>
        <source>Cancel the order</source>
        <translation>取消订单</translation>
    </message>
    <message>
        <source>Cancel order %1? Its units are freed at once (back to stock, or offered to the next lead, as the event says). This cannot be undone.</source>
        <translation>取消订单 %1？其商品将立即释放（按活动设置退回库存，或递补给下一位潜在客户）。此操作无法撤销。</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>取消订单</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>保留订单</translation>
    </message>
    <message>
        <source>The order was not changed</source>
        <translation>订单未更改</translation>
    </message>
    <message>
        <source>(%1 left)</source>
        <translation>（剩余 %1）</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>状态(&amp;S)：</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Mark &amp;paid</source>
        <translation>标记为已支付(&amp;P)</translation>
    </message>
    <message>
        <source>The shopper paid for the selected order (awaiting payment): it becomes final.</source>
        <translation>顾客已为所选的待支付订单付款：订单完成。</translation>
    </message>
    <message>
        <source>&amp;Cancel order…</source>
        <translation>取消订单(&amp;C)…</translation>
    </message>
    <message>
        <source>Cancels the selected order (awaiting payment) and frees its units: back to stock, or offered to the next lead, as the event's Freed units setting says.</source>
        <translation>取消所选的待支付订单并释放其商品：按活动的“释放的商品”设置退回库存或递补给下一位潜在客户。</translation>
    </message>
</context>
<context>
    <name>flashsale::RemoteBackend</name>
    <message numerus="yes">
        <source>the node sent nothing for %n second(s)</source>
        <translation><numerusform>节点已 %n 秒没有发送任何数据</numerusform></translation>
    </message>
    <message>
        <source>the node refused the admin token</source>
        <translation>节点拒绝了管理员令牌</translation>
    </message>
    <message>
        <source>the connection closed</source>
        <translation>连接已关闭</translation>
    </message>
</context>
<context>
    <name>flashsale::SaleReportDialog</name>
    <message>
        <source>Save the post-sale report</source>
        <translation>保存售后报告</translation>
    </message>
    <message>
        <source>PDF document (*.pdf);;PNG image (*.png)</source>
        <translation>PDF 文档 (*.pdf);;PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>The report was not saved</source>
        <translation>报告未保存</translation>
    </message>
    <message>
        <source>Post-sale report</source>
        <translation>售后报告</translation>
    </message>
    <message>
        <source>&amp;Save as PDF/PNG…</source>
        <translation>另存为 PDF/PNG(&amp;S)…</translation>
    </message>
    <message>
        <source>From the journal stored for %1.</source>
        <translation>来自 %1 已保存的请求日志。</translation>
    </message>
    <message>
        <source>Computing the report for %1…</source>
        <translation>正在生成 %1 的报告…</translation>
    </message>
    <message>
        <source>The report could not be made: %1</source>
        <translation>无法生成报告：%1</translation>
    </message>
</context>
<context>
    <name>flashsale::SaleReportView</name>
    <message>
        <source>%1 ms</source>
        <extracomment>Decision latency in milliseconds</extracomment>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <extracomment>A duration in seconds, e.g. "12.3 s"</extracomment>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <extracomment>A duration in minutes and seconds, e.g. "4 min 05 s"</extracomment>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>Post-sale report: %1</source>
        <extracomment>Report title; %1 is the event's name</extracomment>
        <translation>售后报告：%1</translation>
    </message>
    <message>
        <source>Event %1 (%2) · from %3 to %4 · stock %5</source>
        <extracomment>%1 event id, %2 its state, %3 and %4 the first request and the last decision (local times)</extracomment>
        <translation>活动 %1（%2）· 从 %3 到 %4 · 库存 %5</translation>
    </message>
    <message>
        <source>not sold out</source>
        <translation>未售罄</translation>
    </message>
    <message>
        <source>%1/s at %2</source>
        <extracomment>Peak request rate: %1 requests per second at %2 (a local time)</extracomment>
        <translation>%1/秒，于 %2</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>Purchase requests</source>
        <translation>购买请求</translation>
    </message>
    <message>
        <source>Units sold</source>
        <translation>已售件数</translation>
    </message>
    <message>
        <source>Revenue</source>
        <translation>销售额</translation>
    </message>
    <message>
        <source>Time to sell out</source>
        <translation>售罄用时</translation>
    </message>
    <message>
        <source>Conversion (won ÷ requests)</source>
        <translation>转化率（抢到 ÷ 请求）</translation>
    </message>
    <message>
        <source>Peak rate</source>
        <translation>峰值速率</translation>
    </message>
    <message>
        <source>Leads (every shopper who missed out)</source>
        <translation>意向线索（所有未抢到的顾客）</translation>
    </message>
    <message>
        <source>Leads with contact</source>
        <translation>留有联系方式的线索</translation>
    </message>
    <message>
        <source>Decision latency p50</source>
        <translation>判定延迟 p50</translation>
    </message>
    <message>
        <source>Decision latency p99</source>
        <translation>判定延迟 p99</translation>
    </message>
    <message>
        <source>Of the requests, simulated</source>
        <translation>其中模拟请求</translation>
    </message>
    <message>
        <source>Requests never decided</source>
        <translation>未判定的请求</translation>
    </message>
    <message>
        <source>From the stored journal: times are when each request was accepted and decided. Queue depth is requests accepted but not yet decided at the end of each step; requests refused before the journal (busy, invalid) are not counted. Remaining stock counts restocks from the start.</source>
        <translation>数据来自已保存的请求日志：时间为每个请求被接收和被判定的时刻。队列深度为每个时间段结束时已接收但尚未判定的请求数；进入日志前被拒绝的请求（繁忙、无效）不计入。剩余库存从一开始就包含补货数量。</translation>
    </message>
    <message>
        <source>Local time</source>
        <translation>本地时间</translation>
    </message>
    <message>
        <source>Requests and wins per second</source>
        <translation>每秒请求数与抢到数</translation>
    </message>
    <message>
        <source>Wins/s</source>
        <translation>抢中/秒</translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>Remaining stock</source>
        <translation>剩余库存</translation>
    </message>
    <message>
        <source>Queue depth (accepted, not yet decided)</source>
        <translation>队列深度（已接收、未判定）</translation>
    </message>
</context>
<context>
    <name>flashsale::SettingsPage</name>
    <message>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <source>Admin token copied.</source>
        <translation>管理令牌已复制。</translation>
    </message>
    <message>
        <source>The address must look like 127.0.0.1:8080 or [::1]:8080.</source>
        <translation>地址格式应为 127.0.0.1:8080 或 [::1]:8080。</translation>
    </message>
    <message>
        <source>Choose a data directory.</source>
        <translation>请选择数据目录。</translation>
    </message>
    <message>
        <source>New admin token</source>
        <translation>新的管理令牌</translation>
    </message>
    <message>
        <source>Scripts and dashboards that use the current token will be refused until they get the new one. Make a new token?</source>
        <translation>使用当前令牌的脚本和看板在换用新令牌之前都会被拒绝。确定生成新令牌吗？</translation>
    </message>
    <message>
        <source>The token was not changed: %1</source>
        <translation>令牌未更改：%1</translation>
    </message>
    <message>
        <source>A new admin token is in use.</source>
        <translation>新的管理令牌已启用。</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>引擎</translation>
    </message>
    <message>
        <source>Listen address:</source>
        <translation>监听地址：</translation>
    </message>
    <message>
        <source>Data directory:</source>
        <translation>数据目录：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>管理令牌</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Regenerate…</source>
        <translation>重新生成…</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Console language:</source>
        <translation>控制台语言：</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <source>The store URL must look like postgresql://USER:PASSWORD@HOST:5432/DATABASE.</source>
        <translation>存储地址格式应为 postgresql://用户名:密码@主机:5432/数据库。</translation>
    </message>
    <message>
        <source>The queue URL must look like amqp://USER:PASSWORD@HOST:5672/VHOST.</source>
        <translation>队列地址格式应为 amqp://用户名:密码@主机:5672/虚拟主机。</translation>
    </message>
    <message>
        <source>A RabbitMQ queue needs a PostgreSQL store URL: every node must share one database.</source>
        <translation>使用 RabbitMQ 队列时必须填写 PostgreSQL 存储地址：所有节点必须共用同一个数据库。</translation>
    </message>
    <message>
        <source>The node id takes 1 to 64 letters, digits, dots (.), underscores (_) and dashes (-).</source>
        <translation>节点 ID 须为 1 到 64 个字母、数字、点（.）、下划线（_）或连字符（-）。</translation>
    </message>
    <message>
        <source>Saved. The changes apply when the engine next starts (restart the console).</source>
        <translation>已保存。更改将在引擎下次启动时生效（请重新启动控制台）。</translation>
    </message>
    <message>
        <source>Store URL (PostgreSQL):</source>
        <translation>存储地址（PostgreSQL）：</translation>
    </message>
    <message>
        <source>Leave empty for the embedded SQLite database in the data directory.</source>
        <translation>留空则使用数据目录中的内置 SQLite 数据库。</translation>
    </message>
    <message>
        <source>Queue URL (RabbitMQ):</source>
        <translation>队列地址（RabbitMQ）：</translation>
    </message>
    <message>
        <source>Leave empty for the embedded in-process queue.</source>
        <translation>留空则使用内置的进程内队列。</translation>
    </message>
    <message>
        <source>Node id:</source>
        <translation>节点 ID：</translation>
    </message>
    <message>
        <source>Names this node in logs, metrics and the cluster. Leave empty for the host name.</source>
        <translation>在日志、指标和集群中标识本节点。留空则使用主机名。</translation>
    </message>
    <message>
        <source>Empty URLs mean one node on its own: the embedded SQLite database and in-process queue. Nodes that share a RabbitMQ queue must share one PostgreSQL store. Passwords are saved but not shown; type a URL with its password to change it. The backend applies when the engine next starts: restart the console. Command-line options (--store, --queue, --node-id) take precedence.</source>
        <translation>地址留空表示单节点运行：使用内置的 SQLite 数据库和进程内队列。共用一个 RabbitMQ 队列的节点必须共用同一个 PostgreSQL 存储。密码会被保存但不会显示；如需更改，请输入带密码的完整地址。后端设置在引擎下次启动时生效：请重新启动控制台。命令行选项（--store、--queue、--node-id）优先。</translation>
    </message>
    <message>
        <source>&amp;Advanced: several nodes (PostgreSQL, RabbitMQ)</source>
        <translation>高级：多节点（PostgreSQL、RabbitMQ）(&amp;A)</translation>
    </message>
    <message>
        <source>HTTPS needs both a certificate file and its key file, or neither.</source>
        <translation>HTTPS 需要同时提供证书文件和私钥文件，或者都不提供。</translation>
    </message>
    <message>
        <source>Cannot read %1.</source>
        <translation>无法读取 %1。</translation>
    </message>
    <message>
        <source>TLS certificate (PEM):</source>
        <translation>TLS 证书（PEM）：</translation>
    </message>
    <message>
        <source>TLS private key (PEM):</source>
        <translation>TLS 私钥（PEM）：</translation>
    </message>
    <message>
        <source>Serve HTTPS and WSS on the listen address. Leave empty for plain HTTP.</source>
        <translation>在监听地址上提供 HTTPS 和 WSS。留空则使用普通 HTTP。</translation>
    </message>
    <message>
        <source>Shop secret copied (key id, a space, the secret).</source>
        <translation>商城密钥已复制（密钥 ID、空格、密钥）。</translation>
    </message>
    <message>
        <source>New shop secret</source>
        <translation>新的商城密钥</translation>
    </message>
    <message>
        <source>The shop's backend must sign new passes with the new secret. Passes signed with the current one keep working for 24 hours. Make a new secret?</source>
        <translation>商城后端须用新密钥签发新凭证。用当前密钥签发的凭证在 24 小时内仍然有效。要生成新密钥吗？</translation>
    </message>
    <message>
        <source>The secret was not changed: %1</source>
        <translation>密钥未更改：%1</translation>
    </message>
    <message>
        <source>A new shop secret is in use; the previous one works for 24 more hours.</source>
        <translation>新的商城密钥已启用；旧密钥在 24 小时内仍然有效。</translation>
    </message>
    <message>
        <source>Rate limit (purchases/s per address):</source>
        <translation>限速（每个地址每秒购买次数）：</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Purchases one client address may send a second, with bursts of twice as many; more get 429. No person clicks that fast; a script does.</source>
        <translation>单个客户端地址每秒可提交的购买次数，允许两倍的突发；超出的返回 429。真人点不了这么快，脚本才会。</translation>
    </message>
    <message>
        <source>Shop secret (signed shopper passes)</source>
        <translation>商城密钥（顾客签名凭证）</translation>
    </message>
    <message>
        <source>Rotate…</source>
        <translation>轮换…</translation>
    </message>
    <message>
        <source>The secret stays on the node this console is connected to.</source>
        <translation>密钥保存在本控制台所连接的节点上。</translation>
    </message>
    <message>
        <source>Events whose shoppers are "signed in at the shop" accept only passes (HS256 JWTs) signed with this secret, its key id as `kid`. Give it only to the shop's backend.</source>
        <translation>顾客身份为“已在商城登录”的活动只接受用此密钥签名的凭证，凭证头部须写明密钥 ID。只交给商城后端。</translation>
    </message>
    <message>
        <source>The address, data directory, TLS files and rate limit apply at the next start. Command-line options (--listen, --data-dir, --tls-cert, --rate-limit) take precedence.</source>
        <translation>地址、数据目录、TLS 文件和限速在下次启动时生效。命令行选项（--listen、--data-dir、--tls-cert、--rate-limit）优先。</translation>
    </message>
</context>
<context>
    <name>flashsale::SimulateDialog</name>
    <message>
        <source>%1 still queued when the wait ended</source>
        <translation>等待结束时仍有 %1 个在排队</translation>
    </message>
    <message>
        <source>%1 answers were “too busy” and retried</source>
        <translation>%1 次收到“繁忙”并已重试</translation>
    </message>
    <message>
        <source>%1 failed; last error: %2</source>
        <translation>%1 个失败；最近的错误：%2</translation>
    </message>
    <message>
        <source>Simulate a sale</source>
        <translation>模拟秒杀</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>活动：</translation>
    </message>
    <message>
        <source>Shoppers:</source>
        <translation>顾客数：</translation>
    </message>
    <message>
        <source>At once (in flight):</source>
        <translation>同时进行（并发）：</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Create an event first.</source>
        <translation>请先创建一个活动。</translation>
    </message>
    <message>
        <source>Decided %1 of %2 · won %3 · leads (lost shoppers) %4, with contact %5 · %6 shoppers/s</source>
        <extracomment>Leads are the shoppers who lost, as on the dashboard; "with contact" is the part that left one</extracomment>
        <translation>已判定 %1 / %2 · 抢中 %3 · 线索（未抢中的顾客）%4，其中留有联系方式 %5 · %6 人/秒</translation>
    </message>
    <message>
        <source>On the rehearsal copy %1; the event itself is not touched.</source>
        <translation>在演练副本 %1 上进行；活动本身不受影响。</translation>
    </message>
    <message>
        <source>Rehearses a launch: synthetic shoppers go through the real shoppers' API to a rehearsal copy of the event (same settings, its own id, opened for the rehearsal and ended after it). The event itself, its stock, orders and leads are not touched; shoppers never see the copy, and exports and totals leave it out. Pick the copy on the dashboard to watch it.</source>
        <translation>演练一次发布：模拟顾客通过真实的顾客 API 访问该活动的演练副本（设置相同、编号独立，演练时开启、结束后关闭）。活动本身及其库存、订单和线索都不受影响；顾客看不到副本，导出和合计也不包含它。在看板上选择该副本即可观察。</translation>
    </message>
    <message>
        <source>Pace:</source>
        <translation>速度：</translation>
    </message>
    <message>
        <source> shoppers/s</source>
        <translation> 人/秒</translation>
    </message>
    <message>
        <source>As fast as possible</source>
        <translation>尽可能快</translation>
    </message>
</context>
<context>
    <name>flashsale::WebhooksPage</name>
    <message>
        <source>Secret copied. Store it in the shop's backend: it is not shown again.</source>
        <translation>密钥已复制。请保存到商城后端：它不会再次显示。</translation>
    </message>
    <message>
        <source>Cannot read the webhook endpoint: %1</source>
        <translation>无法读取回调地址：%1</translation>
    </message>
    <message>
        <source>Cannot read the deliveries: %1</source>
        <translation>无法读取投递记录：%1</translation>
    </message>
    <message>
        <source>The endpoint was not saved: %1</source>
        <translation>回调地址未保存：%1</translation>
    </message>
    <message>
        <source>Saved. A new signing secret was made: copy it to the shop's backend now, it is shown only this once.</source>
        <translation>已保存，并生成了新的签名密钥：请立即复制到商城后端，它只显示这一次。</translation>
    </message>
    <message>
        <source>The endpoint was not removed: %1</source>
        <translation>回调地址未移除：%1</translation>
    </message>
    <message>
        <source>Removed: no webhooks are sent until an endpoint is set again.</source>
        <translation>已移除：重新设置地址之前不会发送任何回调。</translation>
    </message>
    <message>
        <source>Retry failed: %1</source>
        <translation>重试失败：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n webhook(s) will be sent again now.</source>
        <translation><numerusform>%n 条回调将立即重新发送。</numerusform></translation>
    </message>
    <message>
        <source>No endpoint is set: nothing is sent. Wins, payments, cancellations, expiries and events opening, selling out and ending are sent once one is.</source>
        <translation>尚未设置回调地址：不发送任何内容。设置后，抢中、付款、取消、过期以及活动开售、售罄和结束都会通知商城。</translation>
    </message>
    <message>
        <source>Set %1. Each webhook is a signed POST (header Flashsale-Signature); failed ones are retried for three days, from 1 s apart doubling to an hour.</source>
        <translation>设置于 %1。每条回调都是带签名的 POST 请求（签名在 Flashsale-Signature 头中）；失败的回调会在三天内重试，间隔从 1 秒起逐次加倍，最长一小时。</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待发送</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>重试中</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>Gave up</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <source>Not sent (no endpoint then)</source>
        <translation>未发送（当时没有地址）</translation>
    </message>
    <message>
        <source>Shop endpoint</source>
        <translation>商城回调地址</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>地址(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Save and make a secret</source>
        <translation>保存并生成密钥(&amp;S)</translation>
    </message>
    <message>
        <source>Remo&amp;ve</source>
        <translation>移除(&amp;V)</translation>
    </message>
    <message>
        <source>Signing secret:</source>
        <translation>签名密钥：</translation>
    </message>
    <message>
        <source>shown once, when the endpoint is saved</source>
        <translation>保存地址时显示一次</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Deliveries (newest first)</source>
        <translation>投递记录（最新在前）</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Retry &amp;now</source>
        <translation>立即重试(&amp;N)</translation>
    </message>
    <message>
        <source>Send the selected webhook again now, whatever its status</source>
        <translation>立即重新发送所选回调，无论其状态如何</translation>
    </message>
    <message>
        <source>Made</source>
        <translation>生成时间</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Last answer</source>
        <translation>最近应答</translation>
    </message>
    <message>
        <source>Next attempt</source>
        <translation>下次尝试</translation>
    </message>
    <message>
        <source>Sho&amp;w:</source>
        <translation>显示(&amp;W)：</translation>
    </message>
    <message>
        <source>Retry all failin&amp;g</source>
        <translation>重试全部失败项(&amp;G)</translation>
    </message>
</context>
</TS>
