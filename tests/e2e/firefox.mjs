#!/usr/bin/env node
// The demo checkouts in Debian's Firefox (firefox-esr), driven over WebDriver BiDi with
// puppeteer-core (Playwright's Firefox cannot be downloaded here):
//
//   node firefox.mjs <shopOrigin> <frameOrigin> <outDir>
//
//   1. inline checkout (`/`): the buyer reaches the form with Tab from the page's first button
//      (a closed shadow root cannot be queried, so the keyboard is the way in), types the Chinese
//      sample address (province, city and district in the lists of the address data, through
//      their filters: picker.mjs), places the order; the page shows the envelope;
//   2. isolated checkout (`/isolated.html`): the frame becomes ready (Firefox reports
//      `ancestorOrigins` as "null" under referrerpolicy="no-referrer"), the buyer tabs into the
//      frame, types, confirms with Enter inside the frame, places the order; the page saw only
//      `{ valid }` changes, cannot reach the frame's document, and no plaintext;
//      Before the buyer types, the page attacks: recipient options on the live element and a
//      clone with an attacker key (hostile-options.mjs), forged messages, a frame reload; a
//      session-replay script records throughout and must learn nothing;
//   3. a shop origin outside the policy cannot embed the frame (frame-ancestors), and a wasm
//      changed on the way is refused by its SRI hash;
//   4. writes <outDir>/sealed-firefox.json: { inline: {orderRef, envelope}, isolated: {…},
//      expected } for xtask to open with the real CLI.
// Screenshots: <outDir>/firefox-inline.png, firefox-isolated.png.

import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import puppeteer from 'puppeteer-core';
import { cryptoPathChecks, cryptoPaths } from './crypto-paths.mjs';
import { EXPECTED, forgeries, hostileOptions, sessionReplay } from './hostile-options.mjs';
import { pickChineseAddress, ZHEJIANG_HANGZHOU_XIHU } from './picker.mjs';

/** The public test key: what a page script would most like the form to seal to. */
const ATTACKER_KEY = 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw';

const STEP_TIMEOUT_MS = 30_000;
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
const log = (m) => process.stderr.write(`[firefox] ${m}\n`);

const [shopOrigin, frameOrigin, outDir] = process.argv.slice(2);
if (!shopOrigin || !frameOrigin || !outDir) {
  process.stderr.write('usage: node firefox.mjs <shopOrigin> <frameOrigin> <outDir>\n');
  process.exit(2);
}

async function waitFor(page, what, predicate, arg) {
  try {
    await page.waitForFunction(predicate, { timeout: STEP_TIMEOUT_MS }, arg);
  } catch {
    const state = await page.evaluate(() => JSON.stringify({ ...document.body.dataset })).catch(() => '?');
    throw new CheckFailed(`timed out waiting for ${what} (body data: ${state})`);
  }
}

/** The closed shadow root (and the frame) hide the form from this test: a pause for the
 *  address data a choice asks for (a file of about 1 KB from the same machine). */
const settle = () => new Promise((r) => { setTimeout(r, 1500); });

/** Province, city and district in the form's lists, by their filters (picker.mjs), then
 *  street and postal code; the keyboard focus on the country select. */
async function pickAndType(page) {
  await pickChineseAddress(page.keyboard, settle, ZHEJIANG_HANGZHOU_XIHU);
  for (const v of [SAMPLE.streetLines[0], SAMPLE.postalCode]) {
    await page.keyboard.press('Tab');
    await page.keyboard.type(v);
  }
}

