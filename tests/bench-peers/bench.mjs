#!/usr/bin/env node
// sealpost beside its peers (issue 9), figures only: `node bench.mjs <workspaceRoot> <outFile>`.
//
// One run, same machine: each peer's seal path bundled with esbuild (minified ESM) and gzipped;
// the same bundles timed per seal in Node and in headless Chromium next to sealpost's package
// (pkg/, built by `cargo xtask pkg`), peers interleaved over rounds, medians reported; cold
// import → ready → first seal in fresh Chromium contexts. README.md says what is compared.
// Env: BENCH_ROUNDS (default 21), BENCH_BATCH_MS (default 30), BENCH_LOADS (default 7),
// CHROMIUM (default /usr/bin/chromium).

import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import nacl from 'tweetnacl';
import sodium from 'libsodium-wrappers';
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import * as h from './harness.js';

const [rootArg, outArg] = process.argv.slice(2);
if (!rootArg || !outArg) {
  process.stderr.write('usage: node bench.mjs <workspaceRoot> <outFile>\n');
  process.exit(2);
}
const ROOT = path.resolve(rootArg);
const OUT = path.resolve(outArg);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PKG = path.join(ROOT, 'pkg');
const BUNDLES = path.join(path.dirname(OUT), 'peers-bundles');
const ROUNDS = Number(process.env.BENCH_ROUNDS || 21);
const BATCH_MS = Number(process.env.BENCH_BATCH_MS || 30);
const LOADS = Number(process.env.BENCH_LOADS || 7);
/** The cases whose single-seal latency is measured in Chromium (sealpost and the WebCrypto peers). */
const LATENCY_IDS = ['sealpost', 'hpke-core-webcrypto', 'hpke-panva'];
const TARGET = ['chrome120', 'firefox121', 'safari17'];
const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const log = (s) => process.stderr.write(`bench-peers: ${s}\n`);
const rotate = (xs, r) => xs.map((_, k) => xs[(k + r) % xs.length]);

// ---------------------------------------------------------------------------------------- sizes

