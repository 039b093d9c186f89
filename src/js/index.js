// sealpost: the <sealpost-address> element and mount(), over the wasm module.
//
// SSR-safe: importing this module touches no browser global. The element is defined only where
// `customElements` exists, and the wasm module is fetched on first use (or by `load()`).
// CSP-safe: no inline styles or scripts, no eval; the form's CSS is a constructed stylesheet.
//
// The wasm-bindgen glue (./sealpost.js) is imported dynamically by `load()`, which starts the
// wasm's fetch at the same time (issue #17): with a static import nothing, not even the wasm
// request, could start before the glue was fetched and evaluated. Bundlers still split the glue
// into a chunk and find the wasm through its `new URL('sealpost_bg.wasm', import.meta.url)`
// (and through ours below, the same static pattern).

/** The public test courier key: anything sealed to it can be opened by anyone (test mode). */
export const TEST_COURIER_PUBLIC_KEY = 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw';
/** The matching identity, for `sealpost open -i` in a shop's own tests. Never for real orders. */
export const TEST_COURIER_IDENTITY =
  'SEALPOST-SECRET-KEY-14QLMYPQVXAFSAK242PYSM6M8WE49Q3N2JE32R27TQ72ZRHXHUDEQPJSNJW';

let loading = null;

// The shape of every error the package throws (the wasm module's too, SealpostError in
// index.d.ts): an Error named SealpostError with `code`, `message` and, for address errors, `field`.
function sealpostError(code, message, field) {
  const err = new Error(message);
  err.name = 'SealpostError';
  err.code = code;
  if (typeof field === 'string') err.field = field;
  return err;
}

const inNode = () => typeof process !== 'undefined' && Boolean(process.versions && process.versions.node);

/** A wasm file next to this file (`url`), read from disk in Node (its fetch cannot read file: URLs). */
async function nodeWasm(url = new URL('./sealpost_bg.wasm', import.meta.url)) {
  if (url.protocol !== 'file:') return url;
  // A computed specifier, ignored by bundlers: nothing of Node is imported in a browser build.
  const fs = 'node:fs/promises';
  try {
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fs);
    return await readFile(url);
  } catch (err) {
    throw sealpostError('load_failed', `could not read ${url.pathname} (${err && err.message}): call load(bytes) with the module's bytes`);
  }
}

/**
 * `sealpost_bg.wasm` next to this file, requested now (in a browser), so that its download
 * overlaps the glue's; the glue's init compiles the Response streaming (instantiateStreaming).
 */
function browserWasm() {
  return fetch(new URL('./sealpost_bg.wasm', import.meta.url));
}

/**
 * Loads and instantiates the wasm module once. `input` is what wasm-bindgen's init accepts
 * (a URL, a Response, bytes or a WebAssembly.Module); by default `sealpost_bg.wasm` next to
 * this file (in Node, read from disk). Resolves to the glue's exports. Rejects with a
 * `SealpostError` coded `load_failed`.
 */
export function load(input) {
  if (!loading) {
    let source;
    if (input !== undefined) source = input;
    else if (inNode()) source = nodeWasm();
    else source = browserWasm();
    loading = Promise.all([import('./sealpost.js'), source])
      .then(([wasm, s]) => wasm.default({ module_or_path: s }).then(() => wasm))
      .catch((err) => {
        throw err && err.name === 'SealpostError' ? err : sealpostError('load_failed', `the sealpost module could not load: ${String((err && err.message) || err)}`);
      });
    loading.catch(() => { loading = null; });
  }
  return loading;
}

/**
 * Why this page cannot render the form (jsdom and other DOM emulations lack shadow roots or
 * constructed stylesheets), or null.
 */
function unsupported() {
  const jsdom = typeof navigator !== 'undefined' && /jsdom/i.test(navigator.userAgent || '');
  const shadow = typeof HTMLElement !== 'undefined' && typeof HTMLElement.prototype.attachShadow === 'function';
  const sheets = typeof CSSStyleSheet !== 'undefined' && typeof CSSStyleSheet.prototype.replaceSync === 'function';
  if (!jsdom && shadow && sheets) return null;
  return sealpostError(
    'unsupported_environment',
    `the address form needs a real browser (${jsdom ? 'jsdom' : 'this DOM'} has no ${shadow ? 'constructed stylesheets' : 'shadow roots'}): `
      + 'test it in a browser (Playwright or Puppeteer, with testMode) or use the sealpost/testing helper',
  );
}

