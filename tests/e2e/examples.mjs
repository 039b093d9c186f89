#!/usr/bin/env node
// The examples (examples/*), built and served, driven in headless Chromium like a shop's own
// checkout test would be, with the package's sealpost/testing helpers:
//
//   node examples.mjs <baseURL> <exampleDir> puppeteer|playwright
//
//   1. loads the page; for the webpack example, checks the element is in the page but not
//      defined (its code is a separate chunk), then presses "Continue" to load it;
//   2. waits for `sealpost-ready` (listened for on `document`: it bubbles and is composed);
//   3. fillAddress() types the sample address into the test-mode form with the keyboard (the
//      province, city and district: chosen from the lists of the address data, which the
//      example's build copies beside its bundle and gives the form as `dataUrl`);
//   4. presses the page's "Place order" button, waits for `sealpost-sealed` and for the page to
//      show that envelope; openTestEnvelope() opens it to the typed address;
//   5. checks `options` was set as a property, never written as an attribute ("[object
//      Object]"), that no typed value reached the light DOM, and that the browser reported no
//      error or CSP violation;
//   6. fillAddress() refuses a form that is not in test mode and one with a closed shadow root.
//
// sealpost/testing is imported from the example's own node_modules: what a shop installs.
// `puppeteer` or `playwright` chooses the driver: the helper takes either kind of page.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [baseURL, exampleDir, driver] = process.argv.slice(2);
if (!baseURL || !exampleDir || !['puppeteer', 'playwright'].includes(driver)) {
  process.stderr.write('usage: node examples.mjs <baseURL> <exampleDir> puppeteer|playwright\n');
  process.exit(2);
}
const example = path.basename(exampleDir);
const testing = await import(pathToFileURL(path.join(exampleDir, 'node_modules/sealpost/testing.js')).href);

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
const TIMEOUT_MS = 20_000;

const SAMPLE = {
  name: '李四',
  phone: '13912345678',
  country: 'CN',
  addressLevel1: '广东省',
  addressLevel2: '深圳市',
  addressLevel3: '南山区',
  streetLines: ['科技园路 1 号'],
  postalCode: '518057',
};
/** Typed values that must never appear outside the form. */
const SECRETS = [SAMPLE.name, SAMPLE.phone, '科技园路', '南山区', SAMPLE.postalCode];

function log(message) {
  process.stderr.write(`[examples:${example}] ${message}\n`);
}

/** Runs before any page script: records the element's events as `document` sees them. */
function recordEvents() {
  window.__seen = [];
  for (const type of ['sealpost-ready', 'sealpost-change', 'sealpost-sealed', 'sealpost-error']) {
    document.addEventListener(type, (e) => {
      window.__seen.push({ type, target: e.target && e.target.localName, detail: e.detail === undefined ? null : e.detail });
    });
  }
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__seen.push({ type: 'csp', detail: `${e.violatedDirective} ${e.blockedURI}` });
  });
}

/** The two drivers behind one small interface. */
async function launch(userDataDir) {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (driver === 'puppeteer') {
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, userDataDir });
    const page = await browser.newPage();
    await page.evaluateOnNewDocument(recordEvents);
    return {
      browser,
      page,
      waitFor: (fn, arg) => page.waitForFunction(fn, { timeout: TIMEOUT_MS }, arg),
    };
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  await page.addInitScript(recordEvents);
  return {
    browser,
    page,
    waitFor: (fn, arg) => page.waitForFunction(fn, arg, { timeout: TIMEOUT_MS }),
  };
}

async function seen(page, type) {
  return page.evaluate((t) => window.__seen.filter((e) => e.type === t), type);
}

/** Server rendering with the example's own React: the element, no options attribute. */
async function serverRender() {
  const from = (m) => import(pathToFileURL(path.join(exampleDir, 'node_modules', m)).href);
  const { createElement } = (await from('react/index.js')).default;
  const { renderToString } = (await from('react-dom/server.node.js')).default;
  const { SealpostAddress } = await from('sealpost/react.js');
  const html = renderToString(createElement(SealpostAddress, { options: { testMode: true, orderRef: 'ORD-SSR' }, className: 'address' }));
  assert.equal(html, '<sealpost-address class="address"></sealpost-address>');
  log('server rendering: <sealpost-address class="address">, no options attribute');
}