async function bundle() {
  await mkdir(BUNDLES, { recursive: true });
  const sizes = {};
  for (const id of [...h.PEERS, 'floors']) {
    const outfile = path.join(BUNDLES, `${id}.js`);
    await build({
      entryPoints: [path.join(HERE, 'entries', `${id}.js`)], outfile, bundle: true, minify: true,
      format: 'esm', platform: 'browser', target: TARGET, legalComments: 'none', logLevel: 'warning',
      // libsodium's emscripten loader names Node modules it only requires under Node
      external: ['crypto', 'fs', 'path'],
    });
    if (id === 'floors') continue; // timing only
    const bytes = await readFile(outfile);
    sizes[id] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  const sp = {};
  for (const f of ['sealpost_seal_bg.wasm', 'sealpost_seal.js', 'sealpost_full_bg.wasm', 'sealpost_full.js', 'index.js']) {
    const bytes = await readFile(path.join(PKG, f));
    sp[f] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  const pair = (wasm, glue) => ({ raw: sp[wasm].raw + sp[glue].raw, gzip: sp[wasm].gzip + sp[glue].gzip });
  // the crypto path of seal() on the platform X25519 path: the seal-only module and its glue;
  // `full`: the whole module and glue (seal()'s wasm X25519 path)
  sizes.sealpost = { ...pair('sealpost_seal_bg.wasm', 'sealpost_seal.js'), full: pair('sealpost_full_bg.wasm', 'sealpost_full.js'), files: sp };
  return sizes;
}

// -------------------------------------------------------------------------------- verification

/** Opens one output of every case with an independent implementation; throws on a mismatch. */
async function verify(where, samples, sk, pk, sp) {
  const { info, header, record } = h.shapes();
  const address = new TextEncoder().encode(JSON.stringify(h.ADDRESS));
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  const recipientKey = await suite.kem.deserializePrivateKey(sk);
  await sodium.ready;
  const same = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);
  for (const [id, out] of Object.entries(samples)) {
    const c = id.split(':');
    let ok;
    if (c[0] === 'x25519') continue;
    if (c[0] === 'sealpost') {
      if (c[1] === 'validate') continue;
      const orderRef = (await sp.inspect(out)).orderRef;
      ok = JSON.stringify(await sp.openTestEnvelope(out, orderRef)).includes('文三路');
    } else if (out.enc) {
      const ctx = await suite.createRecipientContext({ recipientKey, enc: Uint8Array.from(out.enc).buffer, info });
      const want = c[1] === 'envelope' ? [[header, new Uint8Array(0)], [record, header]] : [[address, header]];
      ok = true;
      for (const [k, [pt, aad]] of want.entries()) {
        ok &&= same(new Uint8Array(await ctx.open(Uint8Array.from(out.cts[k]).buffer, aad)), pt);
      }
    } else {
      ok = same(sodium.crypto_box_seal_open(Uint8Array.from(out.cts[0]), pk, sk), address);
    }
    if (!ok) throw new Error(`${where}: ${id}: its output does not open to the address`);
  }
  log(`${where}: every case's output opened with an independent implementation`);
}

// ------------------------------------------------------------------------------------- timing

/** Interleaved rounds over all cases; `api` is {ids, calibrate(id, ms), batch(id, n)}. */
async function timeAll(api, where) {
  const n = {};
  for (const id of api.ids) n[id] = await api.calibrate(id, BATCH_MS);
  const per = Object.fromEntries(api.ids.map((id) => [id, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const id of rotate(api.ids, r)) per[id].push(await api.batch(id, n[id]));
  }
  log(`${where}: ${ROUNDS} rounds, load average ${load()}`);
  return Object.fromEntries(api.ids.map((id) => [id, {
    msPerSeal: median(per[id]), min: Math.min(...per[id]), max: Math.max(...per[id]), batch: n[id], rounds: per[id],
  }]));
}

async function nodeSide(pk, sk) {
  // the bundles are browser builds: give them the browser's `self` (tweetnacl finds its RNG there)
  globalThis.self ??= globalThis;
  const peers = {};
  for (const id of h.PEERS) peers[id] = await import(pathToFileURL(path.join(BUNDLES, `${id}.js`)).href);
  const pkgIndex = await import(pathToFileURL(path.join(PKG, 'index.js')).href);
  await pkgIndex.prepareSeal();
  await pkgIndex.prepareSeal({ crypto: 'platform' }); // the seal-only module, for the `work` case
  const glue = await import(pathToFileURL(path.join(PKG, 'sealpost_seal.js')).href);
  const floors = await import(pathToFileURL(path.join(BUNDLES, 'floors.js')).href);
  const list = await h.cases(peers, pk, pkgIndex, floors, glue);
  const byId = Object.fromEntries(list.map((c) => [c.id, c]));
  const samples = {};
  for (const c of list) samples[c.id] = await c.fn();
  await verify('Node', samples, sk, pk, pkgIndex);
  const result = await timeAll({
    ids: list.map((c) => c.id),
    calibrate: (id, ms) => h.calibrate(byId[id].fn, ms),
    batch: (id, ms) => h.batch(byId[id].fn, ms),
  }, 'Node');
  const overlap = await h.overlap();
  log(`Node: WebCrypto X25519 beside this thread's work: ${JSON.stringify(overlap)}`);
  return { result, sp: pkgIndex, overlap };
}

// ----------------------------------------------------------------------------------- Chromium

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

function serve() {
  const routes = [['/bundles/', BUNDLES], ['/pkg/', PKG]];
  const files = { '/': 'index.html', '/blank.html': 'blank.html', '/page.js': 'page.js', '/harness.js': 'harness.js' };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = files[url.pathname] && path.join(HERE, files[url.pathname]);
    for (const [prefix, dir] of routes) {
      const rest = url.pathname.startsWith(prefix) && url.pathname.slice(prefix.length);
      if (rest && /^[\w.-]+$/.test(rest)) file = path.join(dir, rest);
    }
    try {
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function chromiumSide(pk, sk, sp) {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: BROWSER_ARGS });
  try {
    // cold: fresh context per load, import → ready → first seal, interleaved across peers
    const cold = Object.fromEntries(['sealpost', ...h.PEERS].map((id) => [id, { ready: [], firstSeal: [] }]));
    for (let i = 0; i < LOADS; i++) {
      for (const id of rotate(Object.keys(cold), i)) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${base}/blank.html`);
        const t = await page.evaluate(async ({ id, pk }) => {
          const hh = await import('/harness.js');
          const { info, header } = hh.shapes();
          const utf8 = new TextEncoder();
          const t0 = performance.now();
          let seal;
          if (id === 'sealpost') {
            const sp = await import('/pkg/index.js');
            await sp.prepareSeal();
            seal = () => sp.seal(hh.ADDRESS, hh.SEALPOST_KEY, 'ORDER-2026-000001', 'country');
          } else {
            const s = await (await import(`/bundles/${id}.js`)).prepare(Uint8Array.from(pk), info);
            seal = () => s([[utf8.encode(JSON.stringify(hh.ADDRESS)), header]]);
          }
          const t1 = performance.now();
          await seal();
          return { ready: t1 - t0, firstSeal: performance.now() - t0 };
        }, { id, pk: [...pk] });
        cold[id].ready.push(t.ready);
        cold[id].firstSeal.push(t.firstSeal);
        await context.close();
      }
    }
    log(`Chromium: ${LOADS} cold loads each, load average ${load()}`);

    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(`${base}/?pk=${encodeURIComponent(JSON.stringify([...pk]))}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60000 });
    const ids = await page.evaluate(() => window.__bench.ids);
    const samples = {};
    for (const id of ids) samples[id] = await page.evaluate((id) => window.__bench.sample(id), id);
    await verify('Chromium', samples, sk, pk, sp);
    const result = await timeAll({
      ids,
      calibrate: (id, ms) => page.evaluate(([id, ms]) => window.__bench.calibrate(id, ms), [id, ms]),
      batch: (id, n) => page.evaluate(([id, n]) => window.__bench.batch(id, n), [id, n]),
    }, 'Chromium');
    // one seal after an idle gap, as a checkout seals once: sealpost and the WebCrypto peers
    const latency = {};
    for (const id of LATENCY_IDS) latency[id] = await page.evaluate((id) => window.__bench.latency(id), id);
    log(`Chromium: one seal after 10 ms idle, mean of 101: ${Object.entries(latency).map(([id, ms]) => `${id} ${ms.toFixed(3)} ms`).join(', ')}`);
    const overlap = await page.evaluate(() => window.__bench.overlap());
    log(`Chromium: WebCrypto X25519 beside the page's work: ${JSON.stringify(overlap)}`);
    await context.close();
    const coldMedian = Object.fromEntries(Object.entries(cold).map(([id, v]) => [id, {
      readyMs: median(v.ready), firstSealMs: median(v.firstSeal), loads: v,
    }]));
    return { version: browser.version(), result, cold: coldMedian, latency, overlap };
  } finally {
    await browser.close();
    server.close();
  }
}

/** The warm per-seal figures in Firefox (firefox-esr over WebDriver BiDi). */
async function firefoxSide(pk, sk, sp) {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const executablePath = process.env.FIREFOX || execFileSync('sh', ['-c', 'command -v firefox-esr || command -v firefox']).toString().trim();
  const browser = await puppeteer.launch({ browser: 'firefox', headless: true, executablePath, protocol: 'webDriverBiDi' });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`Firefox page error: ${e.message}`));
    await page.goto(`${base}/?pk=${encodeURIComponent(JSON.stringify([...pk]))}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 60000 });
    const ids = await page.evaluate(() => window.__bench.ids);
    const samples = {};
    for (const id of ids) samples[id] = await page.evaluate((id) => window.__bench.sample(id), id);
    await verify('Firefox', samples, sk, pk, sp);
    const result = await timeAll({
      ids,
      calibrate: (id, ms) => page.evaluate((id, ms) => window.__bench.calibrate(id, ms), id, ms),
      batch: (id, n) => page.evaluate((id, n) => window.__bench.batch(id, n), id, n),
    }, 'Firefox');
    const overlap = await page.evaluate(() => window.__bench.overlap());
    log(`Firefox: WebCrypto X25519 beside the page's work: ${JSON.stringify(overlap)}`);
    return { version: await browser.version(), result, overlap };
  } finally {
    await browser.close();
    server.close();
  }
}

