// Bench harness only (never shipped): the floor of tests/e2e/bench-ready.mjs. Served as
// floor/pkg/index.js, padded to the package's index.js size (xtask/src/bench_widget.rs), with
// floor/pkg/sealpost.js (floor-glue.js, padded to the glue's size) and a copy of the package's
// wasm: what the package's load does on the network and in the engine (the module script, the
// wasm's fetch and streaming compile, the glue's import, the Chinese checkout's first two
// address-data files, an instance with no-op imports), and no sealpost code. `?nocompile`:
// the wasm's bytes are only downloaded.
const wasm = fetch(new URL('./sealpost_bg.wasm', import.meta.url));
const glue = import('./sealpost.js');
for (const p of ['intl/CN.json', 'cn/index.json']) {
  fetch(new URL(`./data/${p}`, import.meta.url)).then((r) => r.text()).catch(() => {});
}
const [g, response] = await Promise.all([glue, wasm]);
if (location.search.includes('nocompile')) {
  await response.arrayBuffer();
} else {
  const module = await WebAssembly.compileStreaming(response);
  const imports = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind === 'function') (imports[i.module] ||= {})[i.name] = () => {};
  }
  await WebAssembly.instantiate(module, imports);
}
g.ready(document.querySelector('sealpost-address'));
