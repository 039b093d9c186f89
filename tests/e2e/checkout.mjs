#!/usr/bin/env node
// Browser end-to-end check of the sealpost demo shop (www/).
//
//   node checkout.mjs <baseURL> <outDir> [vectorFile]
//
// Drives the page in Debian's chromium through playwright-core (no browser download), as a buyer:
//   1. loads the page and waits for the <sealpost-address> element's `ready`,
//   2. checks, through the DevTools protocol (which sees into the closed shadow root), that every
//      input has a label and the right WHATWG autocomplete token,
//   3. presses "place order" on the empty form: the first invalid field gets the focus,
//   4. types the Chinese sample address with the keyboard (Tab between fields), including a bad
//      phone number corrected after its error appears; province, city and district are chosen
//      in the lists of the address data by typing in their filters (picker.mjs),
//   5. places the order and reads #seller-view; checks no address field appeared in the light DOM,
//      in any request, console message or event, and that no CSP violation was reported,
//   6. switches the page to English and checks the form follows,
//   7. with [vectorFile], seals that vector's address to its keys with the package's seal(),
//   8. writes <outDir>/sealed.json ({orderRef, envelope, expected, vector?}) and prints it;
//   9. inline mount() whose controller the page drops: after forced garbage collection, Enter
//      in a field and a click on the button navigate nowhere, send no field value anywhere,
//      trip no `form-action` CSP check, and the form still seals (the element owns it);
//  10. the element as shops use it (#16): options set before the module loads, React's
//      options="[object Object]", a bad config → sealpost-error and ready() rejecting, a fix →
//      sealpost-ready, sealpost-change once per validity flip, nothing on window or a parent form;
//      a broken wasm → the fallback message (zh-CN, en) and load_failed; a jsdom user agent.
// Screenshots: <outDir>/demo-ready.png, demo-error.png, demo-sealed.png, demo-english.png.
//
// Any console error or uncaught page error (CSP violations are console errors) fails the run.
// Progress goes to stderr; stdout carries only the sealed.json line.
//
// Environment:
//   CHROMIUM=/path/to/chromium   browser binary (default /usr/bin/chromium)
//   E2E_ADD_CSP=1                add the production Content-Security-Policy header to
//                                responses that lack one (for plain static servers such as
//                                `python3 -m http.server`), so CSP violations are still caught

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { chromium } from 'playwright-core';
import { cryptoPathChecks, cryptoPaths } from './crypto-paths.mjs';
import { pickChineseAddress, ZHEJIANG_HANGZHOU_XIHU } from './picker.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--js-flags=--expose-gc',
];
const READY_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;

/** The sample address, with the exact field names of the wasm API. */
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
/** Plaintext that must never appear in what the seller sees. */
const SECRETS = [SAMPLE.name, SAMPLE.phone, '文三路', '西湖区', '310012'];

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function log(message) {
  process.stderr.write(`[e2e] ${message}\n`);
}

function usage() {
  process.stderr.write('usage: node checkout.mjs <baseURL> <outDir> [vectorFile]\n');
  process.exit(2);
}

const [baseURL, outDir, vectorFile] = process.argv.slice(2);
if (!baseURL || !outDir || process.argv.length > 5) usage();

/** Console errors, uncaught page errors and failed requests seen so far. */
const problems = [];

function assertNoProblems(when) {
  check(problems.length === 0, `browser reported errors ${when}:\n  - ${problems.join('\n  - ')}`);
}

/** Waits until `predicate` (run in the page) is truthy; on timeout, says what the page shows. */
async function waitForState(page, what, predicate, arg, timeout = STEP_TIMEOUT_MS) {
  try {
    await page.waitForFunction(predicate, arg, { timeout });
  } catch (err) {
    const state = await page
      .evaluate(() => JSON.stringify({ ...document.body.dataset }))
      .catch(() => '(page unavailable)');
    const extra = problems.length ? `; browser errors: ${problems.join(' | ')}` : '';
    throw new CheckFailed(`timed out after ${timeout} ms waiting for ${what} (body data: ${state})${extra}`);
  }
}