// The address data (SPEC §4.2: each country's format, China's divisions): the files of this
// package's `data/` folder, fetched by the form one country (and one Chinese province) at a
// time, each checked by the wasm module against the hash it has built in, so a changed file is
// refused wherever it comes from. `options.dataUrl` moves the folder (a bundler does not emit
// it: copy node_modules/sealpost/data, or point at a CDN); `null` turns the data off.
// Not written `new URL('./data/', import.meta.url)`: bundlers take that pattern for a file
// (or, with a variable, a whole folder of modules) to emit, and this is a folder of data.
const DATA_DIR = './data/';
const HERE = import.meta.url;
const DATA_PATH = /^(intl\/[A-Z]{2}|cn\/(index|\d{2}))\.json$/;
/** Asset texts of this page (absolute URL → Promise<string>): fetched once per page. */
const dataTexts = new Map();
/** One loader per data folder, so that a form given the same folder again sees no change. */
const dataLoaders = new Map();
let dataWarned = false;

/** The loader for `dataUrl` (undefined: this package's `data/`), or null for no data. */
function dataLoader(dataUrl) {
  if (dataUrl === null || dataUrl === false) return null;
  let base;
  try {
    base = dataUrl === undefined || dataUrl === ''
      ? new URL(DATA_DIR, HERE)
      : new URL(String(dataUrl), typeof document !== 'undefined' ? document.baseURI : undefined);
  } catch {
    base = null;
  }
  if (!base || !/^https?:$/.test(base.protocol)) {
    // a bundler that rewrote import.meta.url to a file: URL, or a bad dataUrl: the built-in
    // layouts, and a hint for the developer (the folder, never a buyer's country)
    if (!dataWarned && typeof console !== 'undefined') {
      dataWarned = true;
      console.warn(`sealpost: no address data (dataUrl ${base ? base.protocol : 'not a URL'}): the form shows its built-in fields; set options.dataUrl to where node_modules/sealpost/data is served (README)`);
    }
    return null;
  }
  if (!base.pathname.endsWith('/')) base = new URL(`${base.pathname}/${base.search}`, base);
  const key = base.href;
  let loader = dataLoaders.get(key);
  if (!loader) {
    loader = (path) => {
      if (typeof path !== 'string' || !DATA_PATH.test(path)) return Promise.reject(new Error('not an address-data path'));
      const url = new URL(path, base).href;
      let text = dataTexts.get(url);
      if (!text) {
        text = fetch(url, { credentials: 'omit' })
          .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))));
        text.catch(() => dataTexts.delete(url)); // a later country or province change asks again
        dataTexts.set(url, text);
      }
      return text;
    };
    dataLoaders.set(key, loader);
  }
  return loader;
}

/** The options the wasm form gets: `loadData` made from `dataUrl` unless the page gave one. */
function withData(options) {
  const o = { ...(options || {}) };
  if (typeof o.loadData !== 'function') o.loadData = dataLoader(o.dataUrl);
  return o;
}

/**
 * Starts fetching the address data a form for `country` needs first (its format; for China the
 * province list too), so that it is there when the form renders. `options`: `dataUrl` or
 * `loadData` as the form's. Never rejects.
 */
export function preloadAddressData(country = 'CN', options = {}) {
  const o = withData(options);
  if (typeof o.loadData !== 'function' || typeof country !== 'string' || !/^[A-Z]{2}$/.test(country)) return;
  const paths = [`intl/${country}.json`, ...(country === 'CN' ? ['cn/index.json'] : [])];
  for (const path of paths) {
    try {
      Promise.resolve(o.loadData(path)).catch(() => {});
    } catch {
      // the page's own loader threw: the form will say so
    }
  }
}

// The element owns its form: the controller stays alive as long as the element does, even if
// the caller drops it (its listeners would otherwise be freed with it).
const forms = new WeakMap();

