#!/usr/bin/env node
// The demo checkouts in WebKit (Debian's WebKitGTK MiniBrowser), driven by WebKitWebDriver
// (W3C WebDriver classic) under Xvfb, with a few lines of WebDriver client here:
//
//   node webkit.mjs <shopOrigin> <frameOrigin> <outDir>
//
// WebDriver classic cannot reach into a closed shadow root, so the buyer uses the keyboard:
// focus the page's first button, Tab into the form, type, Tab between fields (key actions).
// What is typed is ASCII (key actions type what a keyboard can): the province, city and
// district lists are narrowed by the province's Latin name and the division codes. Inline (`/`) and isolated
// (`/isolated.html`, confirmed with Enter inside the frame) checkouts; writes
// <outDir>/sealed-webkit.json for xtask to open with the CLI, and screenshots.

import { spawn, execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import { cryptoPathChecks, cryptoPaths } from './crypto-paths.mjs';
import { EXPECTED, hostileOptions } from './hostile-options.mjs';
import { pickChineseAddress, ZHEJIANG_HANGZHOU_XIHU_ASCII } from './picker.mjs';

const ATTACKER_KEY = 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw';

const STEP_TIMEOUT_MS = 30_000;
// Province, city and district are chosen in the form's lists by typing ASCII in their filters
// (the province's Latin name, then the division codes' digits: picker.mjs); the sealed names
// are the lists', with the district's code.
const ADDRESS = {
  name: 'Zhang San',
  phone: '13812345678',
  country: 'CN',
  addressLevel1: '浙江省',
  addressLevel2: '杭州市',
  addressLevel3: '西湖区',
  streetLines: ['90 Wensan Road'],
  postalCode: '310012',
  divisionCode: '330106',
};
const TAB = '\uE004';
const ENTER = '\uE007';

class CheckFailed extends Error {}
const check = (ok, message) => {
  if (!ok) throw new CheckFailed(message);
};
const log = (m) => process.stderr.write(`[webkit] ${m}\n`);

const [shopOrigin, frameOrigin, outDir] = process.argv.slice(2);
if (!shopOrigin || !frameOrigin || !outDir) {
  process.stderr.write('usage: node webkit.mjs <shopOrigin> <frameOrigin> <outDir>\n');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A minimal W3C WebDriver client. */
class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, binary) {
    const res = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary, args: ['--automation'] } } } }),
    });
    const body = await res.json();
    check(res.ok && body.value && body.value.sessionId, `new session: ${JSON.stringify(body)}`);
    return new Session(base, body.value.sessionId);
  }

  async cmd(method, route, payload) {
    const res = await fetch(`${this.base}/session/${this.id}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const body = await res.json();
    if (!res.ok) throw new CheckFailed(`${method} ${route}: ${JSON.stringify(body.value)}`);
    return body.value;
  }

  go(url) {
    return this.cmd('POST', '/url', { url });
  }

  run(script, ...args) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Runs an async page function (its source) and returns what it resolves to. */
  runAsync(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      (${fn.toString()})(...Array.from(arguments).slice(0, -1)).then(done, (e) => done({ error: String(e) }));`;
    return this.cmd('POST', '/execute/async', { script, args });
  }

  async keys(...values) {
    const actions = [];
    for (const v of values) {
      for (const ch of v) actions.push({ type: 'keyDown', value: ch }, { type: 'keyUp', value: ch });
    }
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }

  async until(what, script) {
    const end = Date.now() + STEP_TIMEOUT_MS;
    while (Date.now() < end) {
      if (await this.run(script).catch(() => false)) return;
      await new Promise((r) => { setTimeout(r, 200); });
    }
    const state = await this.run('return JSON.stringify(document.body.dataset)').catch(() => '?');
    throw new CheckFailed(`timed out waiting for ${what} (body data: ${state})`);
  }

  async screenshot(file) {
    const png = await this.cmd('GET', '/screenshot');
    await writeFile(file, Buffer.from(png, 'base64'));
  }

  close() {
    return fetch(`${this.base}/session/${this.id}`, { method: 'DELETE' }).catch(() => {});
  }
}

async function typeAddress(s) {
  await s.keys(ADDRESS.name, TAB, ADDRESS.phone, TAB);
  const keyboard = { type: (text) => s.keys(text), press: (key) => s.keys(key === 'Tab' ? TAB : key) };
  // WebDriver classic cannot see into the closed form: a pause for each level's data
  const settle = () => new Promise((r) => { setTimeout(r, 1500); });
  await pickChineseAddress(keyboard, settle, ZHEJIANG_HANGZHOU_XIHU_ASCII);
  for (const v of [ADDRESS.streetLines[0], ADDRESS.postalCode]) {
    await s.keys(TAB, v);
  }
}