/** Every node of the document, shadow roots included (closed ones too), via CDP. */
async function flatNodes(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const out = [];
  const walk = (n, inShadow) => {
    const attrs = {};
    for (let i = 0; i + 1 < (n.attributes || []).length; i += 2) attrs[n.attributes[i]] = n.attributes[i + 1];
    out.push({ name: n.nodeName, type: n.nodeType, value: n.nodeValue, attrs, inShadow, node: n });
    for (const c of n.children || []) walk(c, inShadow);
    for (const r of n.shadowRoots || []) walk(r, true);
  };
  walk(root, false);
  return out;
}

/** Text of a CDP node and its descendants. */
function textOf(node) {
  if (node.nodeType === 3) return node.nodeValue;
  return (node.children || []).map(textOf).join('');
}

/** The widget's controls: name → { tag, attrs, label, error, errorHidden }; a list's filter
 *  (no name) as `filters[id of its list]` → { attrs }. */
async function widgetControls(cdp) {
  const nodes = (await flatNodes(cdp)).filter((n) => n.inShadow);
  const byId = Object.fromEntries(nodes.filter((n) => n.attrs.id).map((n) => [n.attrs.id, n]));
  const controls = {};
  Object.defineProperty(controls, 'filters', { value: {}, enumerable: false });
  for (const n of nodes) {
    if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(n.name)) continue;
    if (n.attrs.class === 'filter') {
      controls.filters[n.attrs['aria-controls']] = { attrs: n.attrs };
      continue;
    }
    const label = nodes.find((l) => l.name === 'LABEL' && l.attrs.for === n.attrs.id);
    const error = byId[n.attrs['aria-describedby']];
    controls[n.attrs.name] = {
      tag: n.name,
      attrs: n.attrs,
      label: label ? textOf(label.node).trim() : null,
      error: error ? textOf(error.node).trim() : null,
      errorHidden: error ? 'hidden' in error.attrs : null,
    };
  }
  return controls;
}

/** The value of the form's control `name` (read through the closed shadow root with CDP). */
async function controlValue(cdp, name) {
  const node = (await flatNodes(cdp)).find((n) => n.inShadow && n.attrs.name === name && n.attrs.class !== 'filter');
  if (!node) return null;
  const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: node.node.backendNodeId });
  const { result } = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { return this.value; }', returnByValue: true });
  return result.value;
}

/** Waits until the form's control `name` is a list (its level's data arrived). */
async function untilList(cdp, name) {
  const end = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < end) {
    const c = (await widgetControls(cdp))[name];
    if (c && c.tag === 'SELECT') return;
    await new Promise((r) => { setTimeout(r, 50); });
  }
  throw new CheckFailed(`the ${name} list did not appear`);
}

async function sellerViewHidden(page) {
  return page.evaluate(() => {
    const el = document.getElementById('seller-view');
    if (!el) return 'missing';
    return el.hidden && el.getClientRects().length === 0;
  });
}

