#!/usr/bin/env node
// Browser end-to-end check of isolation mode (SPEC §10): the address form in a cross-origin
// iframe whose origin owns the trust policy, against hostile scripts on the shop page.
//
//   node isolation.mjs <shopPageURL> <frameOrigin> <outDir> <integrity.json> <attackerPublicKey>
//
// The shop page (www/isolated.html on 127.0.0.1:<p>) embeds the frame (the demo frame bundle on
// localhost:<q>, built by xtask from www/frame-policy.demo.json and served with its own
// `_headers`). Chromium is driven through playwright-core (Debian's chromium).
//
// A. The genuine checkout, with a hostile "session replay" script on the shop page that runs
//    before any of the shop's scripts: it captures the element's closed shadow root, records
//    every message, key, input and DOM mutation, and polls the element's properties and the
//    iframe's height. It forges messages, then attacks the recipients of the live element:
//    `couriers` (an attacker key), `test-mode`, `platformKey`/`directory` in `options`, a
//    courier the policy does not allow, a wider `disclose`, string overrides of the recipients
//    notice and test badge, and a reload of the frame. The buyer types the address with the
//    keyboard (switching the country back and forth), the hostile script asks for a seal
//    before the buyer confirms; the buyer confirms in the frame (Enter), then places the order.
//    Checks: every recipient option refused with its code; the notice in the frame names the
//    policy's couriers; nothing typed reached the page; the page saw only debounced validity
//    changes and one constant frame height; no seal without the buyer; theme, locale, strings
//    passed through; SRI equal to xtask's hashes.
// B. A hostile script that replaces <sealpost-address> with clones carrying an attacker key,
//    test mode, or a courier the shop may not use, before the form loads: each is refused in
//    the frame (which tells the buyer), never ready, and `seal()` obtains nothing.
// C. A tampered wasm is refused (SRI); a page on another origin cannot embed the frame.
//
// Writes <outDir>/sealed.json ({ orderRef, obtained: [every envelope the page obtained],
// expected }) for xtask to open with the couriers' identities (and to fail with the test key
// and the attacker's), and <outDir>/frame.html. Screenshots: <outDir>/isolated-*.png.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { chromium } from 'playwright-core';
import { sessionReplay } from './hostile-options.mjs';
import { pickChineseAddress, ZHEJIANG_HANGZHOU_XIHU } from './picker.mjs';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];
const READY_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;
const EVIL = 'http://evil.test';
const NOTICE_ZH = '仅 顺丰速运、中通快递 可解密此地址。';
const NOTICE_EN = 'Only SF Express and ZTO Express can read this address.';

const SAMPLE = {
  name: '张三',
  phone: '13812345678',
  country: 'CN',
  addressLevel1: '浙江省',
  addressLevel2: '杭州市',
  addressLevel3: '西湖区',
  streetLines: ['文三路 90 号'],
  postalCode: '310012',
};
const SECRETS = [SAMPLE.name, SAMPLE.phone, '文三路', '西湖区', '310012', '杭州'];

class CheckFailed extends Error {}
const check = (ok, message) => {
  if (!ok) throw new CheckFailed(message);
};
const log = (m) => process.stderr.write(`[isolation] ${m}\n`);

const [shopURL, frameOrigin, outDir, integrityFile, attackerKey] = process.argv.slice(2);
if (!shopURL || !frameOrigin || !outDir || !integrityFile || !attackerKey || process.argv.length > 7) {
  process.stderr.write('usage: node isolation.mjs <shopPageURL> <frameOrigin> <outDir> <integrity.json> <attackerPublicKey>\n');
  process.exit(2);
}
const shopOrigin = new URL(shopURL).origin;

const problems = [];
function assertNoProblems(when) {
  check(problems.length === 0, `browser reported errors ${when}:\n  - ${problems.join('\n  - ')}`);
}

async function waitFor(page, what, predicate, arg, timeout = STEP_TIMEOUT_MS) {
  try {
    await page.waitForFunction(predicate, arg, { timeout });
  } catch {
    const state = await page.evaluate(() => JSON.stringify({ ...document.body.dataset })).catch(() => '?');
    throw new CheckFailed(`timed out waiting for ${what} (body data: ${state}; errors: ${problems.join(' | ')})`);
  }
}

async function until(what, f, timeout = STEP_TIMEOUT_MS) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await f().catch((err) => err);
    if (last === true) return;
    await new Promise((r) => { setTimeout(r, 100); });
  }
  throw new CheckFailed(`timed out waiting for ${what} (last: ${last})`);
}

