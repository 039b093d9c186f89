// The benchmark page: loads every peer bundle and sealpost's package, then exposes the cases.
import * as h from '/harness.js';

const publicKey = Uint8Array.from(JSON.parse(new URLSearchParams(location.search).get('pk')));
const peers = {};
for (const id of h.PEERS) peers[id] = await import(`/bundles/${id}.js`);
const sp = await import('/pkg/index.js');
await sp.load();
await sp.prepareSeal();
await sp.prepareSeal({ crypto: 'platform' }); // the seal-only module, for the `work` case
const glue = await import('/pkg/sealpost_seal.js');
const list = await h.cases(peers, publicKey, sp, await import('/bundles/floors.js'), glue);
const byId = Object.fromEntries(list.map((c) => [c.id, c]));
window.__bench = {
  ids: list.map((c) => c.id),
  calibrate: (id, ms) => h.calibrate(byId[id].fn, ms),
  batch: (id, n) => h.batch(byId[id].fn, n),
  latency: (id) => h.latency(byId[id].fn),
  overlap: () => h.overlap(),
  // one output, JSON-safe, for bench.mjs to open in Node
  sample: async (id) => {
    const r = await byId[id].fn();
    if (typeof r === 'string' || !r?.cts) return typeof r === 'string' ? r : null;
    return { enc: r.enc && [...r.enc], cts: r.cts.map((c) => [...c]) };
  },
};
document.body.dataset.ready = 'true';
