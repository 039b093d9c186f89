#!/usr/bin/env node
// Widget benchmark (figures, not pass/fail):
// `node bench.mjs <baseURL> <pkgDir> <outFile> <benchURL>`.
//
// Reports, in one run on this machine:
//   - size of what a page ships for the widget (wasm + wasm-bindgen glue + index.js; isolated.js
//     in isolation mode), raw, gzip and brotli,
//   - the gzip bytes of the address data a Chinese checkout (its format, the province list, one
//     province: the smallest, 浙江, the largest) and a German one (its format) fetch,
//   - time from the package script arriving to the element's `ready` in Chromium, median of
//     several fresh page loads,
//   - where that time goes (<benchURL>: the pages of tests/e2e/bench-site/, with the package at
//     /pkg/), in Chromium and Firefox, medians of fresh loads: the wasm's fetch (Resource
//     Timing), compile, instantiate and render (performance marks set by hooks.js), the compile
//     alone (WebAssembly.compile of the bytes from an ArrayBuffer, the first in a fresh page), and
//     ready with and without the README's preload hints (loads interleaved),
//   - time of one seal through the package's `seal()` (`crypto: 'auto'`; a ~200-byte Chinese
//     address to one courier key) in Chromium, Firefox
//     and Node, median over batches after warm-up; Firefox's figures beside Chromium's (one run).
// Writes the figures as JSON to <outFile> and prints them; the goals, and the README table, are
// `cargo xtask bench widget`'s (xtask/src/figures.rs).