// -------------------------------------------------------------------------------------- main

const LABELS = {
  sealpost: 'sealpost `seal()` (`crypto: \'auto\'`)',
  'sealpost:platform': '  `crypto: \'platform\'` (WebCrypto X25519)',
  'sealpost:wasm': '  `crypto: \'wasm\'` (x25519-dalek in wasm)',
  'sealpost:validate': '  of which `validateAddress()` alone',
  'sealpost:work': '  of which sealpost\'s own work on the platform path (encapsulation given)',
  'hpke-core-noble': '@hpke/core + dhkem-x25519 + chacha20poly1305',
  'hpke-core-webcrypto': '@hpke/core (WebCrypto X25519) + chacha20poly1305',
  'hpke-panva': 'hpke (panva, WebCrypto X25519) + hpke-noble AEAD',
  libsodium: 'libsodium-wrappers `crypto_box_seal`',
  tweetnacl: 'tweetnacl + tweetnacl-sealedbox-js',
};
const FLOORS = {
  'x25519:webcrypto': 'WebCrypto X25519 (generateKey + exportKey + deriveBits)',
  'x25519:libsodium': 'libsodium-wrappers (wasm) crypto_scalarmult_base + crypto_scalarmult',
  'x25519:noble': '@noble/curves x25519 (JS; @hpke/dhkem-x25519 vendors an older copy)',
  'x25519:tweetnacl': 'tweetnacl scalarMult.base + scalarMult (JS)',
};
const label = (id) => {
  const [peer, work] = id.split(':');
  return work === 'envelope' ? `  ${LABELS[peer].split(' ')[0]}, sealpost's work (2 seals, 512 B)` : LABELS[id];
};

