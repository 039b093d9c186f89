#!/usr/bin/env node
// Where the widget's "package script loaded → ready" goes in Chromium (issue #17), from a
// DevTools trace of one fresh load (figures, not pass/fail):
// `node ready-trace.mjs <pageURL> [traceOut.json]`.
//
// Prints, relative to index.js's responseEnd (Resource Timing) and on the page's main thread:
// each task that ran until `sealpost-ready` (its top-level work: script evaluation, function
// calls, wasm compile, style/layout, GC), and the network events of the package's files
// (request sent, response, finish) as the renderer saw them. Tracing adds overhead: the gaps
// and their order are what to read, not the exact sums.

import { writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { launchChromium, untilReady } from './bench-common.mjs';

const [url, traceOut] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: node ready-trace.mjs <pageURL> [traceOut.json]\n');
  process.exit(2);
}

// LIGHT=1: fewer categories (no JS stacks, no V8 compile detail): less overhead, less detail
const CATEGORIES = process.env.LIGHT ? [
  'devtools.timeline', 'blink.user_timing', 'v8.execute', 'loading', 'toplevel', 'blink.resource',
] : [
  'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8', 'v8.execute',
  'disabled-by-default-v8.compile', 'loading', 'toplevel', 'blink', 'blink.resource', 'navigation',
  'disabled-by-default-devtools.timeline.stack', 'disabled-by-default-v8.wasm.detailed', 'v8.wasm',
  'disabled-by-default-devtools.timeline.invalidationTracking',
];

const b = await launchChromium(chromium);
try {
  // a warm-up load (the browser's first page pays for its own start-up)
  {
    const c = await b.newContext();
    const p = await c.newPage();
    await p.goto(url);
    await p.evaluate(untilReady);
    await c.close();
  }
  const context = await b.newContext();
  const page = await context.newPage();
  await b.startTracing(page, { categories: CATEGORIES });
  // waiting on a console message (hooks.js logs one at ready): no script of Playwright's is
  // injected into the page while it loads (page.evaluate would inject its utility script)
  const ready = page.waitForEvent('console', { predicate: (m) => m.text() === 'sealpost:ready', timeout: 30000 });
  await page.goto(url, { waitUntil: 'commit' });
  await ready;
  const marks = await page.evaluate(() => {
    const res = performance.getEntriesByType('resource').map((e) => ({
      name: e.name.replace(location.origin, ''), start: e.startTime, requestStart: e.requestStart,
      responseStart: e.responseStart, end: e.responseEnd,
    }));
    const m = performance.getEntriesByType('mark').map((e) => ({ name: e.name, t: e.startTime }));
    return { res, marks: m, timeOrigin: performance.timeOrigin };
  });
  const buf = await b.stopTracing();
  await context.close();
  if (traceOut) await writeFile(traceOut, buf);
  analyse(JSON.parse(buf.toString()), marks);
} finally {
  await b.close();
}