async function run(browser) {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    locale: 'zh-CN',
    serviceWorkers: 'block',
  });
  if (process.env.E2E_ADD_CSP === '1') {
    await context.route('**/*', async (route) => {
      const response = await route.fetch();
      const headers = response.headers();
      if (!headers['content-security-policy']) headers['content-security-policy'] = CSP;
      await route.fulfill({ response, headers });
    });
  }
  // Record CSP violations and every event the element fires, before any page script runs.
  await context.addInitScript(() => {
    window.__csp = [];
    window.__events = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    window.__leaked = [];
    for (const type of ['ready', 'change', 'sealed', 'error']) {
      document.addEventListener(type, (e) => {
        if (e.target && e.target.localName === 'sealpost-address') {
          window.__events.push({ type, detail: JSON.stringify(e.detail ?? null) });
        }
      }, true);
      document.addEventListener(`sealpost-${type}`, (e) => {
        window.__events.push({ type: e.type, detail: JSON.stringify(e.detail ?? null) });
      });
      // the deprecated aliases must not reach window (error monitors, a form's onChange)
      window.addEventListener(type, (e) => {
        if (e.target && e.target.localName === 'sealpost-address') window.__leaked.push(type);
      });
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const cdp = await context.newCDPSession(page);

  const seen = []; // everything that left the page or was logged: requests, console messages
  page.on('console', (msg) => {
    seen.push(`console: ${msg.text()}`);
    if (msg.type() === 'error') {
      const { url, lineNumber } = msg.location();
      problems.push(`console error: ${msg.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.stack || err.message}`));
  page.on('request', (req) => seen.push(`request: ${req.method()} ${req.url()} ${req.postData() ?? ''}`));
  page.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });

  // 1. Load.
  log(`loading ${baseURL}`);
  const response = await page.goto(baseURL, { waitUntil: 'load' });
  check(response && response.ok(), `GET ${baseURL} failed`);
  const csp = response.headers()['content-security-policy'];
  check(csp && csp.includes("style-src 'self'") && !csp.includes('unsafe-inline'), `no strict CSP header (got ${csp})`);
  await waitForState(page, 'the element to be ready', () => document.body.dataset.ready === 'true', undefined, READY_TIMEOUT_MS);
  await page.screenshot({ path: path.join(outDir, 'demo-ready.png'), fullPage: true });
  assertNoProblems('while loading');

  // 2. Labels and autofill tokens, read through the closed shadow root with CDP.
  const expectedTokens = {
    name: 'shipping name', phone: 'shipping tel', country: 'shipping country',
    province: 'shipping address-level1', city: 'shipping address-level2', district: 'shipping address-level3',
    street: 'shipping street-address', 'postal-code': 'shipping postal-code', company: 'shipping organization',
  };
  let controls = await widgetControls(cdp);
  for (const [name, token] of Object.entries(expectedTokens)) {
    check(controls[name], `the form has no ${name} input (has: ${Object.keys(controls).join(', ')})`);
    check(controls[name].attrs.autocomplete === token, `${name}: autocomplete=${controls[name].attrs.autocomplete}, expected ${token}`);
  }
  for (const [name, c] of Object.entries(controls)) check(c.label, `input ${name} has no label`);
  check(controls.name.label.startsWith('收件人'), `the page is zh-CN but the name label is ${controls.name.label}`);
  // the address data arrived (or was there already): the province is a list with its filter
  await untilList(cdp, 'province');
  controls = await widgetControls(cdp);
  const provinceFilter = controls.filters[controls.province.attrs.id];
  check(provinceFilter && provinceFilter.attrs['aria-label'] === '筛选省份', `the province list's filter: ${JSON.stringify(provinceFilter)}`);
  log(`${Object.keys(controls).length} inputs, each labelled, autofill tokens right; the province list has its labelled filter`);

  // 3. Place the order with nothing typed: the first field gets the focus and an error.
  await page.click('#place-order');
  await waitForState(page, 'data-last-error', () => document.body.dataset.lastError === 'name_missing');
  check(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'address', 'the focus did not move into the form');
  controls = await widgetControls(cdp);
  check(controls.name.attrs['aria-invalid'] === 'true' && !controls.name.errorHidden, 'the name field does not show its error');
  check(controls.name.error.includes('收件人'), `the name error is not in Chinese: ${controls.name.error}`);
  await page.screenshot({ path: path.join(outDir, 'demo-error.png'), fullPage: true });

  // 4. Type as a buyer: the focus is in the name field now.
  await page.keyboard.type(SAMPLE.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type('12345');
  await page.keyboard.press('Tab'); // leaving the phone field shows its error
  controls = await widgetControls(cdp);
  check(controls.phone.attrs['aria-invalid'] === 'true', 'a 5-digit phone number was not flagged');
  check(controls.phone.error === '请输入以 1 开头的 11 位手机号码。', `phone error: ${controls.phone.error}`);
  check(controls.name.attrs['aria-invalid'] === 'false', 'the name is still flagged after typing it');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(SAMPLE.phone);
  await page.keyboard.press('Tab'); // country: China is preselected
  let level = 0;
  await pickChineseAddress(page.keyboard, () => untilList(cdp, ['city', 'district', 'district'][level++]), ZHEJIANG_HANGZHOU_XIHU);
  for (const v of [SAMPLE.streetLines[0], SAMPLE.postalCode]) {
    await page.keyboard.press('Tab');
    await page.keyboard.type(v);
  }
  controls = await widgetControls(cdp);
  for (const [name, v] of [['province', SAMPLE.addressLevel1], ['city', SAMPLE.addressLevel2], ['district', SAMPLE.addressLevel3]]) {
    const value = await controlValue(cdp, name);
    check(controls[name].tag === 'SELECT' && value === v, `${name}: a ${controls[name].tag} holding ${value}, expected the list with ${v}`);
  }
  check(controls.phone.attrs['aria-invalid'] === 'false' && controls.phone.errorHidden, 'the corrected phone is still flagged');
  await waitForState(page, 'the form to report valid', () => document.body.dataset.valid === 'true');

  // 5. Place the order.
  await page.click('#place-order');
  await waitForState(page, 'the sealed envelope', () => document.body.dataset.sealed === 'true');
  const sealed = await page.evaluate(() => ({
    sellerOrder: document.getElementById('seller-order').textContent,
    envelope: document.getElementById('seller-envelope').value,
    viewText: document.getElementById('seller-view').textContent,
    command: document.getElementById('open-command').textContent,
    lightDom: document.documentElement.outerHTML,
    events: window.__events,
    leaked: window.__leaked,
    csp: window.__csp,
    hidden: document.getElementById('seller-view').hidden,
  }));
  check(!sealed.hidden, '#seller-view is still hidden');
  check(sealed.envelope.startsWith('spe1.'), 'the envelope does not start with spe1.');
  check(/^DEMO-\d+$/.test(sealed.sellerOrder), `unexpected order reference ${sealed.sellerOrder}`);
  check(sealed.command.trim() === `sealpost open -i www/demo-courier.key --order ${sealed.sellerOrder} <<'EOF'\n${sealed.envelope}\nEOF`, `#open-command is not the expected command:\n${sealed.command}`);
  check(sealed.viewText.includes('CN') && sealed.viewText.includes(SAMPLE.addressLevel1), '#seller-view does not show the disclosed country and province');
  const sealedEvents = sealed.events.filter((e) => e.type === 'sealed');
  check(sealedEvents.length === 1 && sealedEvents[0].detail.includes(sealed.envelope), 'expected exactly one sealed event carrying the envelope');
  check(sealed.events.some((e) => e.type === 'ready') && sealed.events.some((e) => e.type === 'change'), 'ready / change events missing');
  // typing a whole address (a wrong phone corrected on the way) flips validity once or twice
  const changes = sealed.events.filter((e) => e.type === 'sealpost-change').length;
  check(changes >= 1 && changes <= 2, `${changes} sealpost-change events while typing (expected 1 or 2, on validity flips only)`);
  check(sealed.events.filter((e) => e.type === 'sealpost-ready').length === 1, 'no bubbling sealpost-ready');
  check(sealed.leaked.length === 0, `old event names reached window: ${sealed.leaked.join(', ')}`);
  // The disclosed province is in clear on purpose; everything else must appear nowhere.
  const places = {
    'the light DOM': sealed.lightDom,
    'an event': sealed.events.map((e) => e.detail).join('\n'),
    'a request or console message': seen.join('\n'),
    'the envelope': sealed.envelope,
  };
  for (const secret of SECRETS) {
    for (const [where, text] of Object.entries(places)) {
      check(!text.includes(secret), `plaintext ${JSON.stringify(secret)} appears in ${where}`);
    }
  }
  check(sealed.csp.length === 0, `CSP violations: ${sealed.csp.join(', ')}`);
  await page.screenshot({ path: path.join(outDir, 'demo-sealed.png'), fullPage: true });
  assertNoProblems('while sealing');
  log(`sealed ${sealed.envelope.length} characters for ${sealed.sellerOrder}; no plaintext outside the form; no CSP violation`);

  // 6. English.
  await page.click('#language');
  await waitForState(page, 'English', () => document.documentElement.lang === 'en');
  controls = await widgetControls(cdp);
  check(controls.name.label.startsWith('Full name'), `after switching to English the name label is ${controls.name.label}`);
  check(await page.textContent('#place-order') === 'Place order', 'the page did not switch to English');
  // what was written before the switch is redrawn too: the page's status and seller view, the
  // form's status line
  const english = await page.evaluate(() => ({ status: document.getElementById('status').textContent, seller: document.getElementById('seller-view').textContent }));
  const formStatus = (await flatNodes(cdp)).find((n) => n.inShadow && n.attrs.part === 'status');
  check(english.status === 'Order placed.' && english.seller.includes('Country: CN') && english.seller.includes('characters'), `the page's texts stayed in Chinese after the switch: ${JSON.stringify(english).slice(0, 200)}`);
  check(formStatus && textOf(formStatus.node).trim() === 'Address sealed: only the courier can read it.', `the form's status after the switch: ${formStatus && textOf(formStatus.node)}`);
  await page.screenshot({ path: path.join(outDir, 'demo-english.png'), fullPage: true });

  // 7. Seal a committed vector's address to the vector's keys with the package.
  let vector;
  if (vectorFile) {
    const v = JSON.parse(await readFile(vectorFile, 'utf8'));
    const orderRef = 'E2E-VECTOR-1';
    const envelope = await page.evaluate(async ({ address, keys, orderRef }) => {
      const m = await import('/pkg/index.js');
      return m.seal(address, keys, orderRef, 'region');
    }, { address: v.expect.address, keys: v.sealedTo, orderRef });
    check(typeof envelope === 'string' && envelope.startsWith('spe1.'), 'sealing the vector address failed');
    vector = { file: path.basename(vectorFile), orderRef, envelope };
    log(`sealed ${path.basename(vectorFile)}'s address to its ${v.sealedTo.length} keys`);
  }
  // 7b. seal()'s two X25519 paths, forced and automatic (crypto-paths.mjs).
  for (const [ok, message] of cryptoPathChecks('chromium', await page.evaluate(cryptoPaths))) check(ok, message);
  log("seal(): 'platform' uses WebCrypto X25519, 'wasm' does not, 'auto' takes the platform; all open");
  assertNoProblems('at the end');

  // 8. Hand the envelopes over for the courier side of the test.
  // the lists' names, and the district's code the form fills in (SPEC §4.2)
  const result = { orderRef: sealed.sellerOrder, envelope: sealed.envelope, expected: { ...SAMPLE, divisionCode: '330106' }, vector };
  const line = JSON.stringify(result);
  await writeFile(path.join(outDir, 'sealed.json'), `${line}\n`);
  await context.close();
  process.stdout.write(`${line}\n`);
}

/** 9. A shop that drops the controller `mount()` returned can never make the form submit. */
async function droppedController(browser) {
  const context = await browser.newContext({ locale: 'en' });
  const page = await context.newPage();
  const requests = [];
  const navigations = [];
  page.on('request', (r) => requests.push(`${r.url()} ${r.postData() || ''}`));
  await page.goto(baseURL);
  await waitForState(page, 'the demo page', () => document.body.dataset.ready === 'true', undefined, READY_TIMEOUT_MS);
  const startURL = page.url();
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  await page.evaluate(async () => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
    const { mount, TEST_COURIER_PUBLIC_KEY } = await import('/pkg/index.js');
    const host = document.createElement('div');
    host.id = 'gc-host';
    host.addEventListener('sealed', (e) => { window.__gcSealed = e.detail.envelope; });
    document.querySelector('main').append(host);
    // the controller is not kept anywhere
    await mount(host, { couriers: TEST_COURIER_PUBLIC_KEY, orderRef: 'GC-1', shadow: 'open', locale: 'en', testMode: true });
  });
  for (let i = 0; i < 5; i += 1) {
    await page.evaluate(() => { globalThis.gc(); });
    await page.waitForTimeout(100);
  }
  const field = (name) => page.locator(`#gc-host [name="${name}"]`);
  await field('name').fill(SAMPLE.name);
  await field('phone').fill(SAMPLE.phone);
  for (const [name, v] of [['province', SAMPLE.addressLevel1], ['city', SAMPLE.addressLevel2], ['district', SAMPLE.addressLevel3]]) {
    await page.locator(`#gc-host select[name="${name}"] option[value="${v}"]`).waitFor({ state: 'attached' });
    await page.locator(`#gc-host select[name="${name}"]`).selectOption(v);
  }
  await field('street').fill(SAMPLE.streetLines[0]);
  await field('postal-code').fill(SAMPLE.postalCode);
  await field('postal-code').press('Enter');
  await page.locator('#gc-host button').click();
  await page.waitForTimeout(1000);
  const after = await page.evaluate(() => ({ violations: window.__violations, sealed: window.__gcSealed || '' }));
  check(navigations.length === 0 && page.url() === startURL, `the dropped form navigated: ${navigations.join(', ')}`);
  check(after.violations.length === 0, `the form tried to submit (CSP: ${after.violations.join(', ')})`);
  for (const secret of SECRETS) {
    check(!requests.some((r) => r.includes(encodeURIComponent(secret)) || r.includes(secret)), `a request carried ${secret}`);
  }
  check(after.sealed.startsWith('spe1.'), 'the form stopped working once its controller was collected');
  log('inline mount with a dropped controller, after gc(): Enter and the button navigate nowhere, no request carries a field, the form still seals');
  await context.close();
}

/** A page of the demo's origin (same CSP) with only `body`: the module is not loaded yet. */
async function blankPage(context, lang, extraRoutes = {}) {
  const page = await context.newPage();
  await page.route(`${baseURL}__blank.html`, (route) => route.fulfill({
    contentType: 'text/html',
    headers: { 'content-security-policy': CSP },
    body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>t</title></head><body><form id="shop"></form></body></html>`,
  }));
  for (const [url, fulfill] of Object.entries(extraRoutes)) await page.route(url, (route) => route.fulfill(fulfill));
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${baseURL}__blank.html`);
  await page.evaluate(() => {
    window.__log = { windowErrors: [], formChanges: 0, csp: [] };
    window.addEventListener('error', (e) => window.__log.windowErrors.push(String(e.message || e.type)));
    document.getElementById('shop').addEventListener('change', () => { window.__log.formChanges += 1; });
    document.addEventListener('securitypolicyviolation', (e) => window.__log.csp.push(e.violatedDirective));
  });
  return { page, problems };
}

/** 10. The element as shop engineers use it (issue #16): code splitting, React, errors, load failure. */
async function asShopsUseIt(browser) {
  const context = await browser.newContext({ locale: 'en' });
  const { page, problems } = await blankPage(context, 'en');
  const r = await page.evaluate(async () => {
    const shop = document.getElementById('shop');
    const out = {};
    // Options set before the module loads (code splitting), and React 19's attribute.
    const early = document.createElement('sealpost-address');
    early.options = { testMode: true, orderRef: 'EARLY-1', shadow: 'open' };
    early.setAttribute('options', '[object Object]');
    early.setAttribute('locale', 'en');
    let changes = 0;
    early.addEventListener('sealpost-change', () => { changes += 1; });
    shop.append(early);
    // A bad courier key and a missing order reference, also before the module loads.
    const bad = document.createElement('sealpost-address');
    bad.options = { couriers: 'sp1qqqq', orderRef: 'BAD-1' };
    const errors = [];
    bad.addEventListener('sealpost-error', (e) => errors.push(e.detail.code));
    let readies = 0;
    bad.addEventListener('sealpost-ready', () => { readies += 1; });
    shop.append(bad);
    await import('/pkg/index.js');
    await early.ready();
    out.earlyOptions = early.options.orderRef;
    out.badReady = await bad.ready().then(() => 'ready', (e) => `${e.name}:${e.code}`);
    out.badErrors = [...errors];
    // a fix fires ready, and a new ready() resolves
    bad.options = { testMode: true, orderRef: 'BAD-1' };
    out.fixed = await bad.ready().then(() => 'ready', (e) => e.code);
    out.readies = readies;
    bad.options = { testMode: true };
    out.unfixed = await bad.ready().then(() => 'ready', (e) => e.code);
    window.__early = early;
    window.__changes = () => changes;
    return out;
  });
  check(r.earlyOptions === 'EARLY-1', `options set before the module loaded were lost: ${JSON.stringify(r)}`);
  check(r.badReady === 'SealpostError:invalid_public_key' && r.badErrors[0] === 'invalid_public_key', `a bad courier key did not fail at mount: ${JSON.stringify(r)}`);
  check(r.fixed === 'ready' && r.readies === 1, `fixing the options did not make the form ready: ${JSON.stringify(r)}`);
  check(r.unfixed === 'invalid_order_ref', `removing the order reference was not reported: ${JSON.stringify(r)}`);
  // Type a whole address into the early form (open shadow root: playwright pierces it).
  const field = (name) => page.locator(`sealpost-address [name="${name}"]`).first();
  for (const [name, v] of [['name', 'Jane Roe'], ['phone', '13812345678'], ['province', '浙江省'], ['city', '杭州市'], ['district', '西湖区'], ['street', '90 Wensan Road'], ['postal-code', '310012']]) {
    if (['province', 'city', 'district'].includes(name)) {
      // the lists of the address data: chosen when the level above has loaded them
      await page.locator(`sealpost-address select[name="${name}"] option[value="${v}"]`).first().waitFor({ state: 'attached' });
      await field(name).selectOption(v);
      continue;
    }
    await field(name).pressSequentially(v);
    await field(name).press('Tab');
  }
  const typed = await page.evaluate(async () => ({
    changes: window.__changes(),
    valid: window.__early.valid,
    sealed: (await window.__early.seal()).envelope.slice(0, 5),
    log: window.__log,
  }));
  check(typed.valid && typed.sealed === 'spe1.', `the early form did not seal: ${JSON.stringify(typed)}`);
  check(typed.changes === 1, `${typed.changes} sealpost-change events while typing a whole address (expected 1)`);
  check(typed.log.formChanges === 0, `the shop's form heard ${typed.log.formChanges} change events`);
  check(typed.log.windowErrors.length === 0, `window error listeners heard: ${typed.log.windowErrors.join(', ')}`);
  check(typed.log.csp.length === 0 && problems.length === 0, `problems: ${[...typed.log.csp, ...problems].join(', ')}`);
  log('options before the module loads applied, [object Object] ignored, bad config → sealpost-error + ready() rejects, fix → sealpost-ready, 1 change while typing, nothing on window or the shop form');

  // The module cannot load (a broken wasm): a visible message, load_failed everywhere.
  for (const lang of ['zh-CN', 'en']) {
    const broken = await blankPage(context, lang, {
      [`${baseURL}pkg/sealpost_bg.wasm`]: { contentType: 'application/wasm', body: 'not wasm' },
    });
    const f = await broken.page.evaluate(async () => {
      const el = document.createElement('sealpost-address');
      el.setAttribute('test-mode', '');
      el.setAttribute('order-ref', 'F-1');
      const codes = [];
      el.addEventListener('sealpost-error', (e) => codes.push(e.detail.code));
      document.getElementById('shop').append(el);
      await import('/pkg/index.js');
      const ready = await el.ready().then(() => 'ready', (e) => e.code);
      const seal = await el.seal().then(() => 'sealed', (e) => e.code);
      return { ready, seal, codes, log: window.__log };
    });
    const cdp = await context.newCDPSession(broken.page);
    const text = (await flatNodes(cdp)).filter((n) => n.inShadow && n.attrs.part === 'fallback').map((n) => textOf(n.node)).join('');
    const expected = lang === 'en' ? 'The address form could not load. Reload the page or contact the shop.' : '地址表单无法加载，请刷新页面或联系商家。';
    check(f.ready === 'load_failed' && f.seal === 'load_failed' && f.codes[0] === 'load_failed', `a load failure: ${JSON.stringify(f)}`);
    check(text === expected, `the fallback text (${lang}) is ${JSON.stringify(text)}`);
    check(f.log.csp.length === 0 && f.log.windowErrors.length === 0, `the fallback: ${JSON.stringify(f.log)}`);
    await broken.page.screenshot({ path: path.join(outDir, `fallback-${lang}.png`) });
    await broken.page.close();
  }
  log('a broken wasm: the fallback message in zh-CN and en, ready() and seal() reject load_failed');
  await context.close();

  // jsdom (its user agent names it): a coded error that names the alternatives.
  const jsdom = await browser.newContext({ userAgent: 'Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/26.1.0' });
  const j = await blankPage(jsdom, 'en');
  const e = await j.page.evaluate(async () => {
    const el = document.createElement('sealpost-address');
    document.getElementById('shop').append(el);
    await import('/pkg/index.js');
    return el.ready().then(() => null, (err) => ({ code: err.code, message: err.message }));
  });
  check(e && e.code === 'unsupported_environment' && /Playwright/.test(e.message) && /sealpost\/testing/.test(e.message), `under jsdom: ${JSON.stringify(e)}`);
  log('a jsdom user agent: unsupported_environment naming the alternatives');
  await jsdom.close();

  // A shop with its own form: validateAddress() and seal() load only the seal-only module on
  // the platform path (not the form's), under the demo's CSP; the envelope opens.
  const own = await browser.newContext();
  const o = await blankPage(own, 'en');
  const wasmFiles = [];
  o.page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmFiles.push(path.basename(new URL(r.url()).pathname)); });
  const sealedOwn = await o.page.evaluate(async () => {
    const sp = await import('/pkg/index.js');
    const address = { name: 'Zhang San', phone: '13812345678', country: 'CN', addressLevel1: 'Zhejiang', addressLevel2: 'Hangzhou', addressLevel3: 'Xihu', streetLines: ['90 Wensan Road'], postalCode: '310012' };
    await sp.validateAddress(address);
    const envelope = await sp.seal(address, sp.TEST_COURIER_PUBLIC_KEY, 'OWN-1', 'none');
    return { envelope, csp: window.__log.csp };
  });
  check(JSON.stringify(wasmFiles) === '["sealpost_seal_bg.wasm"]', `a page that only seals fetched ${JSON.stringify(wasmFiles)}, not just the seal-only module`);
  check(sealedOwn.envelope.startsWith('spe1.') && sealedOwn.csp.length === 0 && o.problems.length === 0, `own form: ${JSON.stringify(sealedOwn).slice(0, 200)} ${o.problems.join('; ')}`);
  const openedOwn = await o.page.evaluate(async (env) => (await (await import('/pkg/index.js')).openTestEnvelope(env, 'OWN-1')).name, sealedOwn.envelope);
  check(openedOwn === 'Zhang San', `the seal-only module's envelope opened to ${openedOwn}`);
  check(JSON.stringify(wasmFiles) === '["sealpost_seal_bg.wasm","sealpost_full_bg.wasm"]', `openTestEnvelope() fetched ${JSON.stringify(wasmFiles)}: the whole module after the seal-only one, never the form's`);
  log("a page with its own form: validateAddress() and seal() fetch only sealpost_seal_bg.wasm, openTestEnvelope() the whole module; the envelope opens");
  await own.close();
}

async function main() {
  await mkdir(outDir, { recursive: true });
  // Never leave a stale result from an earlier run behind a failing one.
  await rm(path.join(outDir, 'sealed.json'), { force: true });

  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    log(`chromium ${browser.version()} (${executablePath})`);
    await run(browser);
    await droppedController(browser);
    await asShopsUseIt(browser);
    log('PASS');
  } catch (err) {
    await rm(path.join(outDir, 'sealed.json'), { force: true }).catch(() => {});
    const message = err instanceof CheckFailed ? err.message : (err && err.stack) || String(err);
    process.stderr.write(`[e2e] FAIL: ${message}\n`);
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
}

await main();
