// The shopper page in a real browser: headless Chromium opens /shop/{id} against the built
// flashsale binary, waits out the countdown, buys, and sees the result; screenshots are saved.
// Usage: node shop.test.mjs FLASHSALE_BINARY [SCREENSHOT_DIR]
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';

const binary = process.argv[2];
const screenshotDir = resolve(process.argv[3] || join(import.meta.dirname ?? '.', 'screenshots'));
const token = 'browser-test-token';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!binary) {
  console.error('usage: node shop.test.mjs FLASHSALE_BINARY [SCREENSHOT_DIR]');
  process.exit(2);
}
mkdirSync(screenshotDir, { recursive: true });

const watchdog = setTimeout(() => fail(new Error('timed out after 150 s')), 150_000);
const dataDir = mkdtempSync(join(tmpdir(), 'flashsale-browser-'));
// The shop's pass-signing secret, given to the node as a file (`KID SECRET`).
const shopSecret = 'browser-test-shop-secret-2f9c41d7';
const secretFile = join(dataDir, 'shop-secret.given');
writeFileSync(secretFile, `k1 ${shopSecret}\n`);

// A pass as a shop's backend signs it, with Node's crypto (README, Fair sales).
function signPass(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' }) + '.' + b64(claims);
  return input + '.' + createHmac('sha256', shopSecret).update(input).digest('base64url');
}
let server = null;
let browser = null;

