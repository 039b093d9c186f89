#!/usr/bin/env node
// `cargo xtask bench ready`: the package script loaded → `ready` in Chromium (issue #17),
// loads of several pages interleaved in one run, each in a fresh context (figures, not
// pass/fail): `node bench-ready.mjs <benchURL> <loads> [base]`.
//
// Pages (tests/e2e/bench-site/, served by xtask/src/serve.rs as `cargo xtask bench widget`
// serves them): the widget without and with the README's preload hints; the floor (floor/: the
// same pages over a stand-in package of the same byte sizes that fetches, compiles and
// instantiates the same wasm and does nothing else; `?nocompile`: only downloads it) and, with
// `base`, another build of the package at /base/. `VARIANTS='widget;floor'` picks some; `OTHER=<url>` adds
// the widget and the floor from another server of the same site (another build of serve.rs).
// Prints medians (and quartiles) per page of the phases bench.mjs reports.

import { chromium } from 'playwright-core';
import { launchChromium, readPhases, untilReady } from './bench-common.mjs';

const [benchURL, loadsArg, base] = process.argv.slice(2);
if (!benchURL) {
  process.stderr.write('usage: node bench-ready.mjs <benchURL> <loads> [base]\n');
  process.exit(2);
}
const LOADS = Number(loadsArg || 15);
const ALL = {
  widget: 'phases-plain.html',
  'widget+preload': 'phases-preload.html',
  'widget+async': 'phases-async.html',
  floor: 'floor/phases-plain.html',
  'floor+preload': 'floor/phases-preload.html',
  'floor+async': 'floor/phases-async.html',
  'floor-nocompile': 'floor/phases-plain.html?nocompile',
  ...(base ? { base: 'base/phases-plain.html', 'base+preload': 'base/phases-preload.html' } : {}),
  // waiting as bench.mjs did: page.evaluate once the page's load event fired (Playwright then
  // injects its utility script into the page, while the widget is still loading)
  'widget, evaluate': 'phases-plain.html',
  'floor, evaluate': 'floor/phases-plain.html',
};
// OTHER=<url>: the same site from another server (another build of xtask/src/serve.rs)
const OTHER = process.env.OTHER;
if (OTHER) {
  for (const n of ['widget', 'floor', 'widget+preload', 'base', 'base+preload']) {
    if (ALL[n]) ALL[`${n} @other`] = new URL(ALL[n], OTHER).href;
  }
}
// DIRS='a;b': more copies of the site's pages and package, at /a/, /b/ (made by hand)
for (const d of (process.env.DIRS || '').split(';').filter(Boolean)) ALL[d] = `${d}/phases-plain.html`;
const names = process.env.VARIANTS ? process.env.VARIANTS.split(';').filter((n) => ALL[n]) : Object.keys(ALL);

const b = await launchChromium(chromium);
const loads = Object.fromEntries(names.map((n) => [n, []]));
try {
  // one warm-up load of each (the browser's first pages pay for its start-up)
  for (const n of names) await once(n);
  for (let i = 0; i < LOADS; i++) {
    // a rotated order each round: no page always follows the same one
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const n of order) loads[n].push(await once(n));
  }
} finally {
  await b.close();
}

async function once(n) {
  const context = await b.newContext();
  const page = await context.newPage();
  const url = new URL(ALL[n], benchURL).href;
  if (n.endsWith(', evaluate')) {
    await page.goto(url);
    await page.evaluate(untilReady);
  } else {
    // hooks.js logs `sealpost:ready`: nothing of Playwright's runs in the page until then
    const ready = page.waitForEvent('console', { predicate: (m) => m.text() === 'sealpost:ready', timeout: 30000 });
    await page.goto(url, { waitUntil: 'commit' });
    await ready;
  }
  const t = await page.evaluate(readPhases);
  await context.close();
  return t;
}

const q = (xs, p) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, c) => a - c);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : NaN;
};
const cols = [
  ['ready', (t) => t.ready - t.script],
  ['nav→ready', (t) => t.ready],
  ['→fetch', (t) => t.fetchStart - t.script],
  ['fetch', (t) => t.fetchEnd - t.fetchStart],
  ['→glue', (t) => t.glueStart - t.script],
  ['glue', (t) => t.glueEnd - t.glueStart],
  ['→compile', (t) => t.compileStart - t.script],
  ['compile', (t) => t.compileEnd - t.compileStart],
  ['inst', (t) => t.instantiateEnd - t.instantiateStart],
  // from the later of the wasm and the glue arriving to the instance
  ['both→inst', (t) => t.instantiateEnd - Math.max(t.fetchEnd, t.glueEnd)],
  ['render', (t) => t.ready - t.instantiateEnd],
];
console.log(`script loaded → ready in Chromium ${b.version()}, ${LOADS} loads per page interleaved; median [quartiles], ms (ready and the rest after index.js's responseEnd)`);
console.log(`  ${'page'.padEnd(18)} ${cols.map(([c]) => c.padStart(17)).join('')}`);
for (const n of names) {
  const xs = loads[n];
  const cell = (f) => {
    const v = xs.map(f);
    return `${q(v, 0.5).toFixed(1)} [${q(v, 0.25).toFixed(0)}–${q(v, 0.75).toFixed(0)}]`.padStart(17);
  };
  console.log(`  ${n.padEnd(18)} ${cols.map(([, f]) => cell(f)).join('')}`);
}