/** Replaces the shop's element by a clone with the attacker's options before it connects. */
function cloneAttack({ shop, attrs }) {
  if (location.origin !== shop) return;
  const h = { events: [], obtained: [], clones: 0, sealErrors: [] };
  window.__clone = h;
  new MutationObserver(() => {
    const el = document.querySelector('sealpost-address:not([data-clone])');
    if (!el) return;
    const clone = el.cloneNode(false);
    clone.dataset.clone = 'yes';
    for (const [k, v] of Object.entries(attrs)) clone.setAttribute(k, v);
    for (const type of ['ready', 'sealed', 'error']) {
      clone.addEventListener(type, (e) => {
        h.events.push({ type, detail: e.detail ?? null });
        if (type === 'sealed') h.obtained.push(e.detail.envelope);
      });
    }
    h.clones += 1;
    el.replaceWith(clone);
    clone.seal().then((v) => h.obtained.push(v.envelope), (err) => h.sealErrors.push(err.code));
  }).observe(document, { subtree: true, childList: true });
}

/** CSP violations inside the frame (recorded by the test, not by the shop). */
function frameRecorder(frame) {
  if (location.origin !== frame) return;
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
}

/** Every node of a document, shadow roots included (closed ones too), via CDP. */
async function flatNodes(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const out = [];
  const walk = (n, inShadow) => {
    const attrs = {};
    for (let i = 0; i + 1 < (n.attributes || []).length; i += 2) attrs[n.attributes[i]] = n.attributes[i + 1];
    out.push({ name: n.nodeName, attrs, inShadow, node: n });
    for (const c of n.children || []) walk(c, inShadow);
    for (const r of n.shadowRoots || []) walk(r, true);
  };
  walk(root, false);
  return out;
}
const textOf = (n) => (n.nodeType === 3 ? n.nodeValue : (n.children || []).map(textOf).join(''));

/** The buyer's form in the frame (not the inert measuring copies): nodes under #form. */
async function formNodes(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const find = (n) => (n.attributes && n.attributes.includes('id') && n.attributes[n.attributes.indexOf('id') + 1] === 'form'
    ? n : (n.children || []).map(find).find(Boolean));
  const host = find(root);
  const out = [];
  const walk = (n) => {
    const attrs = {};
    for (let i = 0; i + 1 < (n.attributes || []).length; i += 2) attrs[n.attributes[i]] = n.attributes[i + 1];
    out.push({ name: n.nodeName, attrs, node: n });
    for (const c of n.children || []) walk(c);
    for (const r of n.shadowRoots || []) walk(r);
  };
  if (host) walk(host);
  return out;
}

async function labelOf(cdp, name) {
  const nodes = await formNodes(cdp);
  const input = nodes.find((n) => n.name === 'INPUT' && n.attrs.name === name);
  check(input, `the frame's form has no ${name} input`);
  const label = nodes.find((l) => l.name === 'LABEL' && l.attrs.for === input.attrs.id);
  return { input, label: label ? textOf(label.node).trim() : null };
}

/** Text of the frame form's element with this class ('' if absent or hidden). */
async function shownText(cdp, cls) {
  const n = (await formNodes(cdp)).find((x) => (x.attrs.class || '').split(' ').includes(cls));
  return n && !('hidden' in n.attrs) ? textOf(n.node).trim() : '';
}

async function clickInto(shop, cdp, frame, name) {
  const { input } = await labelOf(cdp, name);
  const { model } = await cdp.send('DOM.getBoxModel', { nodeId: input.node.nodeId });
  const box = await (await frame.frameElement()).boundingBox();
  const [x0, y0, x1, , , y2] = model.content;
  await shop.mouse.click(box.x + (x0 + x1) / 2, box.y + (y0 + y2) / 2);
}

/** Runs `f` as the hostile script on the shop page and waits for the frame's refusal code. */
async function attack(shop, what, f, arg, code) {
  await shop.evaluate(() => { delete document.body.dataset.lastError; });
  await shop.evaluate(f, arg);
  if (code) {
    await waitFor(shop, `the frame to refuse ${what} with ${code}`, (c) => document.body.dataset.lastError === c, code);
    log(`refused: ${what} → ${code}`);
  }
}