// a failure inside a minified bundle must not print the bundle's one-line source
process.on('uncaughtException', (e) => { process.stderr.write(`bench-peers: error: ${e?.stack ?? e}\n`); process.exit(1); });
process.on('unhandledRejection', (e) => { process.stderr.write(`bench-peers: error: ${e?.stack ?? e}\n`); process.exit(1); });

const loadStart = load();
log(`load average at start ${loadStart}`);
const sizes = await bundle();
log(`bundled ${h.PEERS.length} peers into ${BUNDLES}`);
const { publicKey: pk, secretKey: sk } = nacl.box.keyPair();
const nodeRun = await nodeSide(pk, sk);
const chrome = await chromiumSide(pk, sk, nodeRun.sp);
const fox = await firefoxSide(pk, sk, nodeRun.sp);
const loadEnd = load();

const ids = Object.keys(nodeRun.result);
const spNode = nodeRun.result.sealpost.msPerSeal;
const spChrome = chrome.result.sealpost.msPerSeal;
const spFox = fox.result.sealpost.msPerSeal;
const { addressBytes } = h.shapes();
const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, ${process.platform} ${process.arch}, Node ${process.version}, Chromium ${chrome.version}, ${fox.version}`,
  loadAverage: { start: loadStart, end: loadEnd },
  method: { rounds: ROUNDS, batchMs: BATCH_MS, coldLoads: LOADS, esbuildTarget: TARGET, addressJsonBytes: addressBytes, aadBytes: 25, infoBytes: 29 },
  versions: JSON.parse(await readFile(path.join(HERE, 'package.json'), 'utf8')).dependencies,
  sizes,
  seal: Object.fromEntries(ids.map((id) => [id, {
    work: id.startsWith('x25519:') ? 'x25519 floor' : id.split(':')[1] ?? (id === 'sealpost' ? 'seal' : 'bare'),
    nodeMs: nodeRun.result[id].msPerSeal,
    chromiumMs: chrome.result[id]?.msPerSeal,
    firefoxMs: fox.result[id]?.msPerSeal,
    ratioToSealpostFirefox: fox.result[id] ? fox.result[id].msPerSeal / spFox : null,
    // > 1: sealpost's seal() is that many times faster than this case
    ratioToSealpostNode: nodeRun.result[id].msPerSeal / spNode,
    ratioToSealpostChromium: chrome.result[id] ? chrome.result[id].msPerSeal / spChrome : null,
    node: nodeRun.result[id],
    chromium: chrome.result[id],
  }])),
  coldChromium: chrome.cold,
  latencyChromium: chrome.latency,
  // WebCrypto X25519 key pairs beside a busy thread (harness.js overlap): Node, Chromium, Firefox
  overlap: { node: nodeRun.overlap, chromium: chrome.overlap, firefox: fox.overlap },
};
await mkdir(path.dirname(OUT), { recursive: true });
await writeFile(OUT, `${JSON.stringify(result, null, 2)}\n`);

const ms = (v) => (v === undefined || v === null ? '' : v.toFixed(3));
const x = (r) => (r === undefined || r === null ? '' : `${r.toFixed(2)}×`);
const SEALED_BOX = ['libsodium', 'tweetnacl'];
console.log(`\nsealpost beside its peers, ${result.date}\n${result.machine}\nload average: start ${loadStart}, end ${loadEnd}; medians of ${ROUNDS} interleaved rounds (~${BATCH_MS} ms batches)\n`);
console.log('| what | AAD | Node ms/seal | Chromium ms/seal | Firefox ms/seal | peer ÷ sealpost, Node | peer ÷ sealpost, Chromium | peer ÷ sealpost, Firefox | gzip bytes |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const id of ids.filter((i) => !i.startsWith('x25519:'))) {
  const s = result.seal[id];
  const peer = id.split(':')[0];
  const size = id.includes(':') ? '' : String(sizes[peer].gzip);
  const ratio = peer === 'sealpost' ? ['', '', ''] : [x(s.ratioToSealpostNode), x(s.ratioToSealpostChromium), x(s.ratioToSealpostFirefox)];
  const aad = id === 'sealpost:validate' ? '' : SEALED_BOX.includes(peer) ? 'no' : 'yes';
  console.log(`| ${label(id)} | ${aad} | ${ms(s.nodeMs)} | ${ms(s.chromiumMs)} | ${ms(s.firefoxMs)} | ${ratio[0]} | ${ratio[1]} | ${ratio[2]} | ${size} |`);
}
const f = sizes.sealpost.files;
console.log(`\nsealpost gzip: sealpost_seal_bg.wasm ${f['sealpost_seal_bg.wasm'].gzip} + sealpost_seal.js ${f['sealpost_seal.js'].gzip} (index.js ${f['index.js'].gzip} more; the wasm path's sealpost_full_bg.wasm ${f['sealpost_full_bg.wasm'].gzip}); peers: esbuild --bundle --minify --format=esm, gzip -9`);
console.log('\n| X25519 floor: ephemeral key pair + one DH | Node ms | Chromium ms | Firefox ms | sealpost seal ÷ floor, Node | sealpost seal ÷ floor, Chromium | sealpost seal ÷ floor, Firefox |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const id of ids.filter((i) => i.startsWith('x25519:'))) {
  const s = result.seal[id];
  console.log(`| ${FLOORS[id]} | ${ms(s.nodeMs)} | ${ms(s.chromiumMs)} | ${ms(s.firefoxMs)} | ${x(spNode / s.nodeMs)} | ${x(spChrome / s.chromiumMs)} | ${s.firefoxMs ? x(spFox / s.firefoxMs) : ''} |`);
}
console.log(`\n| Chromium, fresh context, median of ${LOADS} | import → ready to seal (ms) | import → first seal done (ms) |`);
console.log('|---|---:|---:|');
for (const [id, c] of Object.entries(chrome.cold)) console.log(`| ${LABELS[id]} | ${c.readyMs.toFixed(1)} | ${c.firstSealMs.toFixed(1)} |`);
console.log(`\nwritten to ${OUT}`);
