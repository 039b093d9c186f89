#!/usr/bin/env node
// Browser end-to-end check of isolation mode (SPEC §10): the address form in a cross-origin
// iframe, with a hostile script on the shop page.
//
//   node isolation.mjs <shopPageURL> <frameOrigin> <outDir> <integrity.json>
//
// The shop page (www/isolated.html on 127.0.0.1:<p>) embeds the frame (www/frame/ on
// localhost:<q>). Chromium is driven through playwright-core (Debian's chromium):
//   1. an attacker page on a third origin (http://evil.test, routed here) opens the shop in a
//      popup, so it holds a window reference to the shop and, through it, to the frame;
//   2. a hostile script runs first on the shop page (like a tag manager): it wraps attachShadow
//      to capture the element's closed root, records every `message` event, every key and input
//      event, and every DOM mutation;
//   3. it tries to read the form: the iframe's document (null / SecurityError), the element's
//      shadow root (null);
//   4. forgeries, none of which may have any effect: a `sealed` message posted to the shop from
//      the attacker's origin (who cannot even reach the frame's window: an iframe in a shadow
//      tree is not one of `shop[i]`); a synthetic MessageEvent claiming the frame's origin and
//      window; a `config` swapping the courier key from the shop's own origin without the
//      channel token (ignored) and with it (read from the captured iframe): refused because the
//      recipients are locked (`config_locked`);
//   5. the buyer clicks into the frame and types the Chinese sample address with the keyboard,
//      then places the order: exactly one genuine `sealed` event with an envelope;
//   6. checks: the hostile script saw no plaintext (messages, keys, DOM), no CSP violation in
//      either document, the iframe is as tall as its content (no scrollbar), the theme and the
//      locale followed into the frame, string overrides pass through;
//   7. the frame's integrity attributes equal <integrity.json> (computed by xtask from the
//      files), a tampered wasm is refused by the browser, and a page on another origin cannot
//      embed the frame (frame-ancestors);
//   8. writes <outDir>/sealed.json ({orderRef, envelope, expected}) and <outDir>/frame.html.
// Screenshots: <outDir>/isolated-ready.png, isolated-sealed.png.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];
const READY_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;
const EVIL = 'http://evil.test';
/** Not the demo courier's key: what an attacker would swap in (refused before it is even parsed). */
const EVIL_KEY = 'sp1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq3tyaqz';

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
const SECRETS = [SAMPLE.name, SAMPLE.phone, '文三路', '西湖区', '310012'];

class CheckFailed extends Error {}
const check = (ok, message) => {
  if (!ok) throw new CheckFailed(message);
};
const log = (m) => process.stderr.write(`[isolation] ${m}\n`);

