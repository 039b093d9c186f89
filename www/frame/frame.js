// sealpost isolation frame: hosts the address form (the package's wasm `mount()`) on its own
// origin, so the shop page's scripts cannot read what the buyer types. The shop's half is
// `isolated.js` in the package; the protocol is SPEC.md §10 (version 1).
//
// Trust rules here:
//   - the embedding origin is the `parent` URL parameter, and must also be the real ancestor;
//   - a message is accepted only if it is trusted (not synthetic), from `window.parent`, from
//     exactly that origin, in version 1, and carries the channel token from the URL fragment;
//   - messages go only to that origin (never '*'), and carry validity, envelopes and error codes,
//     never what the buyer typed;
//   - the recipients (`couriers`, `testMode`, and with a courier directory the pinned
//     `platformKey` and `allowedCouriers`) are fixed by the first configuration; the directory
//     itself may be replaced by a newer issue.

import { load, mount } from '/pkg/index.js';

const VERSION = 1;
const THEME = ['accent', 'on-accent', 'bg', 'text', 'muted', 'border', 'error', 'font', 'radius', 'gap'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function parentOrigin() {
  const p = new URLSearchParams(location.search).get('parent');
  if (!p) return null;
  let origin;
  try {
    origin = new URL(p).origin;
  } catch {
    return null;
  }
  if (origin !== p || origin === 'null') return null;
  // Where the browser tells us who embeds us (Chromium, WebKit), it must be that origin.
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length > 0 && ancestors[0] !== origin) return null;
  return origin;
}

const origin = window.parent !== window ? parentOrigin() : null;
const channel = new URLSearchParams(location.hash.slice(1)).get('channel');
// The token is for this page only: drop it from the address bar and history.
history.replaceState(null, '', location.pathname + location.search);

const host = document.getElementById('form');
let form = null;
let mounting = null;
let locked = null;

function post(msg) {
  window.parent.postMessage({ sealpost: VERSION, ...msg }, origin);
}

/** The event details the host may see: validity, the envelope, an error code and message. */
function clean(name, d) {
  if (name === 'ready' || !isObject(d)) return null;
  if (name === 'change') return { valid: d.valid === true, fields: isObject(d.fields) ? { ...d.fields } : {} };
  if (name === 'sealed') {
    return { envelope: String(d.envelope), orderRef: String(d.orderRef), disclosed: isObject(d.disclosed) ? { ...d.disclosed } : {} };
  }
  const e = { code: String(d.code || 'unexpected_error'), message: String(d.message ?? '') };
  if (typeof d.field === 'string') e.field = d.field;
  return e;
}

for (const name of ['ready', 'change', 'sealed', 'error']) {
  host.addEventListener(name, (e) => post({ type: 'event', name, detail: clean(name, e.detail) }));
}

function fail(code, message) {
  post({ type: 'event', name: 'error', detail: { code, message } });
}

/** Theme values become custom properties (CSSOM, allowed by the CSP); nothing that loads. */
function applyTheme(theme) {
  if (!isObject(theme)) return;
  for (const key of THEME) {
    const v = theme[key];
    if (typeof v === 'string' && v.length <= 200 && !/[;{}<>\\@]|url\(|image\(|expression/i.test(v)) {
      host.style.setProperty(`--sealpost-${key}`, v);
    } else if (v === undefined || v === '') {
      host.style.removeProperty(`--sealpost-${key}`);
    }
  }
}

function recipients(o) {
  return JSON.stringify([o.couriers ?? null, o.testMode === true, o.platformKey ?? null, o.allowedCouriers ?? null]);
}

async function configure(raw) {
  if (!isObject(raw)) return;
  const { theme, shadow: _ignored, ...options } = raw;
  if (locked === null) {
    locked = recipients(options);
  } else if (recipients(options) !== locked) {
    fail('config_locked', 'the recipients of this form cannot change once it is configured');
    return;
  }
  applyTheme(theme);
  if (typeof options.locale === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(options.locale)) {
    document.documentElement.lang = options.locale;
  }
  options.shadow = 'closed';
  try {
    if (!mounting) {
      const meta = document.querySelector('meta[name="sealpost-wasm"]');
      const wasm = fetch(meta.content, { integrity: meta.dataset.integrity, credentials: 'omit' });
      mounting = load(wasm).then(() => mount(host, options));
      form = await mounting;
    } else {
      await mounting;
      form.setOptions(options);
    }
  } catch (err) {
    fail((err && err.code) || 'load_failed', String((err && err.message) || err));
  }
}

function seal(id) {
  if (!Number.isSafeInteger(id)) return;
  if (!form) {
    post({ type: 'result', id, ok: false, error: { code: 'not_connected', message: 'the form is not ready' } });
    return;
  }
  try {
    post({ type: 'result', id, ok: true, value: clean('sealed', form.seal()) });
  } catch (err) {
    post({ type: 'result', id, ok: false, error: clean('error', err) });
  }
}

if (!origin || !channel || !/^[0-9a-f]{32}$/.test(channel)) {
  document.getElementById('standalone').hidden = false;
} else {
  window.addEventListener('message', (event) => {
    if (!event.isTrusted || event.source !== window.parent || event.origin !== origin) return;
    const m = event.data;
    if (!isObject(m) || m.sealpost !== VERSION || m.channel !== channel) return;
    if (m.type === 'config') configure(m.options);
    else if (m.type === 'seal') seal(m.id);
  });
  new ResizeObserver(() => {
    post({ type: 'size', height: Math.ceil(document.body.getBoundingClientRect().height) });
  }).observe(document.body);
  post({ type: 'hello' });
}