/** Renders the form into a new shadow root of `element`; resolves to its controller. */
export async function mount(element, options = {}) {
  const problem = unsupported();
  if (problem) throw problem;
  const o = withData(options);
  preloadAddressData(typeof o.country === 'string' ? o.country : 'CN', o);
  const wasm = await load();
  const form = wasm.mount(element, o);
  forms.set(element, form);
  return form;
}

/**
 * Verifies a signed courier directory with the pinned platform key, as the form does before
 * sealing; resolves to the couriers it would seal to now (`[{ id, nameZh, nameEn, keyId }]`).
 */
export async function verifyDirectory(directory, platformKey, allowedCouriers) {
  const wasm = await load();
  return wasm.verifyDirectory(directory, platformKey, allowedCouriers);
}

// Platform X25519 (issue #17). Where WebCrypto has X25519, each courier's ephemeral key pair
// and Diffie-Hellman come from it (the private key is made non-extractable and never leaves
// the platform); the wasm module then runs the rest of RFC 9180's sender (key schedule,
// ChaCha20-Poly1305). The envelope's bytes are the same either way (tests/wasm/platform.rs
// seals the committed vectors with each engine's WebCrypto; tests/e2e/crypto-paths.mjs checks
// which path each choice takes). Which path is faster depends on the engine (README, "Beside
// the peers"): 'auto' takes the platform where it measured faster.
const X25519 = { name: 'X25519' };
const subtle = () => (typeof crypto !== 'undefined' && crypto.subtle) || null;
let platformX25519 = null;
/** One ephemeral key pair made ahead (`{ pair, enc }`), for the next seal; used once. */
let spare = null;

/** A fresh ephemeral key pair and its public key (`enc`) from the platform. */
async function newEphemeral() {
  const s = subtle();
  const pair = await s.generateKey(X25519, false, ['deriveBits']);
  return { pair, enc: new Uint8Array(await s.exportKey('raw', pair.publicKey)) };
}

/**
 * The next ephemeral key pair: the one made ahead, while the following one is made in the
 * background (a seal then costs the DH, not the key generation; each pair is used once, and
 * its private key never leaves WebCrypto).
 */
function takeEphemeral() {
  const next = spare || newEphemeral();
  spare = newEphemeral();
  spare.catch(() => { spare = null; });
  return next;
}

/** Resolves to whether this platform's WebCrypto does X25519 (asked once; the pair it makes
 *  is kept as the first spare). */
function hasPlatformX25519() {
  if (!platformX25519) {
    const probe = subtle() ? newEphemeral() : Promise.reject(new Error('no WebCrypto'));
    platformX25519 = probe.then((e) => { spare = spare || Promise.resolve(e); return true; }, () => false);
  }
  return platformX25519;
}

/**
 * Where the platform path did not measure faster than the module's own X25519 (README, "one
 * seal"): Firefox, whose WebCrypto X25519 key pair and DH cost about twice the whole wasm seal.
 * (In Node the platform path wins only with the key pair made ahead, off the seal's path.)
 */
function platformMeasuredSlower() {
  return typeof navigator !== 'undefined' && /\bFirefox\//.test(navigator.userAgent || '');
}

/** Imported courier keys (a raw key's base64 → its CryptoKey), at most 64. */
const courierKeys = new Map();

function importCourier(raw) {
  const id = btoa(String.fromCharCode(...raw));
  let key = courierKeys.get(id);
  if (!key) {
    if (courierKeys.size >= 64) courierKeys.clear();
    key = subtle().importKey('raw', raw, X25519, false, []);
    key.catch(() => courierKeys.delete(id));
    courierKeys.set(id, key);
  }
  return key;
}

/** `enc || DH(skE, pkR)` for each 32-byte key in `keys`, from the platform's X25519. */
async function platformEncapsulate(keys) {
  const s = subtle();
  const out = new Uint8Array(2 * keys.length);
  for (let i = 0; i < keys.length; i += 32) {
    const [pkR, eph] = await Promise.all([importCourier(keys.slice(i, i + 32)), takeEphemeral()]);
    out.set(eph.enc, 2 * i);
    const dh = new Uint8Array(await s.deriveBits({ name: 'X25519', public: pkR }, eph.pair.privateKey, 256));
    out.set(dh, 2 * i + 32);
    dh.fill(0);
  }
  return out;
}

