// Turns the benchmark JSON lines into the README's table and bench/results.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const [input, output] = process.argv.slice(2);
const rows = readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const by = Object.fromEntries(rows.map((r) => [r.bench, r]));
const fmt = (n) => (n === undefined ? 'n/a' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 2 }));
const table = [
  ['Decider', `${fmt(by.decider?.decisionsPerSecond)} decisions/s`, '≥ 10,000,000'],
  ['Group commit', `${fmt(by.commit?.journalRowsPerSecond)} journal rows/s, ${by.commit?.ratioToReference?.toFixed(2)}× the plain-insert reference (${fmt(by.commit?.referenceRowsPerSecond)} rows/s); projector caught up ${fmt(by.commit?.projectorCaughtUpMs)} ms after the last commit`, '≥ 300,000 rows/s, ≥ 0.7×'],
  ['HTTP purchase, ?wait', `${fmt(by['http-purchase']?.requestsPerSecond)} req/s, p50 ${fmt(by['http-purchase']?.p50Ms)} ms, p99 ${fmt(by['http-purchase']?.p99Ms)} ms; nginx ${fmt(by['http-purchase']?.nginxRequestsPerSecond)} req/s, ratio ${fmt(by['http-purchase']?.ratioToNginx)}`, '≥ 0.5 × nginx, p99 ≤ 10 ms'],
  ['WebSocket purchase', `${fmt(by['ws-purchase']?.resultsPerSecond)} results/s, p99 ${fmt(by['ws-purchase']?.p99Ms)} ms`, '≥ 80,000 results/s'],
  ['Watchers', `${fmt(by['ws-watchers']?.ready)} held, engine RSS ${fmt(by['ws-watchers']?.engineRssMiB)} MiB, restock reached all in ${fmt(by['ws-watchers']?.fanOutMs)} ms`, '20,000 in ≤ 1 GiB, ≤ 1 s'],
  ['Console stall', `longest event-loop stall ${fmt(by['ui-stall']?.longestStallMs)} ms at ${fmt(by['ui-stall']?.requestsServed)} requests served (first frame ${fmt(by['ui-stall']?.firstFrameMs)} ms)`, '≤ 50 ms'],
];
for (const r of rows.filter((row) => row.bench === 'scale-out'))
  table.push([`Scale-out: ${r.setup}`, `${fmt(r.requestsPerSecond)} req/s, p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, ${fmt(r.ratioToEmbedded)} × embedded`, 'measured, no target']);
console.log('\n| benchmark | measured | target |\n| --- | --- | --- |');
for (const [name, measured, target] of table) console.log(`| ${name} | ${measured} | ${target} |`);
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1) };
console.log(`\nmachine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB`);
writeFileSync(output, JSON.stringify({ when: new Date().toISOString(), machine, results: rows }, null, 2) + '\n');