/** Types the sample address, the keyboard focus being on the name field. */
async function typeAddress(page) {
  await page.keyboard.type(SAMPLE.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(SAMPLE.phone);
  await page.keyboard.press('Tab'); // country: China is preselected
  await pickAndType(page);
}

async function inline(browser) {
  const page = await browser.newPage();
  await page.goto(`${shopOrigin}/`);
  await waitFor(page, 'the inline form', () => document.body.dataset.ready === 'true');
  await page.focus('#language');
  await page.keyboard.press('Tab');
  await typeAddress(page);
  await waitFor(page, 'a valid form', () => document.body.dataset.valid === 'true');
  await page.click('#place-order');
  await waitFor(page, 'the envelope', () => !document.getElementById('seller-view').hidden);
  const seen = await page.evaluate(() => ({
    envelope: document.getElementById('seller-envelope').value,
    order: document.getElementById('order-ref').textContent,
    dom: document.documentElement.outerHTML,
    shadow: document.getElementById('address').shadowRoot,
  }));
  check(seen.envelope.startsWith('spe1.'), `no envelope: ${seen.envelope.slice(0, 40)}`);
  check(seen.shadow === null, 'the closed shadow root is reachable');
  for (const s of SECRETS) check(!seen.dom.includes(s), `plaintext ${s} in the page DOM`);
  await page.screenshot({ path: path.join(outDir, 'firefox-inline.png'), fullPage: true });
  log(`inline checkout sealed ${seen.envelope.length} characters for ${seen.order}`);
  for (const [ok, message] of cryptoPathChecks('firefox', await page.evaluate(cryptoPaths))) check(ok, message);
  log("seal(): 'platform' uses WebCrypto X25519, 'wasm' does not, 'auto' takes wasm; all open");
  await page.close();
  return { orderRef: seen.order, envelope: seen.envelope };
}

async function isolated(browser) {
  const page = await browser.newPage();
  await page.evaluateOnNewDocument(sessionReplay, shopOrigin);
  await page.goto(`${shopOrigin}/isolated.html?frame=${frameOrigin}`);
  await waitFor(page, 'the isolated form (frame ready)', () => document.body.dataset.ready === 'true');
  const reach = await page.evaluate(() => {
    const el = document.getElementById('address');
    return { shadow: el.shadowRoot === null, frames: window.length };
  });
  check(reach.shadow, 'the element\'s closed shadow root is reachable');
  const attacked = await page.evaluate(hostileOptions, ATTACKER_KEY);
  check(Object.keys(EXPECTED).every((k) => attacked[k] === EXPECTED[k]), `hostile options: ${JSON.stringify(attacked)}`);
  log(`hostile page: every recipient option refused, a clone with the attacker key refused, no envelope before the buyer (${Object.keys(attacked).length} checks)`);
  const forged = await page.evaluate(forgeries, { frameOrigin, attackerKey: ATTACKER_KEY });
  check(forged.config === 'option_not_allowed' && forged.syntheticSealed === 0, `forged messages: ${JSON.stringify(forged)}`);
  log('forged messages: a synthetic sealed event ignored, a config with the stolen channel token refused');
  // the page reloads the frame under the buyer: it starts over from its own policy (a second
  // `hello`, configured again) and the checkout goes on
  await page.evaluate(() => {
    const root = window.__replay.roots.find((r) => r.host === document.getElementById('address'));
    const iframe = root.querySelector('iframe');
    iframe.src = iframe.src; // eslint-disable-line no-self-assign
  });
  await waitFor(page, 'the reloaded frame to say hello again', () => window.__replay.messages.filter((m) => JSON.parse(m).data.type === 'hello').length >= 2);
  await new Promise((r) => { setTimeout(r, 1500); });
  log('frame reloaded by the page: it said hello again and was configured from its own policy');
  const heightsBefore = await page.evaluate(() => window.__replay.heights.length);
  // into the frame by keyboard: the page's language button, then Tab
  await page.focus('#language');
  await page.keyboard.press('Tab'); // on the page: moves the focus into the frame
  await page.evaluate(() => { window.__replay.keys = []; });
  // the buyer switches the country to the next one (another layout) and back on the way
  await page.keyboard.type(SAMPLE.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(SAMPLE.phone);
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown');
  await new Promise((r) => { setTimeout(r, 500); });
  await page.keyboard.press('ArrowUp');
  await settle();
  await pickAndType(page);
  await waitFor(page, 'a valid form', () => document.body.dataset.valid === 'true');
  await page.keyboard.press('Enter'); // confirms inside the frame
  await waitFor(page, 'the buyer\'s confirmation', () => document.body.dataset.confirmed === 'true');
  await page.click('#place-order');
  await waitFor(page, 'the order', () => document.body.dataset.sealed === 'true');
  const seen = await page.evaluate(() => ({
    envelope: document.getElementById('seller-envelope').value,
    order: document.body.dataset.order,
    dom: document.documentElement.outerHTML,
    replay: window.__replay,
  }));
  const heights = seen.replay.heights.slice(Math.max(0, heightsBefore - 1));
  check(new Set(heights).size === 1, `the iframe height followed the buyer (layout switch, errors): ${JSON.stringify(heights)}`);
  check(seen.replay.keys.length === 0, `the replay script saw keys: ${seen.replay.keys.slice(0, 5).join(' ')}`);
  const replayed = [...seen.replay.messages, ...seen.replay.mutations, ...seen.replay.polls].join('\n');
  for (const s of SECRETS) check(!replayed.includes(s), `the replay script recorded ${s}`);
  check(seen.envelope.startsWith('spe1.'), 'no envelope');
  const changes = seen.replay.events.filter((e) => e.type === 'change');
  check(changes.length >= 1 && changes.every((e) => e.detail === '{"valid":true}' || e.detail === '{"valid":false}'),
    `change events: ${JSON.stringify(changes)}`);
  const text = [seen.dom, ...seen.replay.events.map((e) => e.detail)].join('\n');
  for (const s of SECRETS) check(!text.includes(s), `plaintext ${s} reached the page`);
  await page.screenshot({ path: path.join(outDir, 'firefox-isolated.png'), fullPage: true });
  log(`isolated checkout: frame ready, ${changes.length} validity change(s), 0 key events, one frame height (${heights[0]}px) through typing and a country change and back, replay recorded no plaintext (${seen.replay.polls.length} polls), sealed for ${seen.order}`);
  await page.close();
  return { orderRef: seen.order, envelope: seen.envelope };
}

/** A shop origin not in the policy (`localhost` instead of `127.0.0.1`, same server) cannot
 * embed the frame: `frame-ancestors` refuses it, the form never becomes ready. */
async function foreignEmbedder(browser) {
  const page = await browser.newPage();
  const hasForm = async () => Promise.all(page.frames().filter((f) => f !== page.mainFrame())
    .map((f) => f.evaluate(() => Boolean(document.getElementById('form'))).catch(() => false)));
  // the check itself sees a frame's form where one is embedded (so a refusal below means one)
  await page.goto(`${shopOrigin}/isolated.html?frame=${frameOrigin}`);
  await waitFor(page, 'the genuine frame', () => document.body.dataset.ready === 'true');
  check((await hasForm()).some(Boolean), 'the check cannot see into an embedded frame');
  const foreign = shopOrigin.replace('127.0.0.1', 'localhost');
  check(foreign !== shopOrigin, `cannot make a foreign origin from ${shopOrigin}`);
  await page.goto(`${foreign}/isolated.html?frame=${frameOrigin}`);
  await new Promise((r) => { setTimeout(r, 5000); });
  const ready = await page.evaluate(() => document.body.dataset.ready === 'true');
  const loaded = await hasForm();
  check(!ready && !loaded.some(Boolean), `a page on ${foreign} embedded the frame (ready ${ready}, frames ${loaded})`);
  log(`a page on ${foreign} (not in the policy) cannot embed the frame (frame-ancestors)`);
  await page.close();
}

/** A wasm changed on the way is refused by its SRI hash: `load_failed`, never `ready`. */
async function tamperedWasm(browser) {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  let tampered = false;
  page.on('request', async (req) => {
    if (req.url() === `${frameOrigin}/pkg/sealpost_bg.wasm`) {
      const res = await fetch(req.url());
      const body = Buffer.from(await res.arrayBuffer());
      body[body.length - 1] ^= 1;
      tampered = true;
      await req.respond({ status: 200, contentType: 'application/wasm', body });
    } else {
      await req.continue();
    }
  });
  await page.goto(`${shopOrigin}/isolated.html?frame=${frameOrigin}`);
  await waitFor(page, 'the tampered frame to fail', () => document.body.dataset.lastError);
  const state = await page.evaluate(() => ({ ...document.body.dataset }));
  check(tampered, 'the wasm request was not seen (interception did not reach the frame)');
  check(state.ready !== 'true' && state.lastError === 'load_failed', `tampered wasm: ${JSON.stringify(state)}`);
  log('a tampered wasm is refused by its SRI hash (load_failed), the form never becomes ready');
  await page.close();
}

async function main() {
  await mkdir(outDir, { recursive: true });
  await rm(path.join(outDir, 'sealed-firefox.json'), { force: true });
  const executablePath = process.env.FIREFOX || execFileSync('sh', ['-c', 'command -v firefox-esr || command -v firefox']).toString().trim();
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      headless: true,
      executablePath,
      protocol: 'webDriverBiDi',
      extraPrefsFirefox: { 'browser.shell.checkDefaultBrowser': false, 'app.update.enabled': false },
    });
    log(`${await browser.version()} (${executablePath})`);
    // the lists' names and the district's code the form fills in (SPEC §4.2)
    const result = { inline: await inline(browser), isolated: await isolated(browser), expected: { ...SAMPLE, divisionCode: '330106' } };
    await foreignEmbedder(browser);
    await tamperedWasm(browser);
    await writeFile(path.join(outDir, 'sealed-firefox.json'), `${JSON.stringify(result)}\n`);
    log('PASS');
  } catch (err) {
    process.stderr.write(`[firefox] FAIL: ${err instanceof CheckFailed ? err.message : (err && err.stack) || err}\n`);
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
}

await main();