/** The package's other wasm modules, loading or loaded: `seal` and `full`. */
const modules = {};

/**
 * Loads one of the package's other modules once: `importGlue()` imports its wasm-bindgen glue
 * and `wasmUrl()` gives its wasm's URL (literal specifiers, so that bundlers find both).
 * Resolves to the glue's exports; rejects `load_failed`.
 */
function loadModule(name, importGlue, wasmUrl) {
  if (!modules[name]) {
    const url = wasmUrl();
    const source = inNode() ? nodeWasm(url) : fetch(url);
    const loaded = Promise.all([importGlue(), source])
      .then(([glue, s]) => glue.default({ module_or_path: s }).then(() => glue))
      .catch((err) => {
        throw err && err.name === 'SealpostError' ? err : sealpostError('load_failed', `the sealpost ${name} module could not load: ${String((err && err.message) || err)}`);
      });
    loaded.catch(() => { delete modules[name]; });
    modules[name] = loaded;
  }
  return modules[name];
}

/**
 * The seal-only module (`sealpost_seal_bg.wasm`: the platform path's seal and validation, no
 * form, no X25519): what `seal()` loads on the platform path, so that a page sealing its own
 * form's address never fetches the form's module.
 */
const loadSeal = () => loadModule('seal', () => import('./sealpost_seal.js'), () => new URL('./sealpost_seal_bg.wasm', import.meta.url));

/**
 * The whole binding (`sealpost_full_bg.wasm`): `seal()` on the wasm X25519 path, `inspect()`
 * and `openTestEnvelope()`, which the form's module (`load()`) leaves out.
 */
const loadFull = () => loadModule('full', () => import('./sealpost_full.js'), () => new URL('./sealpost_full_bg.wasm', import.meta.url));

/** Which X25519 `seal()` uses for `choice` ('auto', 'platform' or 'wasm'). */
async function sealPath(choice) {
  if (choice === 'wasm') return 'wasm';
  const has = await hasPlatformX25519();
  if (choice === 'platform') {
    if (!has) throw sealpostError('unsupported_environment', "this platform's WebCrypto has no X25519: seal with options.crypto 'auto' or 'wasm'");
    return 'platform';
  }
  return has && !platformMeasuredSlower() ? 'platform' : 'wasm';
}

/** `options.crypto`, checked. */
function cryptoChoice(options) {
  const choice = options && options.crypto !== undefined ? options.crypto : 'auto';
  if (choice !== 'auto' && choice !== 'platform' && choice !== 'wasm') {
    throw sealpostError('invalid_options', `options.crypto must be 'auto', 'platform' or 'wasm', not ${typeof choice === 'string' ? `'${choice.slice(0, 20)}'` : typeof choice}`);
  }
  return choice;
}

/** Per X25519 choice, the path `seal()` takes and its loaded module, once known. */
const sealModules = {};

/** The path `seal()` takes for `choice`, and its loaded module: `{ path, wasm }`. */
function sealModule(choice) {
  if (!sealModules[choice]) {
    // fetch and compile the seal module while the platform is asked whether it has X25519
    if (choice === 'platform' || (choice === 'auto' && !platformMeasuredSlower())) loadSeal().catch(() => {});
    const found = sealPath(choice).then(async (path) => ({ path, wasm: await (path === 'wasm' ? loadFull() : loadSeal()) }));
    found.catch(() => { delete sealModules[choice]; });
    sealModules[choice] = found;
  }
  return sealModules[choice];
}

/** Raw courier keys per `couriers` value (a key or a list of keys, named apart), at most 64. */
const parsedCouriers = new Map();

/**
 * The 32-byte X25519 keys of `couriers` (as `seal()` takes them), parsed once per value; null
 * when they do not parse (`seal()`'s own checks then say why, in their order).
 */