async function inline(s) {
  await s.go(`${shopOrigin}/`);
  await s.until('the inline form', "return document.body.dataset.ready === 'true'");
  await s.run("document.getElementById('language').focus()");
  await s.keys(TAB);
  await typeAddress(s);
  await s.until('a valid form', "return document.body.dataset.valid === 'true'");
  await s.run("document.getElementById('place-order').click()");
  await s.until('the envelope', "return !document.getElementById('seller-view').hidden");
  const seen = await s.run(`return { envelope: document.getElementById('seller-envelope').value,
    order: document.getElementById('order-ref').textContent, shadow: document.getElementById('address').shadowRoot === null }`);
  check(seen.envelope.startsWith('spe1.') && seen.shadow, `inline: ${JSON.stringify(seen).slice(0, 200)}`);
  await s.screenshot(path.join(outDir, 'webkit-inline.png'));
  for (const [ok, message] of cryptoPathChecks('webkit', await s.runAsync(cryptoPaths))) check(ok, message);
  log("seal(): 'platform' uses WebCrypto X25519, 'wasm' does not, 'auto' takes the platform; all open");
  log(`inline checkout sealed ${seen.envelope.length} characters for ${seen.order}`);
  return { orderRef: seen.order, envelope: seen.envelope };
}

async function isolated(s) {
  await s.go(`${shopOrigin}/isolated.html?frame=${frameOrigin}`);
  await s.until('the isolated form (frame ready)', "return document.body.dataset.ready === 'true'");
  await s.cmd('POST', '/timeouts', { script: 60000 });
  const attacked = await s.runAsync(hostileOptions, ATTACKER_KEY);
  check(Object.keys(EXPECTED).every((k) => attacked[k] === EXPECTED[k]), `hostile options: ${JSON.stringify(attacked)}`);
  log(`hostile page: every recipient option refused, a clone with the attacker key refused, no envelope before the buyer (${Object.keys(attacked).length} checks)`);
  await s.run("document.getElementById('language').focus()");
  await s.keys(TAB);
  await typeAddress(s);
  await s.until('a valid form', "return document.body.dataset.valid === 'true'");
  await s.keys(ENTER);
  await s.until('the buyer\'s confirmation', "return document.body.dataset.confirmed === 'true'");
  await s.run("document.getElementById('place-order').click()");
  await s.until('the order', "return document.body.dataset.sealed === 'true'");
  const seen = await s.run(`return { envelope: document.getElementById('seller-envelope').value,
    order: document.body.dataset.order, dom: document.documentElement.outerHTML }`);
  check(seen.envelope.startsWith('spe1.'), 'isolated: no envelope');
  for (const secret of [ADDRESS.name, ADDRESS.streetLines[0], ADDRESS.phone]) {
    check(!seen.dom.includes(secret), `plaintext ${secret} in the page`);
  }
  await s.screenshot(path.join(outDir, 'webkit-isolated.png'));
  log(`isolated checkout: frame ready, confirmed in the frame, sealed for ${seen.order}`);
  return { orderRef: seen.order, envelope: seen.envelope };
}

async function main() {
  await mkdir(outDir, { recursive: true });
  await rm(path.join(outDir, 'sealed-webkit.json'), { force: true });
  const binary = process.env.MINIBROWSER
    || execFileSync('sh', ['-c', 'dpkg -L libwebkit2gtk-4.1-0 | grep "/MiniBrowser$" | head -n1']).toString().trim();
  const port = await freePort();
  const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const base = `http://127.0.0.1:${port}`;
  let session;
  try {
    for (let i = 0; i < 50; i += 1) {
      if (await fetch(`${base}/status`).then((r) => r.ok).catch(() => false)) break;
      await new Promise((r) => { setTimeout(r, 200); });
    }
    session = await Session.create(base, binary);
    const version = await session.run('return navigator.userAgent');
    log(`${version} (${binary})`);
    const result = { inline: await inline(session), isolated: await isolated(session), expected: ADDRESS };
    await writeFile(path.join(outDir, 'sealed-webkit.json'), `${JSON.stringify(result)}\n`);
    log('PASS');
  } catch (err) {
    process.stderr.write(`[webkit] FAIL: ${err instanceof CheckFailed ? err.message : (err && err.stack) || err}\n`);
    process.exitCode = 1;
  } finally {
    if (session) await session.close();
    try {
      process.kill(-driver.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

await main();