async function genuineCheckout(browser, expectedIntegrity) {
  // Tall enough that nothing needs scrolling: Chromium sometimes routes a click right after a
  // scroll to the cross-origin frame's stale hit-test region (seen with playwright's click).
  const context = await browser.newContext({ viewport: { width: 1000, height: 1600 }, locale: 'zh-CN', serviceWorkers: 'block' });
  await context.route(`${EVIL}/**`, (route) => route.fulfill({
    status: 200, contentType: 'text/html', body: '<!doctype html><title>evil</title><p>evil</p>',
  }));
  await context.addInitScript(sessionReplay, shopOrigin);
  await context.addInitScript(frameRecorder, frameOrigin);

  // The address data the pages fetch: the frame's own copy, from its origin (SPEC §10.9).
  const dataRequests = [];
  context.on('request', (r) => { if (/\/data\/(intl|cn)\//.test(r.url())) dataRequests.push(r.url()); });

  // An attacker page on a third origin opens the shop in a popup (it holds a window reference).
  const evil = await context.newPage();
  await evil.goto(`${EVIL}/`);
  const [shop] = await Promise.all([
    context.waitForEvent('page'),
    evil.evaluate((url) => { window.shop = window.open(url, 'shop'); }, shopURL),
  ]);
  shop.setDefaultTimeout(STEP_TIMEOUT_MS);
  let frameHtml = null;
  let frameHeaders = null;
  shop.on('response', async (res) => {
    if (res.url().startsWith(`${frameOrigin}/frame/?`) && !frameHtml) {
      frameHeaders = await res.allHeaders();
      frameHtml = await res.text().catch(() => null);
    }
  });
  shop.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  shop.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  shop.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
  shop.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  await shop.waitForLoadState('load');
  await waitFor(shop, 'the isolated form to be ready', () => document.body.dataset.ready === 'true', undefined, READY_TIMEOUT_MS);
  const frame = shop.frames().find((f) => f.url().startsWith(`${frameOrigin}/frame/`));
  check(frame, `no frame from ${frameOrigin} (frames: ${shop.frames().map((f) => f.url()).join(', ')})`);
  check(!frame.url().includes('channel='), 'the channel token stayed in the frame URL');
  const cdp = await context.newCDPSession(frame);
  await until('the recipients notice', async () => (await shownText(cdp, 'recipients')) === NOTICE_ZH);
  check((await shownText(cdp, 'test-badge')) === '', 'a test badge is shown under a production policy');
  await shop.screenshot({ path: path.join(outDir, 'isolated-ready.png'), fullPage: true });
  assertNoProblems('while loading');
  log(`shop ${shopOrigin} ready with the form in ${frameOrigin}; the frame says "${NOTICE_ZH}"`);

  // Reading the form from the shop page.
  const reading = await shop.evaluate(() => {
    const el = document.getElementById('address');
    const root = window.__replay.roots.find((r) => r.host === el);
    const iframe = root && root.querySelector('iframe');
    let windowDocument;
    try {
      windowDocument = iframe.contentWindow.document ? 'readable' : 'null';
    } catch (err) {
      windowDocument = err.name;
    }
    return {
      shadowRoot: el.shadowRoot === null,
      lightIframe: document.querySelector('iframe') === null,
      captured: Boolean(iframe),
      contentDocument: iframe ? iframe.contentDocument === null : null,
      windowDocument,
      src: iframe ? iframe.src : null,
    };
  });
  check(reading.shadowRoot && reading.lightIframe, 'the shop page can reach the iframe without capturing the closed root');
  check(reading.captured, 'the hostile script could not even capture the closed root (the test lost its teeth)');
  check(reading.contentDocument, 'iframe.contentDocument is readable from the shop page');
  check(reading.windowDocument === 'SecurityError', `iframe.contentWindow.document gave ${reading.windowDocument}`);
  log('the shop page cannot read the frame: contentDocument null, contentWindow.document SecurityError');

  // Forgeries: from another origin, synthetic events, configs without or with the channel token.
  const token = new URL(reading.src).hash.replace(/^#channel=/, '');
  const reach = await evil.evaluate(() => {
    window.shop.postMessage({ sealpost: 1, type: 'event', name: 'sealed', detail: { envelope: 'spe1.forged', orderRef: 'X', disclosed: {} } }, '*');
    window.shop.postMessage({ sealpost: 1, type: 'result', id: 1, ok: true, value: { envelope: 'spe1.forged', orderRef: 'X', disclosed: {} } }, '*');
    let child;
    try {
      child = window.shop[0] ? 'reachable' : 'undefined';
    } catch (err) {
      child = err.name;
    }
    return { length: window.shop.length, child };
  });
  check(reach.length === 0 && reach.child !== 'reachable', `another origin can reach the frame's window: ${JSON.stringify(reach)}`);
  const frameWindow = () => window.__replay.roots.find((r) => r.host === document.getElementById('address')).querySelector('iframe').contentWindow;
  await attack(shop, 'a captured-token config with an attacker key', ({ frameOrigin: fo, evilKey, token: t, win }) => {
    const w = eval(win)(); // eslint-disable-line no-eval
    window.dispatchEvent(new MessageEvent('message', {
      data: { sealpost: 1, type: 'event', name: 'sealed', detail: { envelope: 'spe1.synthetic', orderRef: 'X', disclosed: {} } },
      origin: fo, source: w,
    }));
    w.postMessage({ sealpost: 1, type: 'config', channel: 'f'.repeat(32), options: { couriers: evilKey } }, fo);
    w.postMessage({ sealpost: 1, type: 'config', channel: t, options: { couriers: evilKey, orderRef: 'X' } }, fo);
  }, { frameOrigin, evilKey: attackerKey, token, win: `(${frameWindow})` }, 'option_not_allowed');

  // The live element: every option that would change the recipients is refused, each time.
  const el = 'document.getElementById("address")';
  const attacks = [
    ['couriers = attacker key', `${el}.setAttribute('couriers', ${JSON.stringify(attackerKey)})`, `${el}.removeAttribute('couriers')`, 'option_not_allowed'],
    ['test-mode', `${el}.setAttribute('test-mode', '')`, `${el}.removeAttribute('test-mode')`, 'option_not_allowed'],
    ['options.couriers', `${el}.options = { couriers: [${JSON.stringify(attackerKey)}] }`, `${el}.options = {}`, 'option_not_allowed'],
    ['options.platformKey + directory', `${el}.options = { platformKey: 'spp1attacker', directory: 'spdir1.attacker' }`, `${el}.options = {}`, 'option_not_allowed'],
    ['options.testMode', `${el}.options = { testMode: true }`, `${el}.options = {}`, 'option_not_allowed'],
    ['allowed-couriers outside the policy', `${el}.setAttribute('allowed-couriers', 'sf evil')`, `${el}.removeAttribute('allowed-couriers')`, 'courier_not_allowed'],
    ['a narrower courier choice after the first config', `${el}.setAttribute('allowed-couriers', 'sf')`, `${el}.removeAttribute('allowed-couriers')`, 'config_locked'],
    ['another order reference', `${el}.setAttribute('order-ref', 'EVIL-1')`, `${el}.setAttribute('order-ref', document.getElementById('order-ref').textContent)`, 'config_locked'],
    ['disclose none → country (changed after the first config)', `${el}.setAttribute('disclose', 'country')`, `${el}.setAttribute('disclose', 'province')`, 'config_locked'],
  ];
  for (const [what, doIt, undo, code] of attacks) {
    await attack(shop, what, (s) => eval(s), doIt, code); // eslint-disable-line no-eval
    await shop.evaluate((s) => eval(s), undo); // eslint-disable-line no-eval
  }
  // String overrides of what the buyer is told about recipients are ignored.
  await shop.evaluate((s) => eval(s), `${el}.options = { strings: { recipients: 'Only the seller can read {couriers}', test_mode: 'Secure', 'label.name': '收件人（自定义）' } }`); // eslint-disable-line no-eval
  await until('the string override of a label', async () => (await labelOf(cdp, 'name')).label.startsWith('收件人（自定义）'));
  check((await shownText(cdp, 'recipients')) === NOTICE_ZH, `the recipients notice was overridden: ${await shownText(cdp, 'recipients')}`);
  // The frame reloaded under the page's hands: it starts over from its own policy.
  await shop.evaluate(() => {
    const root = window.__replay.roots.find((r) => r.host === document.getElementById('address'));
    const iframe = root.querySelector('iframe');
    iframe.src = iframe.src; // eslint-disable-line no-self-assign
  });
  await shop.waitForTimeout(500);
  const frame2 = shop.frames().find((f) => f.url().startsWith(`${frameOrigin}/frame/`));
  await frame2.waitForLoadState('load');
  const cdp2 = await context.newCDPSession(frame2);
  await until('the reloaded frame to show the policy\'s couriers', async () => (await shownText(cdp2, 'recipients')) === NOTICE_ZH, READY_TIMEOUT_MS);
  check((await labelOf(cdp2, 'name')).label.startsWith('收件人（自定义）'), 'the reloaded frame lost the label override');
  log('reloaded frame: configured again from its own policy; recipients notice and label override as before');
  const eventsBefore = await shop.evaluate(() => window.__replay.events.length);
  const heightsBefore = await shop.evaluate(() => window.__replay.heights.slice());

  // The page asks for a seal before the buyer typed anything: refused as `invalid_address`,
  // with no field and no message of the form (that would tell the page where the buyer is).
  const early = await shop.evaluate(() => document.getElementById('address').seal().then(
    () => 'sealed', (err) => JSON.stringify({ code: err.code, field: err.field ?? null, message: err.message })));
  check(early === JSON.stringify({ code: 'invalid_address', field: null, message: 'the buyer has not entered a complete, valid address yet' }),
    `a seal of the empty form gave ${early}`);
  await shop.evaluate(() => { delete document.body.dataset.lastError; });

  // The buyer types, switching the country to Hong Kong and back on the way (another layout).
  await clickInto(shop, cdp2, frame2, 'name');
  await shop.keyboard.type(SAMPLE.name);
  await shop.keyboard.press('Tab');
  await shop.keyboard.type(SAMPLE.phone);
  await shop.keyboard.press('Tab'); // country: China is preselected
  await shop.keyboard.press('ArrowDown');
  await until('the international layout', async () => (await formNodes(cdp2)).some((n) => n.attrs.name === 'address-line1'));
  await shop.waitForTimeout(300);
  await shop.keyboard.press('ArrowUp');
  const list = (name) => until(`the ${name} list`, async () => (await formNodes(cdp2)).some((n) => n.attrs.name === name && n.name === 'SELECT'));
  await list('province');
  // province, city and district in the lists of the frame's address data, by their filters
  const levels = ['city', 'district'];
  await pickChineseAddress(shop.keyboard, () => (levels.length ? list(levels.shift()) : null), ZHEJIANG_HANGZHOU_XIHU);
  for (const v of [SAMPLE.streetLines[0], SAMPLE.postalCode]) {
    await shop.keyboard.press('Tab');
    await shop.keyboard.type(v);
  }
  await waitFor(shop, 'the form to report valid', () => document.body.dataset.valid === 'true');

  // The page asks for the envelope before the buyer confirmed: it gets nothing until they do.
  await shop.evaluate(() => {
    window.__replay.early = document.getElementById('address').seal().then(
      (v) => { window.__replay.obtained.push(v.envelope); window.__replay.earlyAt = performance.now(); return v.envelope; },
      (err) => `error ${err.code}`,
    );
  });
  await shop.waitForTimeout(1500);
  const pending = await shop.evaluate(() => ({ obtained: window.__replay.obtained.length, at: window.__replay.earlyAt ?? null }));
  check(pending.obtained === 0 && pending.at === null, `the page obtained an envelope without the buyer: ${JSON.stringify(pending)}`);
  check((await shownText(cdp2, 'status')).includes('确认地址'), `the frame did not ask the buyer to confirm (status: ${await shownText(cdp2, 'status')})`);
  log('a seal() before the buyer confirmed waits: nothing sealed, the frame asks the buyer to press 确认地址');
  await shop.screenshot({ path: path.join(outDir, 'isolated-confirm.png'), fullPage: true });

  // The frame did not move the buyer's focus to its button: the buyer presses Enter in the
  // postal code field they just filled (implicit submission), then places the order.
  const nodes = await formNodes(cdp2);
  const shadow = nodes.find((n) => n.node.nodeName === '#document-fragment');
  const { nodeId: focusedId } = await cdp2.send('DOM.querySelector', { nodeId: shadow.node.nodeId, selector: ':focus' });
  const focused = nodes.find((n) => n.node.nodeId === focusedId);
  check(focused && focused.attrs.name === 'postal-code', `focus left the buyer's field: ${focused ? `${focused.name} ${JSON.stringify(focused.attrs)}` : 'none'}`);
  const confirmedAt = await shop.evaluate(() => performance.now());
  await shop.keyboard.press('Enter');
  await waitFor(shop, 'the buyer\'s confirmation', () => document.body.dataset.confirmed === 'true');
  const early2 = await shop.evaluate(() => window.__replay.early);
  check(early2.startsWith('spe1.'), `the waiting seal() did not resolve after the buyer confirmed: ${early2}`);
  await shop.click('#place-order');
  await waitFor(shop, 'the order', () => document.body.dataset.sealed === 'true').catch(async (err) => {
    log(JSON.stringify(await shop.evaluate(() => ({ m: window.__replay.messages.slice(-6), s: document.getElementById('status').textContent }))));
    throw err;
  });

  const seen = await shop.evaluate(() => ({
    envelope: document.getElementById('seller-envelope').value,
    order: document.body.dataset.order,
    lightDom: document.documentElement.outerHTML,
    hostile: window.__replay,
  }));
  check(seen.envelope === early2, 'the order\'s envelope differs from the one the buyer confirmed (sealed twice?)');
  check(seen.hostile.earlyAt > confirmedAt, 'the page obtained the envelope before the buyer pressed Enter');
  const events = seen.hostile.events;
  const sealedEvents = events.filter((e) => e.type === 'sealed');
  check(sealedEvents.length === 1 && sealedEvents[0].detail.includes(seen.envelope), `expected one sealed event, from the buyer: ${JSON.stringify(sealedEvents)}`);
  // Validity only, debounced: the whole address (two layout switches, ~40 keys) gave at most
  // one change per settled edit: here the one flip to valid.
  const changes = events.slice(eventsBefore).filter((e) => e.type === 'change');
  check(changes.every((e) => JSON.stringify(Object.keys(JSON.parse(e.detail))) === '["valid"]'), `a change event carried more than validity: ${JSON.stringify(changes)}`);
  check(changes.length >= 1 && changes.length <= 2, `the page saw ${changes.length} change events while the buyer typed: ${JSON.stringify(changes)}`);
  // The frame's height never moved while the buyer typed, switched layouts and saw errors.
  const heightsAfter = seen.hostile.heights.slice(heightsBefore.length - 1);
  check(new Set(heightsAfter).size === 1, `the iframe height followed the buyer: ${JSON.stringify(heightsAfter)}`);
  check(seen.hostile.keys.length === 0, `the shop page saw ${seen.hostile.keys.length} key/input events: ${seen.hostile.keys.slice(0, 5).join(', ')}`);
  const places = {
    'a message event on the shop page': seen.hostile.messages.join('\n'),
    'a DOM mutation on the shop page': seen.hostile.mutations.join('\n'),
    'a poll of the element': seen.hostile.polls.join('\n'),
    'the shop page DOM': seen.lightDom,
    'an element event': events.map((e) => e.detail).join('\n'),
    'the envelope': seen.envelope,
  };
  for (const secret of SECRETS) {
    for (const [where, text] of Object.entries(places)) check(!text.includes(secret), `plaintext ${JSON.stringify(secret)} appears in ${where}`);
  }
  const types = new Set(seen.hostile.messages.map((m) => JSON.parse(m).data?.type));
  log(`the page saw ${seen.hostile.messages.length} messages (${[...types].join(', ')}), ${changes.length} validity change(s), 0 key events, ${seen.hostile.polls.length} distinct polls, one frame height (${heightsAfter[0]}px), no plaintext`);
  check(seen.hostile.csp.length === 0, `CSP violations on the shop page: ${seen.hostile.csp.join(', ')}`);
  const dataPaths = dataRequests.map((u) => u.slice(`${frameOrigin}/pkg/data/`.length));
  check(dataRequests.length > 0 && dataRequests.every((u) => u.startsWith(`${frameOrigin}/pkg/data/`)), `address data fetched from elsewhere than the frame's origin: ${dataRequests.join(', ')}`);
  check(['intl/CN.json', 'cn/index.json', 'cn/33.json'].every((p) => dataPaths.includes(p)), `the frame's form fetched ${dataPaths.join(', ')}`);
  log(`the frame's form fetched its address data from its own origin only: ${[...new Set(dataPaths)].join(', ')}`);
  const inFrame = await frame2.evaluate(() => ({
    csp: window.__csp,
    scroll: document.documentElement.scrollHeight,
    viewport: window.innerHeight,
    accent: getComputedStyle(document.getElementById('form')).getPropertyValue('--sealpost-accent').trim(),
    lang: document.documentElement.lang,
  }));
  check(inFrame.csp.length === 0, `CSP violations in the frame: ${inFrame.csp.join(', ')}`);
  check(inFrame.scroll <= inFrame.viewport + 1, `the frame's content (${inFrame.scroll}px) overflows the iframe (${inFrame.viewport}px)`);
  check(inFrame.accent === '#0b6e4f', `the shop's --sealpost-accent did not reach the frame (${inFrame.accent})`);
  check(inFrame.lang === 'zh-CN', `the frame's lang is ${inFrame.lang}`);
  await shop.screenshot({ path: path.join(outDir, 'isolated-sealed.png'), fullPage: true });
  assertNoProblems('while sealing');
  log(`sealed ${seen.envelope.length} characters for ${seen.order} on the buyer's confirmation`);

  // Locale follows the page.
  await shop.click('#language');
  await waitFor(shop, 'English', () => document.documentElement.lang === 'en');
  await frame2.waitForFunction(() => document.documentElement.lang === 'en');
  await until('the English notice', async () => (await shownText(cdp2, 'recipients')) === NOTICE_EN);
  log(`locale followed into the frame: "${NOTICE_EN}"`);
  assertNoProblems('after the locale change');

  // The frame page came with the headers of its bundle (`_headers`, generated from the policy).
  check(frameHtml && frameHeaders, 'the frame page response was not seen');
  const csp = frameHeaders['content-security-policy'] || '';
  for (const directive of [`frame-ancestors ${shopOrigin}`, "form-action 'none'", "connect-src 'self'", "default-src 'none'"]) {
    check(csp.split(/;\s*/).includes(directive), `the frame's CSP lacks "${directive}": ${csp}`);
  }
  check(frameHeaders['x-content-type-options'] === 'nosniff' && frameHeaders['referrer-policy'] === 'no-referrer', `frame headers: ${JSON.stringify(frameHeaders)}`);
  const policy = JSON.parse(frameHtml.match(/<script type="application\/json" id="sealpost-policy">([^<]*)<\/script>/)[1]);
  const [only, ...others] = policy.embedders;
  check(others.length === 0 && only.origin === shopOrigin && only.couriers.join() === 'sf,zto' && only.disclose === 'province' && policy.testMode === false,
    `the frame page carries another policy: ${JSON.stringify(policy)}`);
  log(`the frame page carries the demo policy and its bundle's headers (frame-ancestors ${shopOrigin}, form-action 'none')`);

  // Subresource Integrity.
  await writeFile(path.join(outDir, 'frame.html'), frameHtml);
  const integrity = await frame2.evaluate(() => ({
    '/frame/frame.js': document.querySelector('script[type=module]').integrity,
    '/frame/frame.css': document.querySelector('link[rel=stylesheet]').integrity,
    '/pkg/index.js': document.querySelector('link[rel=modulepreload][href="/pkg/index.js"]').integrity,
    '/pkg/sealpost.js': document.querySelector('link[rel=modulepreload][href="/pkg/sealpost.js"]').integrity,
    '/pkg/sealpost_bg.wasm': document.querySelector('meta[name=sealpost-wasm]').dataset.integrity,
  }));
  for (const [url, hash] of Object.entries(expectedIntegrity)) {
    check(integrity[url] === hash, `the frame pins ${url} to ${integrity[url]}, expected ${hash}`);
  }
  log(`the frame pins ${Object.keys(expectedIntegrity).length} files by SRI, equal to xtask's hashes of the bundle`);
  const obtained = [...new Set([seen.envelope, ...seen.hostile.obtained])];
  await context.close();
  return { orderRef: seen.order, obtained };
}

/** B: clones carrying recipient options are refused in the frame; the page obtains nothing. */
async function cloneAttacks(browser) {
  const cases = [
    [{ couriers: attackerKey }, 'option_not_allowed'],
    [{ 'test-mode': '' }, 'option_not_allowed'],
    [{ 'allowed-couriers': 'evil' }, 'courier_not_allowed'],
    [{ disclose: 'country', 'allowed-couriers': 'sf' }, null], // allowed: a narrower choice within the policy
  ];
  const obtained = [];
  for (const [attrs, code] of cases) {
    const context = await browser.newContext({ locale: 'zh-CN', serviceWorkers: 'block' });
    await context.addInitScript(cloneAttack, { shop: shopOrigin, attrs });
    const page = await context.newPage();
    await page.goto(shopURL);
    if (code) {
      await waitFor(page, `the clone to be refused (${code})`, (c) => window.__clone && window.__clone.events.some((e) => e.type === 'error' && e.detail.code === c), code, READY_TIMEOUT_MS);
      await page.waitForTimeout(500);
      const h = await page.evaluate(() => window.__clone);
      check(h.clones === 1 && !h.events.some((e) => e.type === 'ready') && h.obtained.length === 0,
        `a clone with ${JSON.stringify(attrs)} got somewhere: ${JSON.stringify(h)}`);
      check(h.sealErrors.length === 1, `the clone's seal() did not fail: ${JSON.stringify(h)}`);
      const frame = page.frames().find((f) => f.url().startsWith(`${frameOrigin}/frame/`));
      const notice = await frame.evaluate(() => { const n = document.getElementById('notice'); return n.hidden ? '' : n.textContent; });
      check(notice.includes(code), `the frame did not tell the buyer why (notice: ${notice})`);
      if (attrs.couriers) await page.screenshot({ path: path.join(outDir, 'isolated-clone-refused.png') });
      log(`clone with ${JSON.stringify(attrs)}: refused in the frame (${code}), never ready, seal() → ${h.sealErrors[0]}, the buyer is told`);
    } else {
      await waitFor(page, 'the clone within the policy to be ready', () => window.__clone && window.__clone.events.some((e) => e.type === 'ready'), undefined, READY_TIMEOUT_MS);
      const frame = page.frames().find((f) => f.url().startsWith(`${frameOrigin}/frame/`));
      const cdp = await context.newCDPSession(frame);
      await until('the notice naming only SF', async () => (await shownText(cdp, 'recipients')) === '仅 顺丰速运 可解密此地址。');
      log('clone choosing sf only (within the policy): ready, and the buyer is told only 顺丰速运 can read it');
    }
    obtained.push(...await page.evaluate(() => window.__clone.obtained));
    await context.close();
  }
  check(obtained.length === 0, `clones obtained envelopes without the buyer: ${obtained.length}`);
}

/** C: SRI refuses a tampered wasm; frame-ancestors refuses an unlisted embedder. */
async function integrityAndEmbedding(browser) {
  const tampered = await browser.newContext({ serviceWorkers: 'block' });
  await tampered.route(`${frameOrigin}/pkg/sealpost_bg.wasm`, async (route) => {
    const res = await route.fetch();
    const body = Buffer.from(await res.body());
    body[body.length - 1] ^= 1;
    await route.fulfill({ response: res, body });
  });
  const t = await tampered.newPage();
  const tConsole = [];
  t.on('console', (msg) => tConsole.push(msg.text()));
  await t.goto(shopURL);
  await waitFor(t, 'the tampered frame to fail', () => document.body.dataset.lastError, undefined, READY_TIMEOUT_MS);
  const tState = await t.evaluate(() => ({ ...document.body.dataset }));
  check(tState.ready !== 'true' && tState.lastError === 'load_failed', `tampered wasm: ${JSON.stringify(tState)}`);
  check(tConsole.some((m) => /integrity/i.test(m) && m.includes('sealpost_bg.wasm')),
    `the tampered wasm was not refused by its integrity check: ${tConsole.join(' | ')}`);
  await tampered.close();
  log('a tampered wasm is refused (load_failed), the form never becomes ready');

  const other = await browser.newContext();
  await other.route(`${EVIL}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>evil</p>' }));
  const o = await other.newPage();
  await o.goto(`${EVIL}/`);
  await o.evaluate(async (src) => {
    const f = document.createElement('iframe');
    f.src = src;
    document.body.append(f);
    await new Promise((r) => { f.onload = r; setTimeout(r, 5000); });
  }, `${frameOrigin}/frame/?parent=${encodeURIComponent(EVIL)}&v=1#channel=${'a'.repeat(32)}`);
  const embedded = o.frames().find((f) => f !== o.mainFrame());
  const loaded = embedded && await embedded.evaluate(() => Boolean(document.getElementById('form'))).catch(() => false);
  check(!loaded, 'a page on another origin embedded the frame (frame-ancestors not enforced)');
  check(embedded && embedded.url().startsWith('chrome-error:'),
    `the frame was not refused by its frame-ancestors directive (frame at ${embedded && embedded.url()})`);
  await other.close();
  log('a page on another origin cannot embed the frame (frame-ancestors from the policy)');
}

async function run(browser) {
  const expectedIntegrity = JSON.parse(await readFile(integrityFile, 'utf8'));
  const result = await genuineCheckout(browser, expectedIntegrity);
  await cloneAttacks(browser);
  await integrityAndEmbedding(browser);
  // the lists' names and the district's code the frame's form fills in (SPEC §4.2)
  const line = JSON.stringify({ ...result, expected: { ...SAMPLE, divisionCode: '330106' } });
  await writeFile(path.join(outDir, 'sealed.json'), `${line}\n`);
  process.stdout.write(`${line}\n`);
}

async function main() {
  await mkdir(outDir, { recursive: true });
  await rm(path.join(outDir, 'sealed.json'), { force: true });
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    log(`chromium ${browser.version()}`);
    await run(browser);
    log('PASS');
  } catch (err) {
    await rm(path.join(outDir, 'sealed.json'), { force: true }).catch(() => {});
    process.stderr.write(`[isolation] FAIL: ${err instanceof CheckFailed ? err.message : (err && err.stack) || err}\n`);
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
}

await main();
