// Many watchers: WATCHERS sockets watch one event; once all have their first snapshot, a
// restock is made through the admin API and the time until every socket has seen the new
// stock is measured. Prints one JSON line. The caller reads the engine's memory meanwhile.
import WebSocket from 'ws';

const [url, eventId, adminBase, token] = process.argv.slice(2);
const watchers = Number(process.env.WATCHERS ?? 20000);
const openBatch = 500; // connections opened at a time, so the accept queue is not flooded

const sockets = [];
let ready = 0;
let seenNew = 0;
let targetStock = null;
let restockAt = 0;
let lastSeenAt = 0;

function open(i) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let sawFirst = false;
    let sawNew = false;
    socket.on('open', () => socket.send(JSON.stringify({ op: 'watch', eventId })));
    socket.on('message', (data) => {
      const message = JSON.parse(data);
      if (message.op !== 'event') return;
      if (!sawFirst) { sawFirst = true; ready++; resolve(); }
      if (targetStock !== null && !sawNew && message.stock >= targetStock) {
        sawNew = true;
        seenNew++;
        lastSeenAt = performance.now();
      }
    });
    socket.on('error', () => resolve());
    sockets.push(socket);
  });
}

const guard = setTimeout(() => {
  console.log(JSON.stringify({ bench: 'ws-watchers', watchers, ready, seenNew, error: 'timed out' }));
  process.exit(2);
}, 120000);
for (let i = 0; i < watchers; i += openBatch) {
  await Promise.all(Array.from({ length: Math.min(openBatch, watchers - i) }, (_, k) => open(i + k)));
}
await new Promise((r) => setTimeout(r, 1000));
if (process.send) process.send('ready');
console.error(`watchers ready: ${ready}`);
await new Promise((r) => setTimeout(r, Number(process.env.HOLD_MS ?? 2000)));

const before = await (await fetch(`${adminBase}/api/v1/events/${eventId}`)).json();
targetStock = before.stock + 1;
restockAt = performance.now();
const response = await fetch(`${adminBase}/api/v1/admin/events/${eventId}/restock`, {
  method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ units: 1 }),
});
if (!response.ok) { console.error('restock failed', response.status); process.exit(2); }
while (seenNew < ready && performance.now() - restockAt < 30000) await new Promise((r) => setTimeout(r, 5));
clearTimeout(guard);
console.log(JSON.stringify({
  bench: 'ws-watchers', watchers, ready, reached: seenNew,
  fanOutMs: +(lastSeenAt - restockAt).toFixed(1),
}));
for (const s of sockets) s.terminate();
process.exit(0);