import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { constants, gzipSync, brotliCompressSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { launchChromium, readPhases, untilReady } from './bench-common.mjs';

const [baseURL, pkgDir, outFile, benchURL] = process.argv.slice(2);
if (!baseURL || !pkgDir || !outFile || !benchURL) {
  process.stderr.write('usage: node bench.mjs <baseURL> <pkgDir> <outFile> <benchURL>\n');
  process.exit(2);
}

const ADDRESS = {
  name: '张三', phone: '13812345678', country: 'CN', addressLevel1: '浙江省', addressLevel2: '杭州市',
  addressLevel3: '西湖区', streetLines: ['文三路 90 号东部软件园 1 幢 101 室'], postalCode: '310012',
};
const KEY = 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Fresh loads per page of the phase breakdown. */
const PHASE_LOADS = 7;


/**
 * In the page: resolves once `window[name]` is set (polled every 5 ms, no injected helper: see
 * untilReady; rejects after 30 s): `__readyAt` by the init script on `sealpost-ready`,
 * `__sealpostCompileMs` by compile.js.
 */
function untilSet(name) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => {
      if (window[name] !== undefined) resolve(true);
      else if (Date.now() - t0 > 30000) reject(new Error(`window.${name} not set within 30 s`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/**
 * The phase breakdown in one browser: `open(url)` → `{ page, close, wasmRequests() }` in a fresh
 * context (its page's `evaluate` runs a page function, as in Playwright and Puppeteer).
 */
async function phases(open) {
  const loads = { plain: [], preload: [] };
  const compileAlone = [];
  for (let i = 0; i < PHASE_LOADS; i++) {
    for (const kind of i % 2 ? ['preload', 'plain'] : ['plain', 'preload']) {
      const p = await open(`${benchURL}phases-${kind}.html`);
      await p.page.evaluate(untilReady);
      const t = await p.page.evaluate(readPhases);
      t.wasmRequests = p.wasmRequests();
      loads[kind].push(t);
      await p.close();
    }
    const p = await open(`${benchURL}compile.html`);
    await p.page.evaluate(untilSet, '__sealpostCompileMs');
    compileAlone.push(await p.page.evaluate(() => window.__sealpostCompileMs));
    await p.close();
  }
  const med = (xs, f) => median(xs.map(f));
  const summary = (xs) => ({
    readyAfterScriptMs: med(xs, (t) => t.ready - t.script),
    scriptToFetchMs: med(xs, (t) => t.fetchStart - t.script),
    fetchMs: med(xs, (t) => t.fetchEnd - t.fetchStart),
    compileMs: med(xs, (t) => t.compileEnd - t.compileStart),
    toCompileMs: med(xs, (t) => t.compileStart - t.script),
    instantiateMs: med(xs, (t) => t.instantiateEnd - t.instantiateStart),
    // the glue (sealpost.js): its request, relative to the script, and its download; then how
    // long the compiled module waits for the glue to ask for the instance (index.js compiles
    // while the glue loads: negative when the glue was first)
    scriptToGlueMs: med(xs, (t) => t.glueStart - t.script),
    glueFetchMs: med(xs, (t) => t.glueEnd - t.glueStart),
    waitForGlueMs: med(xs, (t) => t.instantiateStart - t.compileEnd),
    renderMs: med(xs, (t) => t.ready - t.instantiateEnd),
    wasmEntries: Math.max(...xs.map((t) => t.wasmEntries)),
    wasmRequests: Math.max(...xs.map((t) => t.wasmRequests)),
  });
  return {
    loads: PHASE_LOADS,
    via: [...new Set(loads.plain.concat(loads.preload).map((t) => t.via))].join(', '),
    compileAloneMs: median(compileAlone),
    ...summary(loads.plain),
    preload: summary(loads.preload),
  };
}

/**
 * ms per seal through the package's `seal()` (`crypto: 'auto'`, what a shop calls): median of 7
 * batches of 200 after a warm-up batch. Self-contained: it runs in Node and, passed to
 * `page.evaluate`, in the browsers (`pkgURL` is the package's index.js there).
 */
async function timePackageSeals({ ADDRESS, KEY, pkgURL }) {
  const sp = await import(pkgURL);
  await sp.prepareSeal();
  const n = 200;
  for (let i = 0; i < n; i++) await sp.seal(ADDRESS, KEY, `W-${i}`, 'country');
  const per = [];
  for (let b = 0; b < 7; b++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await sp.seal(ADDRESS, KEY, `B-${b}-${i}`, 'country');
    per.push((performance.now() - t0) / n);
  }
  return per.sort((a, c) => a - c)[3];
}

/** Raw, gzip -9 and brotli (quality 11) bytes of each file a page loads from the package;
 *  `total` is the inline page (isolated.js is imported only in isolation mode; the seal-only
 *  module only by a page that seals without the form; the whole module by seal()'s wasm path,
 *  inspect() and openTestEnvelope()). */
async function sizes() {
  const page = ['sealpost_bg.wasm', 'sealpost.js', 'index.js'];
  const out = {};
  for (const f of [...page, 'isolated.js', 'sealpost_seal_bg.wasm', 'sealpost_seal.js', 'sealpost_full_bg.wasm', 'sealpost_full.js']) {
    const bytes = await readFile(path.join(pkgDir, f));
    out[f] = {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  }
  const sum = (k) => page.reduce((s, f) => s + out[f][k], 0);
  out.total = { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
  return out;
}

function node() {
  return timePackageSeals({ ADDRESS, KEY, pkgURL: pathToFileURL(path.resolve(pkgDir, 'index.js')).href });
}

async function browser() {
  const b = await launchChromium(chromium);
  try {
    const ready = [];
    const readyFromNav = [];
    for (let i = 0; i < 7; i++) {
      const context = await b.newContext();
      await context.addInitScript(() => {
        document.addEventListener('sealpost-ready', () => { window.__readyAt = performance.now(); }, true);
      });
      const page = await context.newPage();
      await page.goto(baseURL);
      await page.evaluate(untilSet, '__readyAt');
      const t = await page.evaluate(() => {
        const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/pkg/index.js'));
        return { ready: window.__readyAt, script: script ? script.responseEnd : NaN };
      });
      ready.push(t.ready - t.script);
      readyFromNav.push(t.ready);
      await context.close();
    }
    const breakdown = await phases(async (url) => {
      const context = await b.newContext();
      const page = await context.newPage();
      let wasmRequests = 0;
      page.on('request', (r) => { if (r.url().endsWith('/sealpost_bg.wasm')) wasmRequests++; });
      await page.goto(url);
      return { page, close: () => context.close(), wasmRequests: () => wasmRequests };
    });
    const context = await b.newContext();
    const page = await context.newPage();
    await page.goto(baseURL);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const seal = await page.evaluate(timePackageSeals, { ADDRESS, KEY, pkgURL: '/pkg/index.js' });
    await context.close();
    return { version: b.version(), readyAfterScriptMs: median(ready), readyAfterNavigationMs: median(readyFromNav), sealMs: seal, phases: breakdown };
  } finally {
    await b.close();
  }
}

/** The same page figures in Firefox (firefox-esr over WebDriver BiDi). */
async function firefox() {
  const executablePath = process.env.FIREFOX || execFileSync('sh', ['-c', 'command -v firefox-esr || command -v firefox']).toString().trim();
  const b = await puppeteer.launch({ browser: 'firefox', headless: true, executablePath, protocol: 'webDriverBiDi' });
  try {
    const ready = [];
    for (let i = 0; i < 7; i++) {
      const page = await b.newPage();
      await page.evaluateOnNewDocument(() => {
        document.addEventListener('sealpost-ready', () => { window.__readyAt = performance.now(); }, true);
      });
      await page.goto(baseURL);
      await page.evaluate(untilSet, '__readyAt');
      const t = await page.evaluate(() => {
        const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/pkg/index.js'));
        return { ready: window.__readyAt, script: script ? script.responseEnd : NaN };
      });
      ready.push(t.ready - t.script);
      await page.close();
    }
    const breakdown = await phases(async (url) => {
      const context = await b.createBrowserContext();
      const page = await context.newPage();
      let wasmRequests = 0;
      page.on('request', (r) => { if (r.url().endsWith('/sealpost_bg.wasm')) wasmRequests++; });
      await page.goto(url);
      return { page, close: () => context.close(), wasmRequests: () => wasmRequests };
    });
    const page = await b.newPage();
    await page.goto(baseURL);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const seal = await page.evaluate(timePackageSeals, { ADDRESS, KEY, pkgURL: '/pkg/index.js' });
    return { version: await b.version(), readyAfterScriptMs: median(ready), sealMs: seal, phases: breakdown };
  } finally {
    await b.close();
  }
}

/**
 * What the form fetches of the address data (pkg/data, SPEC §4.2), gzip -9 as a server would
 * send it: a German checkout (intl/DE.json), a Chinese one (intl/CN.json, cn/index.json and one
 * mainland province's file: the smallest, 浙江 and the largest).
 */
async function addressData() {
  const gz = async (p) => gzipSync(await readFile(path.join(pkgDir, 'data', p)), { level: 9 }).length;
  const index = JSON.parse(await readFile(path.join(pkgDir, 'data/cn/index.json'), 'utf8'));
  const base = (await gz('intl/CN.json')) + (await gz('cn/index.json'));
  const provinces = [];
  for (const [pp] of index) {
    if (['71', '81', '82'].includes(pp)) continue; // TW, HK, MO: countries of their own
    provinces.push({ pp, gzip: base + (await gz(`cn/${pp}.json`)) });
  }
  provinces.sort((a, b) => a.gzip - b.gzip);
  return {
    germanGzip: await gz('intl/DE.json'),
    chineseGzip: { smallest: provinces[0], zhejiang: provinces.find((p) => p.pp === '33'), largest: provinces.at(-1) },
    budgetGzip: { chinese: 40 * 1024, german: 2 * 1024 },
  };
}

const size = await sizes();
const data = await addressData();
const nodeSealMs = await node();
const chromiumResult = await browser();
const firefoxResult = await firefox();
const result = {
  date: new Date().toISOString(),
  versions: { node: process.version, chromium: chromiumResult.version, firefox: firefoxResult.version },
  sizeGzipBytes: size.total.gzip,
  sizes: size,
  addressData: data,
  readyAfterScriptMs: chromiumResult.readyAfterScriptMs,
  readyAfterNavigationMs: chromiumResult.readyAfterNavigationMs,
  phases: chromiumResult.phases,
  sealMsChromium: chromiumResult.sealMs,
  firefox: firefoxResult,
  sealMsNode: nodeSealMs,
};
await mkdir(path.dirname(outFile), { recursive: true });
await writeFile(outFile, `${JSON.stringify(result, null, 2)}\n`);
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const row = (what, value) => `  ${what.padEnd(46)} ${value.padStart(10)}`;
console.log(`widget benchmark, ${result.date}, Node ${process.version}, Chromium ${chromiumResult.version}, ${firefoxResult.version}`);
for (const [f, s] of Object.entries(size)) console.log(row(`${f}: raw / gzip / brotli`, `${s.raw} / ${s.gzip} / ${s.brotli}`));
console.log(row('wasm + glue + index.js, gzip', kb(size.total.gzip)));
const cn = data.chineseGzip;
console.log(row('address data of a Chinese checkout, gzip', `${kb(cn.smallest.gzip)}–${kb(cn.largest.gzip)} (浙江 ${kb(cn.zhejiang.gzip)}, largest cn/${cn.largest.pp}.json; budget 40 KB)`));
console.log(row('address data of a German checkout, gzip', `${data.germanGzip} bytes (intl/DE.json; budget 2 KB)`));
console.log(row('script loaded → ready (Chromium, median of 7)', `${result.readyAfterScriptMs.toFixed(1)} ms`));
console.log(row('navigation → ready (Chromium)', `${result.readyAfterNavigationMs.toFixed(1)} ms`));
console.log(row('one seal, Chromium (V8)', `${result.sealMsChromium.toFixed(3)} ms`));
console.log(row('one seal, Node (V8)', `${result.sealMsNode.toFixed(3)} ms`));
console.log(row(`script loaded → ready (${firefoxResult.version})`, `${firefoxResult.readyAfterScriptMs.toFixed(1)} ms`));
for (const [name, r] of [['Chromium', chromiumResult], ['Firefox', firefoxResult]]) {
  const ph = r.phases;
  const line = (x) => `ready ${x.readyAfterScriptMs.toFixed(1)} = to compile call ${x.toCompileMs.toFixed(1)} (to fetch ${x.scriptToFetchMs.toFixed(1)}, fetch ${x.fetchMs.toFixed(1)}), `
    + `compile ${x.compileMs.toFixed(1)}, waiting for the glue ${x.waitForGlueMs.toFixed(1)} (glue requested at ${x.scriptToGlueMs.toFixed(1)}, fetch ${x.glueFetchMs.toFixed(1)}), `
    + `instantiate ${x.instantiateMs.toFixed(1)}, render ${x.renderMs.toFixed(1)} ms (wasm requests ${x.wasmRequests})`;
  console.log(`  phases, ${name} (${ph.via}; compile alone ${ph.compileAloneMs.toFixed(1)} ms): ${line(ph)}`);
  console.log(`  with preload hints, ${name}: ${line(ph.preload)}`);
}
console.log(row('one seal, Firefox (SpiderMonkey)', `${firefoxResult.sealMs.toFixed(3)} ms`));
console.log(`written to ${outFile}`);