const [shopURL, frameOrigin, outDir, integrityFile] = process.argv.slice(2);
if (!shopURL || !frameOrigin || !outDir || !integrityFile || process.argv.length > 6) {
  process.stderr.write('usage: node isolation.mjs <shopPageURL> <frameOrigin> <outDir> <integrity.json>\n');
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

/** The hostile script: runs before any script of the shop page, in the shop's origin only. */
function hostile(shop) {
  if (location.origin !== shop) return;
  const h = { messages: [], keys: [], mutations: [], roots: [], csp: [], events: [] };
  window.__hostile = h;
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    h.roots.push(root);
    return root;
  };
  window.addEventListener('message', (e) => h.messages.push(JSON.stringify({ origin: e.origin, data: e.data })), true);
  for (const t of ['keydown', 'keyup', 'keypress', 'input', 'beforeinput', 'paste', 'change']) {
    window.addEventListener(t, (e) => {
      // the element's own `change` (a CustomEvent with validity) is not the buyer's typing
      if (!(e instanceof CustomEvent)) h.keys.push(`${t}:${e.key ?? ''}:${e.data ?? ''}`);
    }, true);
  }
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) h.mutations.push(n.outerHTML ?? n.textContent ?? '');
      if (r.type === 'attributes') h.mutations.push(`${r.attributeName}=${r.target.getAttribute(r.attributeName)}`);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener('securitypolicyviolation', (e) => h.csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  for (const type of ['ready', 'change', 'sealed', 'error']) {
    document.addEventListener(type, (e) => {
      if (e.target && e.target.localName === 'sealpost-address') h.events.push({ type, detail: JSON.stringify(e.detail ?? null) });
    }, true);
  }
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

async function labelOf(cdp, name) {
  const nodes = (await flatNodes(cdp)).filter((n) => n.inShadow);
  const input = nodes.find((n) => n.name === 'INPUT' && n.attrs.name === name);
  check(input, `the frame's form has no ${name} input`);
  const label = nodes.find((l) => l.name === 'LABEL' && l.attrs.for === input.attrs.id);
  return { input, label: label ? textOf(label.node).trim() : null };
}

async function run(browser) {
  const expectedIntegrity = JSON.parse(await readFile(integrityFile, 'utf8'));
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
  // The attacker's origin: a bare page (no CSP) whose scripts the test drives.
  await context.route(`${EVIL}/**`, (route) => route.fulfill({
    status: 200, contentType: 'text/html', body: '<!doctype html><title>evil</title><p>evil</p>',
  }));
  await context.addInitScript(hostile, shopOrigin);
  await context.addInitScript(frameRecorder, frameOrigin);

  // 1. The attacker opens the shop in a popup.
  const evil = await context.newPage();
  await evil.goto(`${EVIL}/`);
  const [shop] = await Promise.all([
    context.waitForEvent('page'),
    evil.evaluate((url) => { window.shop = window.open(url, 'shop'); }, shopURL),
  ]);
  shop.setDefaultTimeout(STEP_TIMEOUT_MS);
  let frameHtml = null;
  shop.on('response', async (res) => {
    if (res.url().startsWith(`${frameOrigin}/frame/?`)) frameHtml = await res.text().catch(() => null);
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
  await shop.screenshot({ path: path.join(outDir, 'isolated-ready.png'), fullPage: true });
  assertNoProblems('while loading');
  log(`shop ${shopOrigin} ready with the form in ${frameOrigin}`);

  // 3. Reading the form from the shop page.
  const reading = await shop.evaluate(() => {
    const el = document.getElementById('address');
    const root = window.__hostile.roots.find((r) => r.host === el);
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
      sandbox: iframe ? iframe.getAttribute('sandbox') : null,
    };
  });
  check(reading.shadowRoot && reading.lightIframe, 'the shop page can reach the iframe without capturing the closed root');
  check(reading.captured, 'the hostile script could not even capture the closed root (the test lost its teeth)');
  check(reading.contentDocument, 'iframe.contentDocument is readable from the shop page');
  check(reading.windowDocument === 'SecurityError', `iframe.contentWindow.document gave ${reading.windowDocument}`);
  log('the shop page cannot read the frame: contentDocument null, contentWindow.document SecurityError');

  // 4. Forgeries.
  const token = new URL(reading.src).hash.replace(/^#channel=/, '');
  const reach = await evil.evaluate(() => {
    // to the shop: a forged `sealed` event and a forged seal result
    window.shop.postMessage({ sealpost: 1, type: 'event', name: 'sealed', detail: { envelope: 'spe1.forged', orderRef: 'X', disclosed: {} } }, '*');
    window.shop.postMessage({ sealpost: 1, type: 'result', id: 1, ok: true, value: { envelope: 'spe1.forged', orderRef: 'X', disclosed: {} } }, '*');
    // the frame itself: an iframe in a shadow tree is not among the shop window's children
    let child;
    try {
      child = window.shop[0] ? 'reachable' : 'undefined';
    } catch (err) {
      child = err.name;
    }
    return { length: window.shop.length, child };
  });
  check(reach.length === 0 && reach.child !== 'reachable', `another origin can reach the frame's window: ${JSON.stringify(reach)}`);
  await shop.evaluate(({ frameOrigin, evilKey, token }) => {
    const root = window.__hostile.roots.find((r) => r.host === document.getElementById('address'));
    const win = root.querySelector('iframe').contentWindow;
    // a synthetic MessageEvent claiming to come from the frame
    window.dispatchEvent(new MessageEvent('message', {
      data: { sealpost: 1, type: 'event', name: 'sealed', detail: { envelope: 'spe1.synthetic', orderRef: 'X', disclosed: {} } },
      origin: frameOrigin, source: win,
    }));
    // from the shop's own origin: without the token, then with it (recipients are locked)
    win.postMessage({ sealpost: 1, type: 'config', channel: 'f'.repeat(32), options: { couriers: evilKey } }, frameOrigin);
    win.postMessage({ sealpost: 1, type: 'config', channel: token, options: { couriers: evilKey, orderRef: 'X' } }, frameOrigin);
  }, { frameOrigin, evilKey: EVIL_KEY, token });
  await waitFor(shop, 'the frame to refuse the key swap', () => document.body.dataset.lastError === 'config_locked');
  let events = await shop.evaluate(() => window.__hostile.events);
  check(!events.some((e) => e.type === 'sealed'), `a forged message raised a sealed event: ${JSON.stringify(events)}`);
  check(events.filter((e) => e.type === 'error').length === 1, `expected exactly one error (config_locked): ${JSON.stringify(events)}`);
  await shop.evaluate(() => { delete document.body.dataset.lastError; });
  log('forged sealed / result / synthetic messages ignored; foreign configs ignored; key swap refused (config_locked)');

  // 5. The buyer types into the frame: click the name field, then Tab between fields.
  const cdp = await context.newCDPSession(frame);
  const { input } = await labelOf(cdp, 'name');
  const { model } = await cdp.send('DOM.getBoxModel', { nodeId: input.node.nodeId });
  const box = await (await frame.frameElement()).boundingBox();
  const [x0, y0, x1, , , y2] = model.content;
  await shop.mouse.click(box.x + (x0 + x1) / 2, box.y + (y0 + y2) / 2);
  await shop.keyboard.type(SAMPLE.name);
  await shop.keyboard.press('Tab');
  await shop.keyboard.type(SAMPLE.phone);
  await shop.keyboard.press('Tab'); // country: China is preselected
  for (const v of [SAMPLE.addressLevel1, SAMPLE.addressLevel2, SAMPLE.addressLevel3, SAMPLE.streetLines[0], SAMPLE.postalCode]) {
    await shop.keyboard.press('Tab');
    await shop.keyboard.type(v);
  }
  await waitFor(shop, 'the form to report valid', () => document.body.dataset.valid === 'true');
  await shop.click('#place-order');
  await waitFor(shop, 'the sealed envelope', () => document.body.dataset.sealed === 'true');

  // 6. What the shop page and its hostile script got.
  const seen = await shop.evaluate(() => ({
    envelope: document.getElementById('seller-envelope').value,
    order: document.body.dataset.order,
    lightDom: document.documentElement.outerHTML,
    hostile: window.__hostile,
  }));
  // The frame reports its height after each layout change; give the last report time to land.
  const iframeHeight = () => shop.evaluate(() => {
    const root = window.__hostile.roots.find((r) => r.host === document.getElementById('address'));
    return root.querySelector('iframe').getBoundingClientRect().height;
  });
  const contentHeight = () => frame.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
  for (let i = 0; i < 50 && Math.abs(await iframeHeight() - await contentHeight()) > 1; i += 1) await shop.waitForTimeout(100);
  seen.iframeHeight = await iframeHeight();
  check(seen.envelope.startsWith('spe1.') && seen.envelope !== 'spe1.forged', 'no genuine envelope');
  events = seen.hostile.events;
  const sealedEvents = events.filter((e) => e.type === 'sealed');
  check(sealedEvents.length === 1 && sealedEvents[0].detail.includes(seen.envelope), `expected one genuine sealed event: ${JSON.stringify(sealedEvents)}`);
  check(events.some((e) => e.type === 'ready') && events.some((e) => e.type === 'change'), 'ready / change events missing');
  check(seen.hostile.keys.length === 0, `the shop page saw ${seen.hostile.keys.length} key/input events: ${seen.hostile.keys.slice(0, 5).join(', ')}`);
  const places = {
    'a message event on the shop page': seen.hostile.messages.join('\n'),
    'a DOM mutation on the shop page': seen.hostile.mutations.join('\n'),
    'the shop page DOM': seen.lightDom,
    'an element event': events.map((e) => e.detail).join('\n'),
    'the envelope': seen.envelope,
  };
  for (const secret of SECRETS) {
    for (const [where, text] of Object.entries(places)) check(!text.includes(secret), `plaintext ${JSON.stringify(secret)} appears in ${where}`);
  }
  const types = new Set(seen.hostile.messages.map((m) => JSON.parse(m).data?.type));
  log(`the shop page saw ${seen.hostile.messages.length} messages (types: ${[...types].join(', ')}), 0 key events, no plaintext`);
  check(seen.hostile.csp.length === 0, `CSP violations on the shop page: ${seen.hostile.csp.join(', ')}`);
  const inFrame = await frame.evaluate(() => ({
    csp: window.__csp,
    content: Math.ceil(document.body.getBoundingClientRect().height),
    scroll: document.documentElement.scrollHeight,
    viewport: window.innerHeight,
    accent: getComputedStyle(document.getElementById('form')).getPropertyValue('--sealpost-accent').trim(),
    lang: document.documentElement.lang,
  }));
  check(inFrame.csp.length === 0, `CSP violations in the frame: ${inFrame.csp.join(', ')}`);
  check(Math.abs(seen.iframeHeight - inFrame.content) <= 1 && inFrame.scroll <= inFrame.viewport,
    `the iframe (${seen.iframeHeight}px) does not fit its content (${inFrame.content}px, scrollHeight ${inFrame.scroll}, viewport ${inFrame.viewport})`);
  check(inFrame.accent === '#0b6e4f', `the shop's --sealpost-accent did not reach the frame (${inFrame.accent})`);
  check(inFrame.lang === 'zh-CN', `the frame's lang is ${inFrame.lang}`);
  await shop.screenshot({ path: path.join(outDir, 'isolated-sealed.png'), fullPage: true });
  assertNoProblems('while sealing');
  log(`sealed ${seen.envelope.length} characters for ${seen.order}; iframe ${seen.iframeHeight}px = content; theme followed`);

  // Locale and string overrides pass through.
  await shop.click('#language');
  await waitFor(shop, 'English', () => document.documentElement.lang === 'en');
  await frame.waitForFunction(() => document.documentElement.lang === 'en');
  check((await labelOf(cdp, 'name')).label.startsWith('Full name'), 'the frame did not follow the page to English');
  await shop.evaluate(() => { document.getElementById('address').options = { strings: { 'label.name': 'Recipient (custom)' } }; });
  await frame.waitForFunction(() => true);
  let label = '';
  for (let i = 0; i < 50 && !label.startsWith('Recipient (custom)'); i += 1) {
    label = (await labelOf(cdp, 'name')).label;
    if (!label.startsWith('Recipient (custom)')) await shop.waitForTimeout(100);
  }
  check(label.startsWith('Recipient (custom)'), `string override did not reach the frame (label: ${label})`);
  log('locale and string overrides followed into the frame');
  assertNoProblems('after locale and strings');

  // 7. Subresource Integrity and frame-ancestors.
  check(frameHtml, 'the frame page response was not seen');
  await writeFile(path.join(outDir, 'frame.html'), frameHtml);
  const integrity = await frame.evaluate(() => ({
    '/frame/frame.js': document.querySelector('script[type=module]').integrity,
    '/frame/frame.css': document.querySelector('link[rel=stylesheet]').integrity,
    '/pkg/index.js': document.querySelector('link[rel=modulepreload][href="/pkg/index.js"]').integrity,
    '/pkg/sealpost.js': document.querySelector('link[rel=modulepreload][href="/pkg/sealpost.js"]').integrity,
    '/pkg/sealpost_bg.wasm': document.querySelector('meta[name=sealpost-wasm]').dataset.integrity,
  }));
  for (const [url, hash] of Object.entries(expectedIntegrity)) {
    check(integrity[url] === hash, `the frame pins ${url} to ${integrity[url]}, expected ${hash}`);
  }
  log(`the frame pins ${Object.keys(expectedIntegrity).length} files by SRI, equal to xtask's hashes`);
  const sealedResult = { orderRef: seen.order, envelope: seen.envelope, expected: SAMPLE };
  await context.close();

  // A tampered wasm (one byte changed on the way) is refused: an error, never `ready`.
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

  // Another origin cannot embed the frame.
  const other = await browser.newContext();
  await other.route(`${EVIL}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>evil</p>' }));
  const o = await other.newPage();
  const oConsole = [];
  o.on('console', (msg) => oConsole.push(msg.text()));
  await o.goto(`${EVIL}/`);
  const framed = await o.evaluate(async (src) => {
    const f = document.createElement('iframe');
    f.src = src;
    document.body.append(f);
    await new Promise((r) => { f.onload = r; setTimeout(r, 5000); });
    return true;
  }, `${frameOrigin}/frame/?parent=${encodeURIComponent(EVIL)}&v=1#channel=${'a'.repeat(32)}`);
  const embedded = o.frames().find((f) => f !== o.mainFrame());
  const loaded = framed && embedded && await embedded.evaluate(() => Boolean(document.getElementById('form'))).catch(() => false);
  check(!loaded, 'a page on another origin embedded the frame (frame-ancestors not enforced)');
  // Chromium replaces a frame refused by frame-ancestors with its error page.
  check(embedded && embedded.url().startsWith('chrome-error:'),
    `the frame was not refused by its frame-ancestors directive (frame at ${embedded && embedded.url()}; console: ${oConsole.join(' | ')})`);
  await other.close();
  log('a page on another origin cannot embed the frame (frame-ancestors)');

  // 8. For the courier side of the test.
  const line = JSON.stringify(sealedResult);
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
