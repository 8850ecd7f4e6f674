// Checks a flashsale webhook's Flashsale-Signature header (Node.js, no packages).
// Usage as a script: FLASHSALE_WEBHOOK_SECRET=whsec_... node verify.mjs 'HEADER' < body
// exits 0 for a valid signature, 1 otherwise.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verify(secret, header, body, toleranceS = 300) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS) return false; // a replay
  const expected = createHmac('sha256', secret).update(`${parts.t}.`).update(body).digest('hex');
  const given = Buffer.from(parts.v1 ?? '', 'utf8');
  return given.length === expected.length && timingSafeEqual(Buffer.from(expected, 'utf8'), given);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  process.exit(verify(process.env.FLASHSALE_WEBHOOK_SECRET, process.argv[2], Buffer.concat(chunks)) ? 0 : 1);
}
