// Shared by Node (bench.mjs) and the Chromium page (page.js): the inputs every peer seals, the
// cases timed, and one timed batch. Plain ES module, no dependencies.

export const ADDRESS = {
  name: '张三', phone: '13812345678', country: 'CN', addressLevel1: '浙江省', addressLevel2: '杭州市',
  addressLevel3: '西湖区', streetLines: ['文三路 90 号东部软件园 1 幢 101 室'], postalCode: '310012',
};
/** sealpost's public test courier key (bech32 form; sealpost parses it on every seal). */
export const SEALPOST_KEY = 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw';
export const PEERS = ['hpke-core-noble', 'hpke-core-webcrypto', 'hpke-panva', 'libsodium', 'tweetnacl'];

const utf8 = new TextEncoder();
/** An order reference that makes sealpost's header (its AAD) 25 bytes with disclose = country. */
const orderRef = (i) => `ORDER-2026-${String(i % 1e6).padStart(6, '0')}`;

/** The bytes the peers seal, info and AAD shaped like sealpost's (see README.md). */
export function shapes() {
  const keyId = Uint8Array.from([0x3a, 0x91, 0x5c, 0x07, 0xee, 0x42, 0x18, 0xd6]);
  const info = new Uint8Array([...utf8.encode('sealpost-v1 recipient'), ...keyId]); // 29 bytes
  // sealpost's header: "spe" 1 len order 0x01 "CN" = 25 bytes for a 17-character order reference
  const header = new Uint8Array([...utf8.encode('spe'), 1, 17, ...utf8.encode(orderRef(1)), 1, ...utf8.encode('CN')]);
  const record = new Uint8Array(512); // sealpost pads the address record to 512 bytes
  record.set(utf8.encode(JSON.stringify(ADDRESS)));
  return { info, header, record, addressBytes: utf8.encode(JSON.stringify(ADDRESS)).length };
}

/**
 * The timed cases. `peers` maps a peer id to its bundle module; `sp` is sealpost's package
 * (index.js, loaded; or null); `floors` the X25519 floors bundle (or null); `glue` the
 * seal-only module's glue, loaded by index.js (or null). Every case is an async function doing
 * one full seal.
 */
export async function cases(peers, publicKey, sp, floors, glue) {
  const { info, header, record } = shapes();
  const out = [];
  let i = 0;
  if (sp) {
    // the package's seal(): 'auto' is what a shop gets; both X25519 paths forced beside it
    out.push({ id: 'sealpost', peer: 'sealpost', work: 'seal', fn: async () => sp.seal(ADDRESS, SEALPOST_KEY, orderRef(i++), 'country') });
    for (const path of ['platform', 'wasm']) {
      out.push({ id: `sealpost:${path}`, peer: 'sealpost', work: path, fn: async () => sp.seal(ADDRESS, SEALPOST_KEY, orderRef(i++), 'country', { crypto: path }) });
    }
    out.push({ id: 'sealpost:validate', peer: 'sealpost', work: 'validate', fn: async () => sp.validateAddress(ADDRESS) });
  }
  if (glue) out.push({ id: 'sealpost:work', peer: 'sealpost', work: 'work', fn: await ownWork(glue) });
  for (const [id, mod] of Object.entries(peers)) {
    const seal = await mod.prepare(publicKey, info);
    // bare: the address JSON (encoded in the call, as sealpost serializes in its call), AAD 25 bytes
    out.push({ id, peer: id, work: 'bare', fn: async () => seal([[utf8.encode(JSON.stringify(ADDRESS)), header]]) });
    if (mod.hpke) {
      // sealpost's work: one context, Seal(header, aad = "") then Seal(512-byte record, aad = header)
      out.push({ id: `${id}:envelope`, peer: id, work: 'envelope', fn: async () => seal([[header, new Uint8Array(0)], [record, header]]) });
    }
  }
  if (floors) {
    for (const [id, fn] of Object.entries(await floors.prepare(publicKey))) {
      out.push({ id: `x25519:${id}`, peer: id, work: 'floor', fn });
    }
  }
  return out;
}