function keysOf(wasm, couriers) {
  const name = typeof couriers === 'string' ? `key ${couriers}`
    : Array.isArray(couriers) && couriers.every((c) => typeof c === 'string') ? `list ${JSON.stringify(couriers)}` : null;
  let keys = name === null ? undefined : parsedCouriers.get(name);
  if (keys) return keys;
  try {
    keys = wasm.courierKeys(couriers);
  } catch {
    return null;
  }
  if (name !== null) {
    if (parsedCouriers.size >= 64) parsedCouriers.clear();
    parsedCouriers.set(name, keys);
  }
  return keys;
}

/**
 * Loads what `seal()` will use here (the seal-only module and a first ephemeral key pair on
 * the platform path, the whole module on the wasm path), so that the first seal does no
 * loading. Call it when the checkout page loads. Takes `seal()`'s options.
 */
export async function prepareSeal(options = {}) {
  await sealModule(cryptoChoice(options));
}

/**
 * Seals an address object; resolves to the envelope text (`spe1.…`). `options.crypto` picks
 * the X25519: 'auto' (default: the platform's WebCrypto where it is faster), 'platform' or
 * 'wasm'; the envelope's format is the same.
 */
export async function seal(address, couriers, orderRef, disclose = 'none', options = {}) {
  const { path, wasm } = await sealModule(cryptoChoice(options));
  address = await withAddressData(address, options);
  if (path === 'wasm') return wasm.seal(address, couriers, orderRef, disclose);
  // the couriers' keys parsed once per value; every check of seal() runs in sealEncapsulated,
  // or first here (in seal()'s order) when the keys do not parse or the platform fails
  const checked = () => wasm.sealKeys(address, couriers, orderRef, disclose);
  const encapsulations = await platformEncapsulate(keysOf(wasm, couriers) || checked()).catch((err) => {
    checked();
    throw sealpostError('randomness_unavailable', `the platform's X25519 failed: ${String((err && err.message) || err).slice(0, 120)}`);
  });
  try {
    return wasm.sealEncapsulated(address, couriers, orderRef, disclose, encapsulations);
  } finally {
    encapsulations.fill(0);
  }
}

/**
 * With `options.dataUrl` or `options.loadData` (as the form's), the address `seal()` seals is
 * the one SPEC §4.2 gives: checked with the country's address data (required fields, postal
 * pattern, state list; China's province ⊃ city ⊃ district) and canonical (the data's names,
 * `divisionCode` filled in). Each asset is fetched once per page and checked against the hash
 * the module has built in; this loads the whole module (`sealpost_full_bg.wasm`) for it. No
 * data asked for: the address as given (§4.1 rules only).
 */
async function withAddressData(address, options) {
  if (!options || (options.dataUrl == null && typeof options.loadData !== 'function')) return address;
  // the data's code is in the whole module only (the seal-only one stays small)
  const wasm = await loadFull();
  const loader = typeof options.loadData === 'function' ? options.loadData : dataLoader(options.dataUrl);
  if (!loader) throw sealpostError('invalid_options', 'options.dataUrl is not an http(s) URL of the address data folder');
  for (let path = wasm.addressDataNeeded(address), tries = 0; path && tries < 4; path = wasm.addressDataNeeded(address), tries++) {
    let text;
    try {
      text = await loader(path);
    } catch (err) {
      throw sealpostError('load_failed', `the address data ${path} could not be loaded: ${String((err && err.message) || err).slice(0, 120)}`);
    }
    wasm.addAddressData(path, text);
  }
  return wasm.canonicalAddress(address);
}

/**
 * A module with the functions all three have (validation, key ids): one already loading, else
 * the one `seal()` would load here.
 */
function eitherModule() {
  return loading || modules.seal || modules.full || (platformMeasuredSlower() ? loadFull() : loadSeal());
}

/** Throws the error `seal` would throw for this address (with `code` and `field`). */
export async function validateAddress(address) {
  const wasm = await eitherModule();
  return wasm.validateAddress(address);
}

/** The 16-hex-digit key id of a courier public key. */
export async function keyId(publicKey) {
  const wasm = await eitherModule();
  return wasm.keyId(publicKey);
}

/** What anyone can see in an envelope: order, disclosed region, recipients' key ids. */
export async function inspect(envelope) {
  const wasm = await loadFull();
  return wasm.inspect(envelope);
}

