<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>DashboardPage</name>
    <message>
        <source>%1 ms</source>
        <extracomment>Latency in milliseconds</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 · last %n minute(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png);;PDF document (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The dashboard was not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save as PNG/PDF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accepted requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Units sold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversion (won ÷ accepted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Intent leads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decision latency p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decision latency p99</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebSocket clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>seconds ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wins/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Losses/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue depth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remaining stock</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EventDialog</name>
    <message>
        <source>%1 (copy)</source>
        <extracomment>Name given to a duplicated event; %1 is the original name</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use 1–64 lowercase letters, digits and hyphens, e.g. spring-sale-2025.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the event a name shoppers will see.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Keep the name under %n characters.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Enter a price such as %1 (at most two decimals).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use a three-letter currency code such as CNY.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stock is a whole number from 0 to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The limit per shopper is a whole number from 1 to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The end must be after the start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The end is in the past.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Id (in the shop&apos;s URL)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>spring-sale-2025</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Currency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stock (units)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Limit per shopper</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open by itself at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End by itself at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sale has started: price, currency, stock and start can no longer change. Use Restock to add units.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EventsModel</name>
    <message>
        <source>When opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EventsPage</name>
    <message>
        <source>The change was not made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Launch “%1”? It opens to shoppers by itself at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open “%1” now? Shoppers can buy at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause the sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause “%1”? Requests lose with “not open” until you open it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End the sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End “%1” for good? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Units to add to “%1”:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add %1 units to “%2”?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;uplicate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;nd</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Restock…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled events open by themselves at their start time. Double-click an event to edit it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportBar</name>
    <message>
        <source>%1 of %2 rows</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Exported %n row(s) to %1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sold out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limit reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The event no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A value is not valid.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An event with this id already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The event&apos;s state does not allow this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The event is not open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine is overloaded; try again in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database is not answering; the change will be saved when it is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
(%2)</source>
        <extracomment>%1 is the translated problem, %2 the engine&apos;s detail (English)</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LeadsModel</name>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First try</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last try</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LeadsPage</name>
    <message numerus="yes">
        <source>%n lead(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot read the leads: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export intent leads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Has contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include simulated shoppers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Copied %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Flash Sale Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Flash Sale Console&lt;/b&gt; %1&lt;br&gt;Run flash sales without overselling or losing an order.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ Database failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flash Sale Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Intent leads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shoppers&apos; API: &lt;a href=&quot;%1&quot;&gt;%1&lt;/a&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click to copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine could not start:
%1

Check the address and data directory in Settings, then restart the console.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save dashboard as PNG/PDF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Simulate a sale…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OrdersModel</name>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decided at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OrdersPage</name>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot read the orders: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search by user…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include simulated shoppers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Data directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admin token copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address must look like 127.0.0.1:8080 or [::1]:8080.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a data directory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved. The new address and data directory apply at the next start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New admin token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scripts and dashboards that use the current token will be refused until they get the new one. Make a new token?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token was not changed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new admin token is in use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data directory:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address and data directory apply at the next start. Command-line options (--listen, --data-dir) take precedence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regenerate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Console language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RabbitMQ URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine stores everything in the embedded SQLite database for now. PostgreSQL and RabbitMQ arrive in a later release.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SimulateDialog</name>
    <message>
        <source>Create and open an event first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accepted %1 · won %2 · lost %3 · leads %4 · %5 shoppers/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 still queued when the wait ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 answers were “too busy” and retried</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed; last error: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulate a sale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sends synthetic shoppers through the real shoppers&apos; API, so you can rehearse a launch and watch the dashboard. They are marked as simulated and can be left out of exports.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shoppers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At once (in flight):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