/** ms per call over `n` sequential calls. */
export async function batch(fn, n) {
  const t0 = performance.now();
  for (let k = 0; k < n; k++) await fn();
  return (performance.now() - t0) / n;
}

/**
 * ms of one call made after `gapMs` idle: what a checkout's single seal costs (work a library
 * does ahead, between calls, is off this clock). Mean of `n` calls after a warm-up (Chromium
 * coarsens performance.now() to 0.1 ms with jitter, so a mean, not a median).
 */
export async function latency(fn, n = 101, gapMs = 10) {
  for (let k = 0; k < 10; k++) await fn();
  let sum = 0;
  for (let k = 0; k < n; k++) {
    await new Promise((r) => { setTimeout(r, gapMs); });
    const t0 = performance.now();
    await fn();
    sum += performance.now() - t0;
  }
  return sum / n;
}

/** Warm-up, then the number of calls that takes about `targetMs`. */
export async function calibrate(fn, targetMs) {
  for (let k = 0; k < 30; k++) await fn();
  const per = await batch(fn, 20);
  return Math.max(10, Math.round(targetMs / per));
}

/**
 * sealpost's own share of a platform-path seal: the seal-only module's `sealEncapsulated` (the
 * address converted and checked, the record, the key schedule, two ChaCha20-Poly1305 seals,
 * the text) with one encapsulation (ephemeral key pair + DH) made once by WebCrypto and reused,
 * so that none of the platform's X25519 is on the clock. A benchmark only: `seal()` never
 * reuses an encapsulation. `glue` is the seal-only module's glue, loaded.
 */
async function ownWork(glue) {
  const s = crypto.subtle;
  const X25519 = { name: 'X25519' };
  const pkR = await s.importKey('raw', glue.sealKeys(ADDRESS, SEALPOST_KEY, orderRef(0), 'country'), X25519, false, []);
  const pair = await s.generateKey(X25519, false, ['deriveBits']);
  const encapsulation = new Uint8Array(64);
  encapsulation.set(new Uint8Array(await s.exportKey('raw', pair.publicKey)));
  encapsulation.set(new Uint8Array(await s.deriveBits({ name: 'X25519', public: pkR }, pair.privateKey, 256)), 32);
  let i = 0;
  return async () => glue.sealEncapsulated(ADDRESS, SEALPOST_KEY, orderRef(i++), 'country', encapsulation);
}

/**
 * Whether the platform's WebCrypto X25519 runs beside the page's own work (on another thread)
 * or takes turns with it: medians over 9 rounds of ms for `n` key pairs requested together, for
 * a `busyMs` task on this thread, and for both started together; `overlap` is the share of the
 * shorter one hidden behind the other (1: fully beside, 0: one after the other).
 */
export async function overlap(n = 40, busyMs = 5) {
  const s = crypto.subtle;
  const pairs = () => Promise.all(Array.from({ length: n }, () => s.generateKey({ name: 'X25519' }, false, ['deriveBits'])));
  const busy = () => {
    const t0 = performance.now();
    while (performance.now() - t0 < busyMs);
  };
  const r = { cryptoMs: [], busyMs: [], bothMs: [] };
  await pairs();
  for (let k = 0; k < 9; k++) {
    let t0 = performance.now();
    await pairs();
    r.cryptoMs.push(performance.now() - t0);
    t0 = performance.now();
    busy();
    r.busyMs.push(performance.now() - t0);
    t0 = performance.now();
    const both = pairs();
    busy();
    await both;
    r.bothMs.push(performance.now() - t0);
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, med(v)]));
  const hidden = (m.cryptoMs + m.busyMs - m.bothMs) / Math.min(m.cryptoMs, m.busyMs);
  return { n, ...m, overlap: Math.min(1, Math.max(0, hidden)) };
}
