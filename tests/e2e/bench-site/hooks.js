// Bench harness only (tests/e2e/bench.mjs; never shipped): marks the phases of the widget's
// load with performance.mark, from outside the package. A classic script in <head>, so it runs
// before the package's module scripts.
//   sealpost:compile:start     compiling starts: index.js calls WebAssembly.compileStreaming on
//                              the wasm's response (or the glue instantiateStreaming/instantiate)
//   sealpost:compile:end       the module is compiled (streaming: overlaps the fetch)
//   sealpost:instantiate:start the glue asks for the instance (after the glue is fetched and
//                              evaluated: with index.js compiling, it may wait for the glue)
//   sealpost:instantiate:end   the instance exists
//   sealpost:ready             the element sends `sealpost-ready` (also logged: console.debug)
// instantiateStreaming is replaced by compileStreaming + instantiate (what it does, in two
// observable steps); window.__sealpostBench.via says which entry points were used.
(() => {
  const W = WebAssembly;
  const mark = (name) => performance.mark(`sealpost:${name}`);
  const bench = { via: null };
  window.__sealpostBench = bench;
  const { compile, compileStreaming, instantiate } = W;
  const via = (name) => { bench.via = bench.via ? `${bench.via} + ${name}` : name; };
  const split = async (compileIt, imports) => {
    mark('compile:start');
    const module = await compileIt();
    mark('compile:end');
    mark('instantiate:start');
    const instance = await instantiate.call(W, module, imports);
    mark('instantiate:end');
    return { module, instance };
  };
  if (typeof W.compileStreaming === 'function') {
    W.compileStreaming = async (source) => {
      via('compileStreaming');
      mark('compile:start');
      const module = await compileStreaming.call(W, source);
      mark('compile:end');
      return module;
    };
  }
  if (typeof W.instantiateStreaming === 'function') {
    W.instantiateStreaming = (source, imports) => {
      via('instantiateStreaming');
      return split(() => compileStreaming.call(W, source), imports);
    };
  }
  W.instantiate = async (bytes, imports) => {
    if (bytes instanceof W.Module) {
      via('instantiate(Module)');
      // compiled already (index.js: compileStreaming), or given compiled: the marks exist, or
      // compiling took no time here
      if (!performance.getEntriesByName('sealpost:compile:end').length) {
        mark('compile:start');
        mark('compile:end');
      }
      mark('instantiate:start');
      const instance = await instantiate.call(W, bytes, imports);
      mark('instantiate:end');
      return instance;
    }
    via('instantiate');
    return split(() => compile.call(W, bytes), imports);
  };
  // the console message lets a harness wait for ready without evaluating script in the page
  // while it loads (Playwright's page.evaluate injects its utility script, 15–30 ms of main
  // thread here, in the middle of the load it times)
  document.addEventListener('sealpost-ready', () => {
    mark('ready');
    console.debug('sealpost:ready');
  }, true);
})();
