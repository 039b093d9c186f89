// Bench harness only (tests/e2e/bench.mjs; never shipped): marks the phases of the widget's
// load with performance.mark, from outside the package. A classic script in <head>, so it runs
// before the package's module scripts.
//   sealpost:compile:start   the glue calls WebAssembly.instantiateStreaming (or instantiate)
//   sealpost:compile:end     the module is compiled (streaming: overlaps the fetch)
//   sealpost:instantiate:end the instance exists
//   sealpost:ready           the element sends `sealpost-ready`
// instantiateStreaming is replaced by compileStreaming + instantiate (what it does, in two
// observable steps); window.__sealpostBench.via says which entry point the glue used.
(() => {
  const W = WebAssembly;
  const mark = (name) => performance.mark(`sealpost:${name}`);
  const bench = { via: null };
  window.__sealpostBench = bench;
  const { compile, compileStreaming, instantiate } = W;
  const split = async (compileIt, imports) => {
    mark('compile:start');
    const module = await compileIt();
    mark('compile:end');
    const instance = await instantiate.call(W, module, imports);
    mark('instantiate:end');
    return { module, instance };
  };
  if (typeof W.instantiateStreaming === 'function') {
    W.instantiateStreaming = (source, imports) => {
      bench.via = bench.via || 'instantiateStreaming';
      return split(() => compileStreaming.call(W, source), imports);
    };
  }
  W.instantiate = (bytes, imports) => {
    bench.via = bench.via || 'instantiate';
    if (bytes instanceof W.Module) return split(() => bytes, imports).then((r) => r.instance);
    return split(() => compile.call(W, bytes), imports);
  };
  document.addEventListener('sealpost-ready', () => mark('ready'), true);
})();
