// Shared by the widget benchmarks (bench.mjs, bench-ready.mjs, ready-trace.mjs): the page
// functions they evaluate (self-contained: Playwright serializes them) and the browser they
// launch. Figures only, never shipped.

/** Chromium as the benchmarks launch it (Debian's, or $CHROMIUM), headless. */
export function launchChromium(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** In the page, once `sealpost:ready` is marked: the phase times of this load. */
export function readPhases() {
  const mark = (n) => performance.getEntriesByName(`sealpost:${n}`)[0]?.startTime ?? NaN;
  const res = performance.getEntriesByType('resource');
  const script = res.find((e) => e.name.endsWith('/pkg/index.js'));
  const wasm = res.filter((e) => e.name.endsWith('/pkg/sealpost_bg.wasm'));
  const w = wasm[0];
  const glue = res.find((e) => e.name.endsWith('/pkg/sealpost.js'));
  return {
    via: window.__sealpostBench.via,
    wasmEntries: wasm.length,
    script: script ? script.responseEnd : NaN,
    fetchStart: w ? w.startTime : NaN,
    fetchEnd: w ? w.responseEnd : NaN,
    glueStart: glue ? glue.startTime : NaN,
    glueEnd: glue ? glue.responseEnd : NaN,
    compileStart: mark('compile:start'),
    compileEnd: mark('compile:end'),
    instantiateStart: mark('instantiate:start'),
    instantiateEnd: mark('instantiate:end'),
    ready: mark('ready'),
  };
}

/**
 * In the page: resolves once `sealpost:ready` is marked (rejects after 30 s). Waiting on the
 * event adds no work to the page while it loads; Playwright's `waitForFunction` injects its
 * helper script on the first call, which Chromium parses on the main thread (15–30 ms here),
 * in the middle of the very load it is meant to time.
 */
export function untilReady() {
  return new Promise((resolve, reject) => {
    if (performance.getEntriesByName('sealpost:ready').length > 0) return resolve(true);
    document.addEventListener('sealpost-ready', () => setTimeout(() => resolve(true), 0), true);
    setTimeout(() => reject(new Error('no sealpost-ready within 30 s')), 30000);
  });
}