/** Opens an envelope sealed in test mode (to TEST_COURIER_PUBLIC_KEY); resolves to the address. */
export async function openTestEnvelope(envelope, orderRef) {
  const wasm = await loadFull();
  return wasm.openTestEnvelope(envelope, orderRef);
}

const ATTRIBUTES = ['couriers', 'order-ref', 'disclose', 'locale', 'country', 'test-mode', 'no-button', 'directory', 'platform-key', 'allowed-couriers'];
/** Public properties a page may set before the element is defined (re-applied on upgrade). */
const PROPERTIES = ['options'];

/**
 * Sends `sealpost-<name>` (bubbles, composed) and the deprecated `<name>` alias (one release),
 * which stays on the element: neither bubbling nor composed, so it reaches no `window.onerror`
 * and no `onChange` of the shop's own form. The wasm form does the same (src/widget/events.rs).
 */
function fire(element, name, detail = null) {
  element.dispatchEvent(new CustomEvent(`sealpost-${name}`, { bubbles: true, composed: true, detail }));
  element.dispatchEvent(new CustomEvent(name, { detail }));
}

function asSealpostError(err) {
  if (err && err.name === 'SealpostError' && typeof err.code === 'string') return err;
  return sealpostError((err && err.code) || 'load_failed', String((err && err.message) || err));
}

function errorDetail(err) {
  const detail = { code: err.code, message: err.message };
  if (typeof err.field === 'string') detail.field = err.field;
  return detail;
}

const FALLBACK = {
  'zh-CN': '地址表单无法加载，请刷新页面或联系商家。',
  en: 'The address form could not load. Reload the page or contact the shop.',
};
let fallbackSheet = null;
/** What the buyer sees when the module cannot load: a message, never a blank box (CSP-safe). */
function renderFallback(element, locale) {
  if (!fallbackSheet) {
    fallbackSheet = new CSSStyleSheet();
    fallbackSheet.replaceSync(':host { display: block; } p { margin: 0; padding: 12px; border: 1px solid #b3261e; '
      + 'border-radius: 6px; color: #b3261e; font: inherit; }');
  }
  let root;
  try {
    root = element.attachShadow({ mode: 'closed' });
  } catch {
    return; // the form rendered already: it stays
  }
  root.adoptedStyleSheets = [fallbackSheet];
  const zh = /^zh/i.test(locale || document.documentElement.lang || '');
  const p = document.createElement('p');
  p.setAttribute('part', 'fallback');
  p.setAttribute('role', 'alert');
  p.lang = zh ? 'zh-CN' : 'en';
  p.textContent = zh ? FALLBACK['zh-CN'] : FALLBACK.en;
  root.append(p);
}