function analyse(trace, page) {
  const events = trace.traceEvents || trace;
  const thread = new Map();
  for (const e of events) {
    if (e.name === 'thread_name') thread.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  // the renderer main thread that ran the page's user-timing marks
  const readyMark = events.find((e) => e.name === 'sealpost:ready' && e.cat && e.cat.includes('user_timing'));
  const mainPid = readyMark ? readyMark.pid : null;
  const main = [...thread.entries()].find(([k, v]) => v === 'CrRendererMain' && (mainPid === null || k.startsWith(`${mainPid}:`)));
  if (!main) throw new Error('no renderer main thread in the trace');
  const [pid, tid] = main[0].split(':').map(Number);
  // trace time of performance.now() 0: navigationStart of the page's document
  const nav = events.find((e) => e.pid === pid && (e.name === 'navigationStart') && e.args?.data?.isLoadingMainFrame && e.args?.data?.documentLoaderURL?.startsWith('http'));
  const t0 = nav ? nav.ts : events.filter((e) => e.pid === pid && e.name === 'navigationStart').at(-1).ts;
  const rel = (ts) => (ts - t0) / 1000;
  const script = page.res.find((r) => r.name.endsWith('/pkg/index.js'));
  const base = script.end;
  const ready = page.marks.find((m) => m.name === 'sealpost:ready')?.t ?? NaN;
  const at = (ms) => (ms - base).toFixed(1).padStart(6);
  console.log(`load of ${url}: index.js responseEnd ${base.toFixed(1)} ms after navigation start; ready at +${(ready - base).toFixed(1)} ms`);
  console.log('resources (Resource Timing, ms after index.js responseEnd): start / requestStart / responseStart / end');
  for (const r of page.res) {
    console.log(`  ${r.name.padEnd(34)} ${at(r.start)} ${at(r.requestStart)} ${at(r.responseStart)} ${at(r.end)}  (${(r.end - r.start).toFixed(1)} ms)`);
  }
  console.log('marks:');
  for (const m of page.marks) console.log(`  ${m.name.padEnd(34)} ${at(m.t)}`);

  // main-thread tasks from index.js's arrival (minus 5 ms) to ready (plus 2 ms)
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X');
  const from = base - 5;
  const to = ready + 2;
  const tasks = onMain.filter((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && rel(e.ts) + e.dur / 1000 >= from && rel(e.ts) <= to)
    .sort((a, c) => a.ts - c.ts);
  const childrenOf = (task) => onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur || 0) <= task.ts + task.dur && e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask');
  console.log('main-thread tasks (ms after index.js responseEnd, duration, then the largest work in each):');
  let busy = 0;
  for (const task of tasks) {
    const dur = task.dur / 1000;
    busy += dur;
    if (dur < 0.3) continue;
    const kids = childrenOf(task);
    // direct-ish children: not inside another child
    const top = kids.filter((k) => !kids.some((o) => o !== k && o.ts <= k.ts && o.ts + o.dur >= k.ts + k.dur && o.dur > k.dur));
    const desc = top.sort((a, c) => c.dur - a.dur).slice(0, 4).map((k) => `${label(k)} ${(k.dur / 1000).toFixed(1)}`).join('; ');
    console.log(`  ${at(rel(task.ts))} ${dur.toFixed(1).padStart(5)}  ${desc}`);
    // inside a long task: the next level too
    if (dur > 3) {
      for (const k of top.filter((x) => x.dur > 1500)) {
        const inner = kids.filter((x) => x !== k && x.ts >= k.ts && x.ts + x.dur <= k.ts + k.dur && x.dur > 500);
        const lvl = inner.filter((x) => !inner.some((o) => o !== x && o.ts <= x.ts && o.ts + o.dur >= x.ts + x.dur && o.dur > x.dur));
        for (const x of lvl.sort((a, c) => a.ts - c.ts)) console.log(`           ↳ ${at(rel(x.ts))} ${label(x)} ${(x.dur / 1000).toFixed(1)}`);
      }
    }
  }
  console.log(`  main thread busy in tasks ${busy.toFixed(1)} ms of ${(to - from).toFixed(1)} ms`);
  // every other thread of the renderer with work in the window (compile workers, IO)
  const other = new Map();
  for (const e of events) {
    if (e.pid !== pid || e.tid === tid || e.ph !== 'X' || !e.dur) continue;
    const s = rel(e.ts);
    if (s < from || s > to) continue;
    const k = thread.get(`${e.pid}:${e.tid}`) || String(e.tid);
    const list = other.get(k) || [];
    list.push(e);
    other.set(k, list);
  }
  for (const [name, list] of other) {
    const top = list.filter((k) => !list.some((o) => o !== k && o.tid === k.tid && o.ts <= k.ts && o.ts + o.dur >= k.ts + k.dur && o.dur > k.dur));
    const big = top.filter((e) => e.dur > 300).sort((a, c) => a.ts - c.ts);
    if (!big.length) continue;
    console.log(`thread ${name}: ${big.slice(0, 12).map((e) => `${at(rel(e.ts))} ${label(e)} ${(e.dur / 1000).toFixed(1)}`).join(' | ')}`);
  }
  // what the renderer heard of the package's requests
  const net = events.filter((e) => e.pid === pid && /^Resource(SendRequest|ReceiveResponse|Finish|ReceivedData)$/.test(e.name));
  const urlOf = new Map();
  for (const e of net) if (e.name === 'ResourceSendRequest') urlOf.set(e.args.data.requestId, e.args.data.url.replace(/^https?:\/\/[^/]+/, ''));
  console.log('renderer network events (ms after index.js responseEnd):');
  for (const e of net.sort((a, c) => a.ts - c.ts)) {
    if (e.name === 'ResourceReceivedData') continue;
    const u = urlOf.get(e.args.data.requestId) || '?';
    console.log(`  ${at(rel(e.ts))} ${e.name.padEnd(24)} ${u}`);
  }
}

function label(e) {
  const d = e.args && (e.args.data || e.args.beginData) || {};
  const what = d.url ? ` ${String(d.url).replace(/^https?:\/\/[^/]+/, '')}` : d.functionName ? ` ${d.functionName}` : d.type ? ` ${d.type}` : '';
  return `${e.name}${what}`;
}