async function freePort() {
  return new Promise((done, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function cleanup() {
  clearTimeout(watchdog);
  if (browser)
    await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((done) => { server.once('exit', done); setTimeout(done, 5000); });
  }
  rmSync(dataDir, { recursive: true, force: true });
}

async function fail(error) {
  console.error('FAIL:', error && error.stack || error);
  await cleanup();
  process.exit(1);
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;

async function admin(method, path, body) {
  const response = await fetch(base + '/api/v1/admin' + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function createEvent(id, name, stock, startsInMs) {
  await admin('POST', '/events', {
    id, name, priceCents: 19900, currency: 'CNY', stock, perUserLimit: 1,
    startsAt: startsInMs ? new Date(Date.now() + startsInMs).toISOString() : null,
  });
  return admin('POST', `/events/${id}/open`);
}

async function startServer() {
  server = spawn(binary, ['--headless', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`,
    '--admin-token', token, '--http-threads', '2', '--shop-secret-file', secretFile],
  { stdio: ['ignore', 'inherit', 'inherit'] });
  server.once('exit', (code) => { if (!browser) fail(new Error(`flashsale exited early (${code})`)); });
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(base + '/healthz')).ok)
        return;
    } catch (e) { /* not yet */ }
    assert.ok(Date.now() - started < 20_000, 'flashsale did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopServer() {
  const stopping = new Promise((done) => server.once('exit', done));
  server.kill('SIGTERM');
  await stopping;
}

try {
  await startServer();

  await createEvent('fallback', 'Desk Lamp', 5, 0);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // launch() already gives each run a fresh, throw-away profile (its own --user-data-dir).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });

  // Only the engine's own origin may be contacted: the page is self-contained.
  const checkOrigin = (page) => page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith(base.replace('http', 'ws')) && !url.startsWith('data:') && url !== 'about:blank')
      fail(new Error(`the page fetched an external URL: ${url}`));
  });

  // 1. English shopper with the id in the URL: countdown, then buy over WebSocket, and win.
  const scheduled = await createEvent('earbuds', 'Wireless Earbuds', 1, 6000);
  assert.equal(scheduled.state, 'scheduled');
  const en = await browser.newContext({ locale: 'en-US', viewport: { width: 480, height: 640 } });
  const alice = await en.newPage();
  checkOrigin(alice);
  alice.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
  await alice.goto(`${base}/shop/earbuds?user=alice&contact=alice%40example.com`);
  await alice.waitForFunction(() => document.body.dataset.transport === 'ws');
  assert.equal(await alice.textContent('#name'), 'Wireless Earbuds');
  assert.match(await alice.textContent('#price'), /199/);
  assert.equal(await alice.isVisible('#buyer'), false, 'no form when the shop passes the user');
  await alice.waitForSelector('#countdown:not([hidden])');
  assert.match(await alice.textContent('#countdown'), /^Starts in 00:00:0\d$/);
  assert.equal(await alice.isDisabled('#buy'), true, 'cannot buy before startsAt');
  await alice.screenshot({ path: join(screenshotDir, 'shop-countdown.png') });
  assert.equal(await alice.textContent('#remaining'), '–', 'stock is not shown before the sale opens');
  await alice.waitForSelector('#buy:not([disabled])', { timeout: 15_000 });
  await alice.waitForFunction(() => document.getElementById('remaining').textContent === '1');
  await alice.click('#buy');
  await alice.waitForFunction(() => ['won', 'lost'].includes(document.body.dataset.phase), null, { timeout: 15_000 });
  assert.equal(await alice.evaluate(() => document.body.dataset.phase), 'won');
  assert.match(await alice.textContent('#result'), /You got it! Order #\d+/);
  await alice.waitForFunction(() => document.getElementById('remaining').textContent === '0');
  await alice.screenshot({ path: join(screenshotDir, 'shop-won.png') });

  // 2. Chinese browser, no user in the URL: the page asks for one, and the sale is sold out.
  const zh = await browser.newContext({ locale: 'zh-CN', viewport: { width: 480, height: 640 } });
  const bob = await zh.newPage();
  checkOrigin(bob);
  await bob.goto(`${base}/shop/earbuds`);
  await bob.waitForSelector('#buyer:not([hidden])');
  assert.equal(await bob.evaluate(() => document.documentElement.lang), 'zh-CN');
  await bob.waitForFunction(() => document.body.dataset.transport === 'ws');
  assert.equal(await bob.textContent('#remaining'), '0');
  await bob.fill('#user', 'bob');
  await bob.fill('#contact', '13800000000');
  // Sold out disables the button: a shopper who loads the page after the sale sees that at
  // once, and even a click forced onto the disabled button sends nothing.
  await bob.waitForSelector('#buy[disabled]', { timeout: 5_000 });
  assert.equal(await bob.textContent('#buy'), '已售罄');
  await bob.click('#buy', { force: true });
  assert.equal(await bob.evaluate(() => document.body.dataset.phase), 'idle', 'the disabled button sent a purchase');
  await bob.screenshot({ path: join(screenshotDir, 'shop-sold-out-zh.png') });

  // 3. A shopper who races the last unit and loses: the page says so, in Chinese, over WebSocket.
  await createEvent('race', 'Limited Sneakers', 1, 3000);
  const carol = await zh.newPage();
  checkOrigin(carol);
  await carol.goto(`${base}/shop/race?user=carol`);
  await carol.waitForSelector('#buy:not([disabled])', { timeout: 15_000 });
  // Someone else takes the unit over HTTP first; carol's click still goes out before the page
  // updates. Enabling and clicking happen in one task: the page's 250 ms render (which disables
  // the button once the sold-out update arrives) cannot run in between.
  const taken = await fetch(`${base}/api/v1/events/race/purchases?wait=5000`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ requestId: 'r-dave', userId: 'dave', quantity: 1 }),
  });
  assert.equal((await taken.json()).state, 'won');
  await carol.evaluate(() => {
    const buy = document.getElementById('buy');
    buy.disabled = false;
    buy.click();
  });
  await carol.waitForFunction(() => ['won', 'lost'].includes(document.body.dataset.phase), null, { timeout: 15_000 });
  assert.equal(await carol.evaluate(() => document.body.dataset.phase), 'lost');
  assert.match(await carol.textContent('#result'), /已售罄/);
  await carol.waitForFunction(() => document.getElementById('remaining').textContent === '0');
  await carol.screenshot({ path: join(screenshotDir, 'shop-lost-zh.png') });
  const intents = await admin('GET', '/events/race/intents');
  assert.equal(intents.total, 1);
  assert.equal(intents.items[0].userId, 'carol');

  // 4. No WebSocket in this browser: HTTP polling buys, with the user typed in.
  const erin = await en.newPage();
  checkOrigin(erin);
  await erin.addInitScript(() => { delete window.WebSocket; });
  await erin.goto(`${base}/shop/fallback`);
  await erin.waitForFunction(() => document.body.dataset.transport === 'http');
  await erin.waitForSelector('#buy:not([disabled])');
  await erin.fill('#user', 'erin');
  await erin.click('#buy');
  await erin.waitForFunction(() => document.body.dataset.phase === 'won', null, { timeout: 15_000 });
  await erin.waitForFunction(() => document.getElementById('remaining').textContent === '4', null, { timeout: 10_000 });
  await erin.screenshot({ path: join(screenshotDir, 'shop-won-http.png') });

  // 5. Embedded in a shop's page: the iframe works and tells its parent the outcome.
  const shop = await en.newPage();
  await shop.goto(`${base}/healthz`); // any page of another document; the iframe is what matters
  const outcome = shop.evaluate((src) => new Promise((done) => {
    window.addEventListener('message', (e) => { if (e.data && e.data.type === 'flashsale:result') done(e.data); });
    document.body.innerHTML = `<iframe id="w" src="${src}" width="440" height="520" style="border:0"></iframe>`;
  }), `${base}/shop/fallback?user=frank`);
  const frame = await (await shop.waitForSelector('#w')).contentFrame();
  await frame.waitForSelector('#buy:not([disabled])', { timeout: 10_000 });
  await frame.click('#buy');
  const message = await outcome;
  assert.equal(message.state, 'won');
  assert.equal(message.eventId, 'fallback');
  await shop.screenshot({ path: join(screenshotDir, 'shop-embedded.png') });

  // 6. The server restarts under an open page: it reconnects (with backoff) and is live again.
  const grace = await en.newPage();
  await grace.goto(`${base}/shop/fallback?user=grace`);
  await grace.waitForFunction(() => document.body.dataset.transport === 'ws');
  await stopServer();
  await grace.waitForFunction(() => document.body.dataset.transport !== 'ws', null, { timeout: 10_000 });
  await startServer();
  await grace.waitForFunction(() => document.body.dataset.transport === 'ws', null, { timeout: 20_000 });
  await admin('POST', '/events/fallback/restock', { units: 10 });
  await grace.waitForFunction(() => document.getElementById('remaining').textContent === '13', null, { timeout: 10_000 });
  await grace.click('#buy');
  await grace.waitForFunction(() => document.body.dataset.phase === 'won', null, { timeout: 15_000 });

  // 7. A signed event with a fair start: the shop links the page with a pass; the page says the
  // first seconds are fair, buys without asking who the shopper is, and the order is the pass's user.
  await admin('POST', '/events', { id: 'members', name: 'Members Sale', priceCents: 9900, currency: 'CNY', stock: 1,
    perUserLimit: 1, shopperIdentity: 'signed', fairStartMs: 6000, launch: true });
  const pass = signPass({ sub: 'member-henry', aud: 'members', exp: Math.floor(Date.now() / 1000) + 600,
    contact: 'henry@example.com' });
  const henry = await en.newPage();
  checkOrigin(henry);
  await henry.goto(`${base}/shop/members?pass=${pass}`);
  await henry.waitForSelector('#fair:not([hidden])');
  assert.match(await henry.textContent('#fair'), /Fair start: every order in the first 6 s has the same chance/);
  assert.equal(await henry.isVisible('#buyer'), false, 'the pass names the shopper');
  await henry.screenshot({ path: join(screenshotDir, 'shop-fair-start.png') });
  await henry.click('#buy');
  assert.match(await henry.textContent('#status'), /decided together when it ends/);
  await henry.waitForFunction(() => document.body.dataset.phase === 'won', null, { timeout: 20_000 });
  const members = await admin('GET', '/events/members/orders');
  assert.equal(members.items.length, 1);
  assert.equal(members.items[0].userId, 'member-henry');
  assert.equal(members.items[0].contact, 'henry@example.com');

  // 8. Orders and payment: with a payment window the winner's page counts down the time to pay;
  // when the winner's order is cancelled, the unit is offered to the lead who lost for sold out,
  // whose page (over WebSocket) shows the offer with a live countdown to its deadline.
  await admin('POST', '/events', { id: 'offers', name: 'Last Console', priceCents: 29900, currency: 'CNY', stock: 1,
    perUserLimit: 1, paymentWindowSeconds: 90, releasePolicy: 'offer', launch: true });
  const secondsIn = (text) => {
    const m = /within (\d\d):(\d\d)/.exec(text);
    assert.ok(m, `no mm:ss countdown in "${text}"`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const kate = await en.newPage();
  checkOrigin(kate);
  await kate.goto(`${base}/shop/offers?user=kate`);
  await kate.waitForSelector('#buy:not([disabled])', { timeout: 10_000 });
  await kate.click('#buy');
  await kate.waitForFunction(() => document.body.dataset.phase === 'won', null, { timeout: 15_000 });
  await kate.waitForFunction(() => document.body.dataset.payment === 'pending');
  const kateText = await kate.textContent('#result');
  assert.match(kateText, /^You won — pay within 01:(29|30)\. Order #\d+\.$/);
  const judy = await en.newPage();
  checkOrigin(judy);
  await judy.goto(`${base}/shop/offers?user=judy`);
  await judy.waitForFunction(() => document.body.dataset.transport === 'ws');
  await judy.evaluate(() => { // the unit is gone: judy's click races it and loses, as in step 3
    const buy = document.getElementById('buy');
    buy.disabled = false;
    buy.click();
  });
  await judy.waitForFunction(() => document.body.dataset.phase === 'lost', null, { timeout: 15_000 });
  assert.match(await judy.textContent('#result'), /Sold out/);
  const kateOrder = (await admin('GET', '/events/offers/orders?user=kate')).items[0];
  assert.equal(kateOrder.status, 'pending_payment');
  await admin('POST', `/events/offers/orders/${kateOrder.orderId}/cancel`);
  await judy.waitForFunction(() => document.body.dataset.payment === 'pending', null, { timeout: 10_000 });
  const offered = await judy.textContent('#result');
  assert.match(offered, /^A unit freed up for you — complete your purchase within \d\d:\d\d\. Order #\d+\.$/);
  assert.ok(secondsIn(offered) <= 90 && secondsIn(offered) >= 85, offered); // the 90 s window, just begun
  const offerOrder = (await admin('GET', '/events/offers/orders?user=judy')).items[0];
  assert.equal(offerOrder.source, 'offer');
  assert.ok(offered.endsWith(`Order #${offerOrder.orderId}.`), offered);
  await judy.screenshot({ path: join(screenshotDir, 'shop-offer.png') });
  await new Promise((r) => setTimeout(r, 2200));
  const later = await judy.textContent('#result');
  assert.ok(secondsIn(later) < secondsIn(offered), `the countdown did not go down: "${offered}" then "${later}"`);
  assert.ok(secondsIn(kateText) > secondsIn(await kate.textContent('#result')), 'the pay-by countdown did not go down');

  // 9. A page on another origin cannot make its visitor's browser buy: the node refuses the
  // purchase (403) and the browser gets no answer to read.
  const evil = createHttpServer((req, res) => { res.setHeader('Content-Type', 'text/html'); res.end('<p>free stuff</p>'); });
  await new Promise((done) => evil.listen(0, '127.0.0.1', done));
  const evilPage = await en.newPage();
  await evilPage.goto(`http://127.0.0.1:${evil.address().port}/`);
  const attempt = await evilPage.evaluate(async (url) => {
    try {
      await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ requestId: 'csrf-1', userId: 'victim', quantity: 1 }) });
      return 'read an answer';
    } catch (e) {
      return 'blocked';
    }
  }, `${base}/api/v1/events/fallback/purchases`);
  assert.equal(attempt, 'blocked');
  evil.close();
  const victims = await admin('GET', '/events/fallback/orders?user=victim');
  assert.equal(victims.total, 0, 'nothing was bought for the visitor');

  console.log(`PASS: shopper page (screenshots in ${screenshotDir})`);
  await cleanup();
  process.exit(0);
} catch (error) {
  await fail(error);
}
