// The shopper widget: shows one sale live over WebSocket (HTTP polling as the fallback) and
// buys once per shopper. Served by the engine at /shop/{eventId}; no build step, no external URLs.
(function () {
  'use strict';

  const TEXT = {
    en: {
      title: 'Flash sale',
      remaining: 'Left:',
      startsIn: 'Starts in',
      buy: 'Buy now',
      notOpen: 'Not open yet',
      soldOutButton: 'Sold out',
      ended: 'This sale has ended',
      paused: 'The sale is paused',
      user: 'Your user id',
      contact: 'Phone or e-mail (optional)',
      needUser: 'Please enter your user id.',
      sending: 'Sending your order…',
      queued: (n) => n > 0 ? `You are in the queue — ${n} ahead of you.` : 'You are in the queue — you are next.',
      won: (order) => `You got it! Order #${order}.`,
      lostSoldOut: 'Sold out — we saved your interest and will contact you.',
      lostLimit: 'You have already bought as many as this sale allows.',
      lostNotOpen: 'The sale was not open when your order arrived.',
      retrying: 'Busy — trying again…',
      noEvent: 'This sale does not exist.',
      error: (m) => `Something went wrong: ${m}`,
      live: 'live',
      polling: 'updates every few seconds',
      reconnecting: 'reconnecting…',
      needPass: 'Please sign in at the shop and open this sale from there.',
      badPass: 'Your sign-in for this sale is not valid any more: go back to the shop and open the sale again.',
      fairStart: (s) => `Fair start: every order in the first ${s} s has the same chance, whenever you click in them.`,
      fairWait: 'Your order is in. Orders of the fair start are decided together when it ends — stay on this page.',
      wonPay: (order, left) => `You won — pay within ${left}. Order #${order}.`,
      payExpired: (order) => `The time to pay for order #${order} has run out.`,
      offer: (order, left) => `A unit freed up for you — complete your purchase within ${left}. Order #${order}.`,
      offerExpired: 'The unit we held for you was not bought in time and has gone to the next shopper.',
    },
    zh: {
      title: '限时抢购',
      remaining: '剩余：',
      startsIn: '距开始',
      buy: '立即抢购',
      notOpen: '尚未开始',
      soldOutButton: '已售罄',
      ended: '本次抢购已结束',
      paused: '抢购已暂停',
      user: '用户 ID',
      contact: '手机号或邮箱（选填）',
      needUser: '请输入用户 ID。',
      sending: '正在提交订单…',
      queued: (n) => n > 0 ? `排队中，前面还有 ${n} 人。` : '排队中，马上轮到您。',
      won: (order) => `抢购成功！订单号 ${order}。`,
      lostSoldOut: '已售罄——我们已记录您的购买意向，稍后会联系您。',
      lostLimit: '您已达到本次抢购的限购数量。',
      lostNotOpen: '您的订单到达时抢购尚未开始。',
      retrying: '人数较多，正在重试…',
      noEvent: '该抢购活动不存在。',
      error: (m) => `出错了：${m}`,
      live: '实时',
      polling: '每隔几秒更新',
      reconnecting: '正在重新连接…',
      needPass: '请先在商城登录，再从商城打开本次抢购。',
      badPass: '您的登录凭证已失效：请回到商城重新打开本次抢购。',
      fairStart: (s) => `公平开抢：开始后 ${s} 秒内提交的订单机会均等，与点击先后无关。`,
      fairWait: '订单已提交。公平开抢期间的订单将在结束时统一处理，请勿离开本页。',
      wonPay: (order, left) => `抢购成功！请在 ${left} 内完成支付。订单号 ${order}。`,
      payExpired: (order) => `订单 ${order} 的支付时间已过。`,
      offer: (order, left) => `有一件商品为您空出来了——请在 ${left} 内完成购买。订单号 ${order}。`,
      offerExpired: '为您保留的商品未在时限内购买，已转给下一位顾客。',
    },
  };

  const params = new URLSearchParams(location.search);
  const langs = params.get('lang') ? [params.get('lang')] : (navigator.languages || [navigator.language || 'en']);
  const lang = langs.some((l) => /^zh/i.test(l)) ? 'zh' : 'en';
  const t = TEXT[lang];
  const locale = lang === 'zh' ? 'zh-CN' : (navigator.language || 'en');
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

  const eventId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const base = location.pathname.replace(/\/shop\/[^/]*$/, '');
  const wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base + '/api/v1/ws';
  const api = (path) => base + '/api/v1' + path;
  const forceHttp = params.get('transport') === 'http' || typeof WebSocket === 'undefined';

  const $ = (id) => document.getElementById(id);
  const el = {
    name: $('name'), price: $('price'), countdown: $('countdown'), fair: $('fair'), remaining: $('remaining'),
    buyer: $('buyer'), user: $('user'), contact: $('contact'), buy: $('buy'),
    status: $('status'), result: $('result'), connection: $('connection'),
  };
  $('remaining-label').textContent = t.remaining;
  $('user-label').textContent = t.user;
  $('contact-label').textContent = t.contact;
  el.buy.textContent = t.buy;
  document.title = t.title;

  const givenUser = params.get('user') || '';
  const givenPass = params.get('pass') || ''; // the shop's signed pass: it names the user
  const givenContact = params.get('contact') || '';
  if (!givenUser && !givenPass)
    el.buyer.hidden = false;

  // What we know. serverOffsetMs: server clock minus ours, from the last serverTime seen.
  let event = null;
  let serverOffsetMs = 0;
  let phase = 'loading'; // loading | idle | sending | queued | won | lost
  let order = loadOrder(); // {requestId, userId, contact, ticket} of this tab's purchase, if any
  let ws = null;
  let wsOpen = false;
  let wsFailures = 0;
  let everOpened = false;
  let pollTimer = null;
  let ticketPollBusy = false;
  // An order awaiting payment on this page: {kind: 'won' | 'offer', orderId, payByMs (server clock)}.
  let payment = null;
  let lostReason = '';

  function storageKey() { return 'flashsale:' + eventId; }
  function loadOrder() {
    try { return JSON.parse(sessionStorage.getItem(storageKey())) || null; } catch (e) { return null; }
  }
  function saveOrder() {
    try { sessionStorage.setItem(storageKey(), JSON.stringify(order)); } catch (e) { /* private mode */ }
  }
  function randomId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function setPhase(next) {
    phase = next;
    document.body.dataset.phase = next;
    render();
  }
  function setTransport(name) {
    document.body.dataset.transport = name;
    el.connection.textContent = name === 'ws' ? '● ' + t.live : name === 'http' ? '○ ' + t.polling : t.reconnecting;
  }

  function showEvent(snapshot) {
    event = snapshot;
    if (snapshot.shopperIdentity === 'signed')
      el.buyer.hidden = true; // the shop's pass names the buyer and their contact
    if (snapshot.serverTime)
      serverOffsetMs = Date.parse(snapshot.serverTime) - Date.now();
    el.name.textContent = snapshot.name;
    try {
      el.price.textContent = new Intl.NumberFormat(locale, { style: 'currency', currency: snapshot.currency })
        .format(snapshot.priceCents / 100);
    } catch (e) {
      el.price.textContent = (snapshot.priceCents / 100).toFixed(2) + ' ' + snapshot.currency;
    }
    // Before a scheduled event opens the server leaves stock out; it sends it at startsAt.
    el.remaining.textContent = snapshot.remaining === undefined ? '–' : String(snapshot.remaining);
    if (phase === 'loading')
      setPhase('idle');
    render();
  }

  function opensInMs() {
    if (!event || !event.startsAt)
      return 0;
    return Date.parse(event.startsAt) - (Date.now() + serverOffsetMs);
  }
  function isOpen() {
    if (!event)
      return false;
    return event.state === 'open' || (event.state === 'scheduled' && opensInMs() <= 0);
  }

  // Time left in the event's fair-start window (0 outside it).
  function fairLeftMs() {
    if (!event || !(event.fairStartMs > 0) || event.state !== 'open' || !event.startsAt)
      return 0;
    return Math.max(0, Date.parse(event.startsAt) + event.fairStartMs - (Date.now() + serverOffsetMs));
  }

  function render() {
    if (!event)
      return;
    const wait = opensInMs();
    const countingDown = (event.state === 'scheduled' || event.state === 'draft') && wait > 0;
    el.countdown.hidden = !countingDown;
    if (countingDown) {
      const s = Math.ceil(wait / 1000);
      const hh = String(Math.floor(s / 3600)).padStart(2, '0');
      const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
      const ss = String(s % 60).padStart(2, '0');
      el.countdown.textContent = `${t.startsIn} ${hh}:${mm}:${ss}`;
    }
    // During the fair-start window the order of clicks does not matter: say so.
    el.fair.hidden = !(countingDown && event.fairStartMs > 0) && fairLeftMs() <= 0;
    if (!el.fair.hidden)
      el.fair.textContent = t.fairStart(Math.round(event.fairStartMs / 1000));
    const busy = phase === 'sending' || phase === 'queued' || phase === 'won' || phase === 'lost';
    if (event.state === 'sold_out' && !busy)
      el.buy.textContent = t.soldOutButton;
    else if (!isOpen() && !busy)
      el.buy.textContent = t.notOpen;
    else
      el.buy.textContent = t.buy;
    el.buy.disabled = busy || !isOpen();
    if (!busy && event.state === 'ended')
      el.status.textContent = t.ended;
    else if (!busy && event.state === 'paused')
      el.status.textContent = t.paused;
    renderPayment();
  }
  setInterval(render, 250);

  // mm:ss (h:mm:ss from an hour on) of a duration, rounded up to the second.
  function clockText(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
  }

  // The won-but-unpaid order or the offer, counting down to its deadline.
  function renderPayment() {
    if (!payment)
      return;
    // The server clock is known from the last serverTime, which can be a moment old: never show
    // more time than the window gives.
    let leftMs = payment.payByMs - (Date.now() + serverOffsetMs);
    if (event && event.paymentWindowSeconds > 0)
      leftMs = Math.min(leftMs, event.paymentWindowSeconds * 1000);
    document.body.dataset.payment = leftMs > 0 ? 'pending' : 'expired';
    el.result.hidden = false;
    if (payment.kind === 'offer') {
      el.result.className = leftMs > 0 ? 'result won offer' : 'result lost';
      el.result.textContent = leftMs > 0 ? t.offer(payment.orderId, clockText(leftMs)) : t.offerExpired;
    } else {
      el.result.className = leftMs > 0 ? 'result won' : 'result lost';
      el.result.textContent = leftMs > 0 ? t.wonPay(payment.orderId, clockText(leftMs)) : t.payExpired(payment.orderId);
    }
  }

  // Freed units offered to this shopper (a lost sold_out ticket's `offer`): once per ticket.
  function showOffer(offer) {
    if (!offer || !offer.expiresAt || (payment && payment.kind === 'offer'))
      return;
    payment = { kind: 'offer', orderId: offer.orderId, payByMs: Date.parse(offer.expiresAt) };
    renderPayment();
    if (window.parent !== window) {
      window.parent.postMessage({ type: 'flashsale:offer', eventId, ticket: order && order.ticket, orderId: offer.orderId,
        expiresAt: offer.expiresAt }, '*');
    }
  }

  // A sold_out loss in an event that offers freed units to its leads: an offer may still come.
  function awaitingOffer() {
    return phase === 'lost' && lostReason === 'sold_out' && !payment && event
      && event.paymentWindowSeconds > 0 && event.releasePolicy === 'offer';
  }

  // Without the WebSocket (which pushes `offer`), the ticket is asked again every few seconds.
  async function pollOffer() {
    if (!awaitingOffer() || wsOpen || !order || !order.ticket)
      return;
    try {
      const response = await fetch(api('/tickets/' + encodeURIComponent(order.ticket)));
      const body = await response.json();
      if (response.ok && body.offer)
        showOffer(body.offer);
    } catch (e) { /* next round */ }
    if (awaitingOffer())
      setTimeout(pollOffer, 3000);
  }

  function showQueued(position) {
    if (phase === 'won' || phase === 'lost')
      return;
    el.status.textContent = t.queued(position || 0);
    setPhase('queued');
  }

  function showResult(message) {
    if (phase === 'won' || phase === 'lost')
      return; // exactly one result per purchase
    order.ticket = message.ticket;
    order.done = true;
    saveOrder();
    el.status.textContent = '';
    el.buyer.hidden = true;
    el.result.hidden = false;
    if (message.state === 'won') {
      el.result.className = 'result won';
      el.result.textContent = t.won(message.orderId);
      // With a payment window the order awaits payment from now (the decision was just pushed).
      if (event && event.paymentWindowSeconds > 0)
        payment = { kind: 'won', orderId: message.orderId, payByMs: Date.now() + serverOffsetMs + event.paymentWindowSeconds * 1000 };
    } else {
      lostReason = message.reason || '';
      el.result.className = 'result lost';
      el.result.textContent = message.reason === 'limit_reached' ? t.lostLimit
        : message.reason === 'not_open' ? t.lostNotOpen : t.lostSoldOut;
    }
    setPhase(message.state === 'won' ? 'won' : 'lost');
    if (message.offer)
      showOffer(message.offer);
    else if (awaitingOffer() && !wsOpen)
      setTimeout(pollOffer, 3000);
    // Lets the embedding shop react (e.g. open its checkout); no data beyond the outcome.
    if (window.parent !== window) {
      window.parent.postMessage({ type: 'flashsale:result', eventId, ticket: message.ticket, state: message.state,
        orderId: message.orderId, reason: message.reason }, '*');
    }
  }

  function showError(code, message) {
    if (code === 'not_found') {
      el.status.textContent = t.noEvent;
    } else if (code === 'not_open') {
      el.status.textContent = t.notOpen;
    } else if (code === 'invalid_pass') {
      el.status.textContent = t.badPass;
    } else {
      el.status.textContent = t.error(message || code);
    }
    if (phase === 'sending')
      setPhase('idle');
  }

  // ---- Buying ----

  el.buy.addEventListener('click', () => {
    const signed = event && event.shopperIdentity === 'signed';
    if (signed && !givenPass) {
      el.status.textContent = t.needPass;
      return;
    }
    const userId = signed ? '' : givenUser || el.user.value.trim();
    if (!userId && !signed) {
      el.status.textContent = t.needUser;
      el.user.focus();
      return;
    }
    const contact = givenContact || el.contact.value.trim();
    if (!order || order.userId !== userId || (order.pass || '') !== (signed ? givenPass : ''))
      order = signed ? { requestId: randomId(), userId, pass: givenPass, contact } : { requestId: randomId(), userId, contact };
    saveOrder();
    el.result.hidden = true;
    el.status.textContent = fairLeftMs() > 0 ? t.fairWait : t.sending;
    setPhase('sending');
    sendPurchase();
  });

  function purchaseBody() {
    const body = { requestId: order.requestId, quantity: 1 };
    if (order.pass)
      body.pass = order.pass; // signed events: the pass names the user
    else
      body.userId = order.userId;
    if (order.contact)
      body.contact = order.contact;
    return body;
  }

  // Resends are safe: the same requestId always names the same ticket.
  function sendPurchase() {
    if (wsOpen) {
      ws.send(JSON.stringify(Object.assign({ op: 'purchase', eventId }, purchaseBody())));
      return;
    }
    if (!forceHttp && !pollTimer)
      return; // the socket is (re)connecting; onopen resends
    httpPurchase();
  }

  async function httpPurchase() {
    try {
      const response = await fetch(api('/events/' + encodeURIComponent(eventId) + '/purchases?wait=10000'), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(purchaseBody()),
      });
      const body = await response.json();
      if (response.status === 429 || response.status === 503) {
        el.status.textContent = t.retrying;
        setTimeout(() => { if (phase === 'sending' || phase === 'queued') sendPurchase(); }, 1000 + Math.random() * 1000);
        return;
      }
      if (!response.ok)
        return showError(body.error, body.message);
      onTicket(body);
    } catch (e) {
      setTimeout(() => { if (phase === 'sending' || phase === 'queued') sendPurchase(); }, 2000);
    }
  }

  function onTicket(body) {
    order.ticket = body.ticket;
    saveOrder();
    if (body.state === 'won' || body.state === 'lost')
      return showResult(body);
    showQueued(body.position);
    if (!wsOpen)
      pollTicket();
  }

  async function pollTicket() {
    if (ticketPollBusy || !order || !order.ticket || phase === 'won' || phase === 'lost')
      return;
    ticketPollBusy = true;
    try {
      const response = await fetch(api('/tickets/' + encodeURIComponent(order.ticket) + '?wait=10000'));
      const body = await response.json();
      if (response.ok && (body.state === 'won' || body.state === 'lost'))
        showResult(body);
    } catch (e) { /* try again below */ }
    ticketPollBusy = false;
    if (phase === 'queued' && !wsOpen)
      setTimeout(pollTicket, 500);
  }

  // ---- Live updates ----

  function connect() {
    setTransport(pollTimer ? 'http' : 'connecting');
    try {
      ws = new WebSocket(wsUrl);
    } catch (e) {
      return onSocketFailed();
    }
    ws.onopen = () => {
      wsOpen = true;
      everOpened = true;
      wsFailures = 0;
      stopPolling();
      setTransport('ws');
      ws.send(JSON.stringify({ op: 'watch', eventId }));
      if (order && order.ticket && ((!order.done && (phase === 'queued' || phase === 'sending' || phase === 'idle'))
          || awaitingOffer()))
        ws.send(JSON.stringify({ op: 'subscribe', ticket: order.ticket }));
      else if (phase === 'sending')
        sendPurchase();
    };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      switch (m.op) {
      case 'event': showEvent(m); break;
      case 'queued': if (order && m.ticket) { order.ticket = m.ticket; saveOrder(); } showQueued(m.position); break;
      case 'result': showResult(m); break;
      case 'offer': showOffer(m); break;
      case 'error':
        if (m.inReplyTo === 'purchase' && (m.error === 'overloaded' || m.error === 'unavailable')) {
          el.status.textContent = t.retrying;
          setTimeout(() => { if (phase === 'sending' || phase === 'queued') sendPurchase(); }, 1000 + Math.random() * 1000);
        } else if (m.inReplyTo === 'purchase' || m.inReplyTo === 'watch') {
          showError(m.error, m.message);
        }
        break;
      }
    };
    ws.onclose = () => {
      const wasOpen = wsOpen;
      wsOpen = false;
      ws = null;
      if (awaitingOffer())
        setTimeout(pollOffer, 3000);
      if (!wasOpen)
        return onSocketFailed();
      wsFailures = 1;
      scheduleReconnect();
    };
  }

  function onSocketFailed() {
    wsFailures += 1;
    // Never connected after a few tries: a proxy or the network forbids WebSocket. Poll meanwhile.
    if (!everOpened && wsFailures >= 2 || wsFailures >= 4)
      startPolling();
    scheduleReconnect();
  }

  function scheduleReconnect() {
    setTransport(pollTimer ? 'http' : 'connecting');
    const delay = Math.min(30000, 500 * 2 ** Math.min(wsFailures, 6)) * (0.75 + Math.random() * 0.5);
    setTimeout(connect, delay);
  }

  async function pollEvent() {
    try {
      const response = await fetch(api('/events/' + encodeURIComponent(eventId)));
      const body = await response.json();
      if (response.ok)
        showEvent(body);
      else if (response.status === 404)
        showError('not_found');
    } catch (e) { /* next round */ }
  }

  function startPolling() {
    if (pollTimer)
      return;
    pollTimer = setInterval(pollEvent, 2000);
    setTransport('http');
    pollEvent();
    if (phase === 'sending')
      httpPurchase();
    else if (phase === 'queued')
      pollTicket();
  }

  function stopPolling() {
    if (pollTimer)
      clearInterval(pollTimer);
    pollTimer = null;
  }

  // A reload during a purchase picks the ticket up again.
  if (order && order.ticket && !order.done)
    setPhase('queued');
  pollEvent().then(() => {
    if (order && order.ticket && !order.done && forceHttp)
      pollTicket();
  });
  if (forceHttp)
    startPolling();
  else
    connect();
})();
