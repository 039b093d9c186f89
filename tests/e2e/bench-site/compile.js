// Bench harness only: see compile.html.
const bytes = await (await fetch('pkg/sealpost_bg.wasm')).arrayBuffer();
const t0 = performance.now();
await WebAssembly.compile(bytes);
window.__sealpostCompileMs = performance.now() - t0;
