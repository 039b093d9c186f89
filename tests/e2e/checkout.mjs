#!/usr/bin/env node
// Browser end-to-end check of the sealpost demo shop (www/).
//
//   node checkout.mjs <baseURL> <outDir> [vectorFile]
//
// Drives the page in Debian's chromium through playwright-core (no browser download):
//   1. loads the page and waits for the wasm module (body[data-ready="true"]),
//   2. submits a bad phone number and checks the error is shown on the phone field,
//   3. seals the sample Chinese address and checks what the seller sees holds no plaintext,
//   4. with [vectorFile] (an envelope vector from tests/vectors/envelope), seals that vector's
//      address to its public keys with the page's own module, so the native side can open a
//      browser-sealed envelope with the vector identity,
//   5. writes <outDir>/sealed.json ({orderRef, envelope, expected, vector?}) and prints it as one line.
// Screenshots: <outDir>/demo-ready.png, <outDir>/demo-sealed.png.
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
const SECRETS = [SAMPLE.name, SAMPLE.phone, '文三路'];

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
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);

  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const { url, lineNumber } = msg.location();
      problems.push(`console error: ${msg.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.stack || err.message}`));
  page.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });

  // 1. Load the page and wait for the wasm module.
  log(`loading ${baseURL}`);
  const response = await page.goto(baseURL, { waitUntil: 'load', timeout: READY_TIMEOUT_MS });
  check(response && response.ok(), `GET ${baseURL} failed: HTTP ${response ? response.status() : 'no response'}`);
  const csp = response.headers()['content-security-policy'];
  log(csp ? `page served with CSP: ${csp}` : 'warning: page served WITHOUT a Content-Security-Policy header');
  await waitForState(
    page,
    'body[data-ready="true"]',
    () => document.body.dataset.ready === 'true' || document.body.dataset.lastError,
    null,
    READY_TIMEOUT_MS,
  );
  const readyState = await page.evaluate(() => ({ ...document.body.dataset }));
  check(readyState.ready === 'true', `page did not become ready: ${JSON.stringify(readyState)}; ${problems.join(' | ')}`);
  check((await sellerViewHidden(page)) === true, '#seller-view must exist and be hidden before sealing');
  await page.screenshot({ path: path.join(outDir, 'demo-ready.png'), fullPage: true });
  assertNoProblems('while loading');
  log('ready; screenshot demo-ready.png');

  // 2. A bad phone number is refused on the phone field.
  await page.fill('#phone', '12345');
  await page.click('#seal-button');
  await waitForState(
    page,
    'body[data-last-error="phone_invalid"]',
    () => document.body.dataset.lastError === 'phone_invalid' || document.body.dataset.sealed === 'true'
      || (document.body.dataset.lastError && document.body.dataset.lastError !== 'phone_invalid'),
  );
  const bad = await page.evaluate(() => {
    const phone = document.getElementById('phone');
    const described = (phone.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id))
      .filter((el) => el && el.getAttribute('role') === 'alert' && !el.hidden && el.textContent.trim());
    return {
      lastError: document.body.dataset.lastError,
      sealed: document.body.dataset.sealed,
      ariaInvalid: phone.getAttribute('aria-invalid'),
      activeId: document.activeElement ? document.activeElement.id : null,
      alertText: described.length ? described[0].textContent.trim() : null,
    };
  });
  check(bad.lastError === 'phone_invalid', `expected data-last-error="phone_invalid", got ${JSON.stringify(bad.lastError)}`);
  check(bad.sealed !== 'true', 'a bad phone number was sealed');
  check(bad.ariaInvalid === 'true', `#phone should have aria-invalid="true", has ${JSON.stringify(bad.ariaInvalid)}`);
  check(bad.activeId === 'phone', `focus should be on #phone, is on ${JSON.stringify(bad.activeId)}`);
  check(bad.alertText, '#phone has no visible role="alert" message linked through aria-describedby');
  check((await sellerViewHidden(page)) === true, '#seller-view must stay hidden after an error');
  assertNoProblems('after the bad phone number');
  log(`bad phone refused: "${bad.alertText}"`);
  await page.fill('#phone', '13812345678');

  // 3. Seal a known address.
  const orderRef = `E2E-${Date.now()}`;
  await page.fill('#name', SAMPLE.name);
  await page.fill('#phone', SAMPLE.phone);
  await page.selectOption('#country', SAMPLE.country);
  await page.fill('#address-level1', SAMPLE.addressLevel1);
  await page.fill('#address-level2', SAMPLE.addressLevel2);
  await page.fill('#address-level3', SAMPLE.addressLevel3);
  await page.fill('#street', SAMPLE.streetLines[0]);
  await page.fill('#postal-code', SAMPLE.postalCode);
  await page.fill('#order-ref', orderRef);
  await page.selectOption('#disclose', 'region');
  await page.click('#seal-button');
  await waitForState(
    page,
    'body[data-sealed="true"]',
    () => document.body.dataset.sealed === 'true' || document.body.dataset.lastError,
  );
  const sealed = await page.evaluate(() => {
    const env = document.getElementById('seller-envelope');
    const view = document.getElementById('seller-view');
    const command = document.getElementById('open-command');
    return {
      sealed: document.body.dataset.sealed,
      lastError: document.body.dataset.lastError,
      sellerOrder: document.getElementById('seller-order')?.textContent.trim(),
      envelope: (env && ('value' in env ? env.value : env.textContent) || '').trim(),
      viewText: view.textContent,
      viewHidden: view.hidden || view.getClientRects().length === 0,
      command: command ? command.textContent : null,
    };
  });
  check(sealed.sealed === 'true', `sealing failed: data-last-error=${JSON.stringify(sealed.lastError)}`);
  check(!sealed.viewHidden, '#seller-view is still hidden after sealing');
  check(sealed.sellerOrder === orderRef, `#seller-order shows ${JSON.stringify(sealed.sellerOrder)}, expected ${orderRef}`);
  check(sealed.envelope.startsWith('spe1.'), `envelope does not start with "spe1.": ${sealed.envelope.slice(0, 40)}`);
  const expectedCommand = `sealpost open -i www/demo-courier.key --order ${orderRef} <<'EOF'\n${sealed.envelope}\nEOF`;
  check(
    sealed.command !== null && sealed.command.trim() === expectedCommand,
    `#open-command is not the expected command; got:\n${sealed.command}`,
  );
  for (const secret of SECRETS) {
    check(!sealed.viewText.includes(secret), `plaintext ${JSON.stringify(secret)} appears in #seller-view`);
    check(!sealed.envelope.includes(secret), `plaintext ${JSON.stringify(secret)} appears in the envelope`);
  }
  // Disclosed with "region": country and province are shown in clear.
  check(
    sealed.viewText.includes(SAMPLE.country) && sealed.viewText.includes(SAMPLE.addressLevel1),
    '#seller-view does not show the disclosed country and province',
  );
  check(/(^|[^0-9a-f])[0-9a-f]{16}([^0-9a-f]|$)/.test(sealed.viewText.split(sealed.envelope).join(" ")),
    '#seller-view shows no 16-hex-digit recipient key id');
  check(sealed.viewText.includes(String(sealed.envelope.length)), '#seller-view does not show the envelope length');
  await page.screenshot({ path: path.join(outDir, 'demo-sealed.png'), fullPage: true });
  assertNoProblems('while sealing');
  log(`sealed ${sealed.envelope.length} characters for ${orderRef}; screenshot demo-sealed.png`);

  // 4. Seal a committed vector's address to the vector's keys with the page's module.
  let vector;
  if (vectorFile) {
    const v = JSON.parse(await readFile(vectorFile, 'utf8'));
    const orderRef = 'E2E-VECTOR-1';
    const envelope = await page.evaluate(async ({ address, keys, orderRef }) => {
      const m = await import(new URL('pkg/sealpost.js', document.baseURI).href);
      return m.seal(address, keys, orderRef, 'region');
    }, { address: v.expect.address, keys: v.sealedTo, orderRef });
    check(typeof envelope === 'string' && envelope.startsWith('spe1.'), 'sealing the vector address failed');
    vector = { file: path.basename(vectorFile), orderRef, envelope };
    assertNoProblems('while sealing the vector address');
    log(`sealed ${path.basename(vectorFile)}'s address to its ${v.sealedTo.length} keys`);
  }

  // 5. Hand the envelopes over for the courier side of the test.
  const result = { orderRef: sealed.sellerOrder, envelope: sealed.envelope, expected: SAMPLE, vector };
  const line = JSON.stringify(result);
  await writeFile(path.join(outDir, 'sealed.json'), `${line}\n`);
  await context.close();
  assertNoProblems('at the end');
  process.stdout.write(`${line}\n`);
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
