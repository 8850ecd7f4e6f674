// WebSocket purchase load: CONNECTIONS sockets each keep PIPELINE purchases outstanding for
// DURATION_MS, then wait for the last results. Prints one JSON line: results/s, p50, p99.
import WebSocket from 'ws';

const url = process.argv[2];
const eventId = process.argv[3] ?? 'bench';
const connections = Number(process.env.CONNECTIONS ?? 200);
const pipeline = Number(process.env.PIPELINE ?? 8);
const durationMs = Number(process.env.DURATION_MS ?? 10000);
const users = Number(process.env.USERS ?? 200000);

const latencies = [];
let results = 0;
let errors = 0;
let sending = true;
let sequence = 0;
const started = Date.now();

function runConnection(index) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const outstanding = new Map(); // requestId -> send time
    const sendOne = () => {
      const requestId = `ws-${index}-${sequence++}`;
      outstanding.set(requestId, process.hrtime.bigint());
      socket.send(JSON.stringify({
        op: 'purchase', eventId, requestId,
        userId: `user-${Math.floor(Math.random() * users)}`, quantity: 1,
      }));
    };
    socket.on('open', () => { for (let i = 0; i < pipeline; i++) sendOne(); });
    socket.on('message', (data) => {
      const message = JSON.parse(data);
      if (message.op === 'error') { errors++; return; }
      if (message.op !== 'result') return;
      const sentAt = outstanding.get(message.requestId);
      if (sentAt === undefined) return;
      outstanding.delete(message.requestId);
      results++;
      latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      if (sending) sendOne();
      else if (outstanding.size === 0) socket.close();
    });
    socket.on('close', resolve);
    socket.on('error', () => { errors++; resolve(); });
  });
}

setTimeout(() => { sending = false; }, durationMs);
const guard = setTimeout(() => { console.error('timed out waiting for results'); process.exit(2); }, durationMs + 30000);
await Promise.all(Array.from({ length: connections }, (_, i) => runConnection(i)));
clearTimeout(guard);
const seconds = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pick = (q) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : 0;
console.log(JSON.stringify({
  bench: 'ws-purchase', connections, pipeline, results, errors,
  resultsPerSecond: Math.round(results / seconds), p50Ms: +pick(0.5).toFixed(3), p99Ms: +pick(0.99).toFixed(3),
}));