async function run({ page, waitFor }, problems, requests) {
  if (example === 'vite-react') await serverRender();
  await page.goto(baseURL);

  if (example === 'webpack') {
    const before = await page.evaluate(() => ({
      inPage: document.querySelector('sealpost-address') !== null,
      defined: customElements.get('sealpost-address') !== undefined,
    }));
    assert.deepEqual(before, { inPage: true, defined: false }, 'the element is in the page, its code not loaded yet');
    assert.ok(!requests.some((u) => u.endsWith('.wasm')), 'no wasm fetched before "Continue"');
    await page.click('#continue');
  }

  await waitFor(() => window.__seen.some((e) => e.type === 'sealpost-ready' || e.type === 'sealpost-error'));
  const errors = await seen(page, 'sealpost-error');
  assert.deepEqual(errors, [], 'no sealpost-error');
  const [ready] = await seen(page, 'sealpost-ready');
  assert.equal(ready.target, 'sealpost-address', 'sealpost-ready bubbled to document from the element');
  log('sealpost-ready');

  await testing.fillAddress(page, 'sealpost-address', SAMPLE);
  await waitFor(() => document.getElementById('status').dataset.valid === 'true');
  const changes = await seen(page, 'sealpost-change');
  assert.ok(changes.length > 0 && changes.at(-1).detail.valid === true, 'sealpost-change reported the form valid');
  for (const c of changes) assert.deepEqual(Object.keys(c.detail).filter((k) => k !== 'fields'), ['valid'], 'change carries validity only');
  log(`typed the address (fillAddress); ${changes.length} sealpost-change event(s)`);

  await page.click('#place-order');
  await waitFor(() => window.__seen.some((e) => e.type === 'sealpost-sealed') && document.getElementById('envelope')?.textContent);
  const [sealed] = await seen(page, 'sealpost-sealed');
  const shown = await page.evaluate(() => document.getElementById('envelope').textContent);
  assert.match(sealed.detail.envelope, /^spe1\./);
  assert.equal(shown, sealed.detail.envelope, 'the page shows the envelope of sealpost-sealed');
  const opened = await testing.openTestEnvelope(sealed.detail.envelope, sealed.detail.orderRef);
  // the province, city and district chosen from the address data the example serves
  // (dataUrl): the district's code sealed with them
  assert.deepEqual(opened, { ...SAMPLE, company: '', deliveryNote: '', divisionCode: '440305' }, 'the envelope opens to the typed address');
  const data = requests.filter((u) => u.includes('/sealpost-data/')).map((u) => new URL(u).pathname.replace(/^.*\/sealpost-data\//, '')).sort();
  assert.deepEqual(data, ['cn/44.json', 'cn/index.json', 'intl/CN.json'], 'the address data came from the folder the build copied, once each');
  log(`sealed for ${sealed.detail.orderRef}, opened with openTestEnvelope: the typed address, division 440305; data fetched: ${data.join(', ')}`);

  const element = await page.evaluate(() => {
    const el = document.querySelector('sealpost-address');
    const attributes = [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => `${e.localName}[${a.name}=${a.value}]`));
    return {
      optionsAttribute: el.getAttribute('options'),
      objectAttributes: attributes.filter((a) => a.includes('[object')),
      testMode: el.options.testMode,
      orderRef: el.options.orderRef,
      html: document.documentElement.outerHTML,
    };
  });
  assert.equal(element.optionsAttribute, null, 'no options attribute');
  assert.deepEqual(element.objectAttributes, [], 'no attribute holds "[object Object]"');
  assert.equal(element.testMode, true, 'options was set as a property');
  assert.equal(element.orderRef, sealed.detail.orderRef);
  for (const secret of SECRETS) assert.ok(!element.html.includes(secret), `a typed value reached the light DOM: ${secret}`);
  log('options is a property, never an attribute; no typed value in the light DOM');

  // The helper refuses forms it must not fill: one sealing to a real key (not test mode), one
  // whose shadow root is closed (the production default).
  const key = testing.TEST_COURIER_PUBLIC_KEY;
  await page.evaluate((couriers) => {
    for (const [id, options] of [
      // without address data: the refusals need none (and the package's default data folder
      // is not where these builds copied it)
      ['live', { couriers, orderRef: 'ORD-LIVE', shadow: 'open', dataUrl: null }],
      ['closed', { testMode: true, orderRef: 'ORD-CLOSED', dataUrl: null }],
    ]) {
      const el = document.createElement('sealpost-address');
      el.id = id;
      el.options = options;
      document.body.append(el);
    }
  }, key);
  await waitFor(() => window.__seen.filter((e) => e.type === 'sealpost-ready').length >= 3);
  await assert.rejects(testing.fillAddress(page, '#live', SAMPLE), (e) => e.code === 'not_test_mode');
  await assert.rejects(testing.fillAddress(page, '#closed', SAMPLE), (e) => e.code === 'shadow_not_open');
  await assert.rejects(testing.fillAddress(page, '#nothing-here', SAMPLE), (e) => e.code === 'not_found');
  log('fillAddress refuses a form not in test mode and a closed one');

  const csp = await seen(page, 'csp');
  assert.deepEqual(csp, [], 'no CSP violation');
  assert.deepEqual(problems, [], 'no console error or page error');
  assert.ok(requests.some((u) => u.endsWith('.wasm')), 'the wasm module was fetched');
}

async function main() {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'sealpost-examples-'));
  const problems = [];
  const requests = [];
  let session;
  try {
    session = await launch(userDataDir);
    // the browser's own favicon request is not the page's: examples ship none
    const favicon = (url) => new URL(url).pathname === '/favicon.ico';
    session.page.on('console', (m) => {
      if (m.type() === 'error' && !favicon(m.location().url || baseURL)) problems.push(`console: ${m.text()} (${m.location().url})`);
    });
    session.page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    session.page.on('request', (r) => requests.push(r.url()));
    await run(session, problems, requests);
    log(`PASS (${driver})`);
  } catch (err) {
    const extra = problems.length ? `\nbrowser errors:\n  ${problems.join('\n  ')}` : '';
    process.stderr.write(`[examples:${example}] FAIL: ${(err && err.stack) || err}${extra}\n`);
    process.exitCode = 1;
  } finally {
    if (session) await session.browser.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  }
}

await main();