/** Defines `<sealpost-address>` (or another tag name) if the platform has custom elements. */
export function defineElement(name = 'sealpost-address') {
  if (typeof customElements === 'undefined' || customElements.get(name)) return;

  class SealpostAddress extends HTMLElement {
    static get observedAttributes() {
      return ATTRIBUTES;
    }

    #form = null;
    #mounting = null;
    #options = {};
    #failed = null; // the load failure: final for this element
    #updating = false;
    // ready(): null until the first outcome, then { error } (error null: ready).
    #outcome = null;
    #waiting = [];

    constructor() {
      super();
      // Upgrade-safe properties: a value set before this class was defined (code splitting,
      // React) is an own property that would shadow the setter; re-apply it through it.
      for (const p of PROPERTIES) {
        if (Object.prototype.hasOwnProperty.call(this, p)) {
          const v = this[p];
          delete this[p];
          this[p] = v;
        }
      }
    }

    /**
     * Options set from script; attributes, when present, win. An `options` attribute (React
     * writes `options="[object Object]"` before the element is defined) is ignored.
     */
    get options() {
      return { ...this.#options };
    }

    set options(value) {
      this.#options = { ...(value || {}) };
      this.#update();
    }

    connectedCallback() {
      if (this.#mounting || this.#failed) return;
      const o = this.#collect();
      const problem = unsupported();
      // Isolation mode (SPEC §10): the form lives in a cross-origin iframe; no wasm on this page.
      const inline = !problem && !(o.isolated || o.frameUrl);
      // the first country's address data downloads while the module loads; in a microtask,
      // after options a framework sets right after inserting the element (React's layout
      // effect), such as `dataUrl`
      if (inline) {
        queueMicrotask(() => {
          const now = this.#collect();
          preloadAddressData(typeof now.country === 'string' ? now.country : 'CN', now);
        });
      }
      const start = problem ? Promise.reject(problem)
        : !inline
          ? import('./isolated.js').then((m) => m.mountIsolated(this, () => this.#collect(), (n, d) => fire(this, n, d), sealpostError))
          : load().then((wasm) => wasm.mount(this, withData(this.#collect())));
      this.#mounting = start
        .then((form) => {
          this.#form = form;
          // inline: the configuration was checked at mount (ready or error already sent)
          this.#outcomeIs(form.configError || null);
        })
        .catch((e) => {
          const err = asSealpostError(e);
          this.#mounting = null;
          if (err.code === 'load_failed') {
            this.#failed = err;
            renderFallback(this, o.locale);
          }
          fire(this, 'error', errorDetail(err));
          this.#outcomeIs(err);
          throw err;
        });
      this.#mounting.catch(() => {});
    }

    attributeChangedCallback() {
      this.#update();
    }

    /** Whether what the buyer typed is valid (false until the form is ready). */
    get valid() {
      return this.#form ? this.#form.valid : false;
    }

    /**
     * Resolves once the form is ready to seal; rejects with the `SealpostError` of a bad
     * configuration or a load failure. After a fix (options, attributes), a new call resolves.
     */
    ready() {
      const o = this.#outcome;
      if (o) return o.error ? Promise.reject(o.error) : Promise.resolve();
      return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
    }

    /** Checks and seals; resolves to `{ envelope, orderRef, disclosed }`, rejects with `code`. */
    async seal() {
      if (this.#failed) throw this.#failed;
      if (!this.#mounting) {
        // a form refused at mount (isolation: its first configuration) says why, not "not connected"
        if (this.isConnected && this.#outcome?.error) throw this.#outcome.error;
        throw sealpostError('not_connected', 'the element is not in the document');
      }
      await this.#mounting;
      return this.#form.seal();
    }

    #outcomeIs(error) {
      this.#outcome = { error };
      for (const w of this.#waiting.splice(0)) {
        if (error) w.reject(error);
        else w.resolve();
      }
    }

    #collect() {
      const o = { ...this.#options };
      const attr = (n) => this.getAttribute(n);
      if (attr('couriers') !== null) o.couriers = attr('couriers');
      if (attr('order-ref') !== null) o.orderRef = attr('order-ref');
      if (attr('disclose') !== null) o.disclose = attr('disclose');
      if (attr('locale') !== null) o.locale = attr('locale');
      if (attr('country') !== null) o.country = attr('country');
      if (attr('directory') !== null) o.directory = attr('directory');
      if (attr('platform-key') !== null) o.platformKey = attr('platform-key');
      if (attr('allowed-couriers') !== null) o.allowedCouriers = attr('allowed-couriers').split(/\s+/).filter(Boolean);
      if (this.hasAttribute('test-mode')) o.testMode = true;
      if (this.hasAttribute('no-button')) o.button = false;
      if (this.hasAttribute('isolated')) o.isolated = true;
      if (attr('frame-url') !== null) o.frameUrl = attr('frame-url');
      return o;
    }

    // Changes made together (several attributes, options) are applied once, in a microtask.
    #update() {
      if (!this.#form || this.#updating) return;
      this.#updating = true;
      this.#outcome = null; // ready() waits for the check of the new configuration
      queueMicrotask(() => {
        this.#updating = false;
        try {
          const o = this.#collect();
          // inline: the form's address data; isolated: the frame uses its own origin's
          this.#form.setOptions(o.isolated || o.frameUrl ? o : withData(o));
          // inline: checked (ready or error sent); isolated: the frame keeps its checked config
          this.#outcomeIs(this.#form.configError || null);
        } catch (e) {
          const err = asSealpostError(e);
          fire(this, 'error', errorDetail(err));
          this.#outcomeIs(err);
        }
      });
    }
  }

  customElements.define(name, SealpostAddress);
}

defineElement();
