// sealpost isolation frame: hosts the address form (the package's wasm `mount()`) on the
// platform's own origin, so the shop page's scripts cannot read what the buyer types nor choose
// who can read it. The shop's half is `isolated.js` in the package; the protocol is SPEC.md §10.
//
// Trust rules here (SPEC §10.3):
//   - the trust policy is part of this page (`<script type="application/json"
//     id="sealpost-policy">`, written by `cargo xtask frame` from the platform's policy file):
//     the pinned platform key, the directory on this origin, which shop origins may embed the
//     form, which couriers each may use, the widest `disclose`, whether test mode exists;
//   - the embedding origin is the `parent` URL parameter, must be the real ancestor where the
//     browser says so, and must be one of the policy's embedders;
//   - a message is accepted only if it is trusted (not synthetic), from `window.parent`, from
//     exactly that origin, in version 1, and carries the channel token from the URL fragment;
//   - the host may set only the order reference, a choice among its couriers, a `disclose`
//     within its limit, locale, strings, country and theme. Options that would change
//     recipients or test mode are refused (`option_not_allowed`), first config or not; the
//     order, courier choice and disclosure are fixed by the first accepted config;
//   - the form seals only when the buyer presses its button (or Enter); a host `seal` request
//     gets the envelope the buyer confirmed, `invalid_address` (no detail), or waits for the
//     buyer, who is asked (never by moving focus) to press the button;
//   - messages go only to that origin (never '*'): validity (debounced, only when it changes),
//     the frame's height (which depends on the width and the host's options, never on what the
//     buyer typed or which layout is shown), envelopes and error codes.

import { load, mount, preloadAddressData, verifyDirectory } from '/pkg/index.js';

const VERSION = 1;
const THEME = ['accent', 'on-accent', 'bg', 'text', 'muted', 'border', 'error', 'font', 'radius', 'gap'];
/** Host options that would change who can read the address: always refused. */
const RECIPIENT_OPTIONS = ['couriers', 'directory', 'platformKey', 'testMode'];
/** `disclose` values, narrowest first. The host may also say `region` for `province`. */
const DISCLOSE_RANK = new Map([['none', 0], ['country', 1], ['province', 2]]);
/** Validity is reported once the buyer's edits have settled this long. */
const SETTLE_MS = 400;
const MAX_STRING = 500;
/** String keys the host may override: labels, messages, the button; never the notices. */
const STRING_KEY = /^(label\.[a-z0-9-]{1,32}|error\.[a-z_]{1,32}(\.CN)?|required|submit|status\.[a-z]{1,16})$/;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
// Spread, so that holes of a sparse array count as `undefined` (Array#every skips them).
const isStringArray = (v) => Array.isArray(v) && v.length <= 64 && [...v].every((s) => typeof s === 'string');
const hasKeys = (o, keys) => Object.keys(o).every((k) => keys.includes(k));
/** An origin as browsers serialize it (no path, no default port, lower case). */
const isOrigin = (s) => {
  try {
    return typeof s === 'string' && /^https?:/.test(s) && new URL(s).origin === s;
  } catch {
    return false;
  }
};
/** Paths of the frame site itself: the directory must not be one of them. */
const isDirectoryPath = (s) => typeof s === 'string' && /^\/[A-Za-z0-9._\/-]+$/.test(s) && !s.startsWith('//')
  && !s.includes('..') && !s.endsWith('/') && !/^\/(frame|pkg)\/|^\/_|^\/(nginx\.conf|integrity\.json)$/.test(s);

class Refused extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The policy this page was built with; throws `policy_invalid` if it is not usable. */
function readPolicy() {
  const node = document.getElementById('sealpost-policy');
  let p;
  try {
    p = JSON.parse(node ? node.textContent : '');
  } catch {
    throw new Refused('policy_invalid', 'the frame page carries no readable policy');
  }
  const embedders = isObject(p) && Array.isArray(p.embedders) ? [...p.embedders] : [];
  const ok = isObject(p) && hasKeys(p, ['sealpostFramePolicy', 'platformKey', 'directory', 'testMode', 'embedders'])
    && p.sealpostFramePolicy === 1 && typeof p.platformKey === 'string' && isDirectoryPath(p.directory)
    && typeof p.testMode === 'boolean' && embedders.length > 0
    && embedders.every((e) => isObject(e) && hasKeys(e, ['origin', 'couriers', 'disclose']) && isOrigin(e.origin)
      && isStringArray(e.couriers) && e.couriers.length > 0 && e.couriers.every((c) => /^[a-z0-9-]{1,32}$/.test(c))
      && typeof e.disclose === 'string' && DISCLOSE_RANK.has(e.disclose))
    && new Set(embedders.map((e) => e.origin)).size === embedders.length;
  if (!ok) throw new Refused('policy_invalid', 'the frame policy does not have the shape of SPEC §10.6');
  return { ...p, directoryUrl: new URL(p.directory, location.origin).href };
}

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
  // Where the browser tells us who embeds us, it must be that origin. Firefox reports "null"
  // when the iframe has referrerpolicy="no-referrer" (the host's default): then the embedder is
  // known only from `frame-ancestors` and the exact origin checks of every message.
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length > 0 && ancestors[0] !== 'null' && ancestors[0] !== origin) return null;
  return origin;
}

const host = document.getElementById('form');
const notice = document.getElementById('notice');
const origin = window.parent !== window ? parentOrigin() : null;
const channel = new URLSearchParams(location.hash.slice(1)).get('channel');
// The token is for this page only: drop it from the address bar and history.
history.replaceState(null, '', location.pathname + location.search);

/** Tells the buyer, inside the frame, why there is no form. */
function showNotice(kind, detail) {
  const zh = (document.documentElement.lang || navigator.language || '').startsWith('zh');
  const text = {
    standalone: ['此页面只在商店的结算页中显示 sealpost 地址表单，单独打开没有作用。',
      'This page shows the sealpost address form inside a shop\'s checkout; it does nothing on its own.'],
    refused: ['地址表单已停用：此页面要求的设置不被平台允许', 'The address form is disabled: this page asked for settings the platform does not allow'],
    failed: ['地址表单暂时无法加载，请稍后重试', 'The address form could not load; please try again later'],
  }[kind];
  notice.textContent = (zh ? text[0] : text[1]) + (detail ? ` (${detail})` : '');
  notice.hidden = false;
  // The host sizes the iframe: make the notice visible there too (it depends on nothing the
  // buyer typed: there is no form).
  if (kind !== 'standalone' && origin && window.parent !== window) {
    post({ type: 'size', height: Math.ceil(document.body.getBoundingClientRect().height) });
  }
}

function post(msg) {
  window.parent.postMessage({ sealpost: VERSION, ...msg }, origin);
}

function fail(code, message) {
  post({ type: 'event', name: 'error', detail: { code, message } });
}

/** The only event details that leave the frame. */
function sealedDetail(d) {
  return {
    envelope: String(d.envelope),
    orderRef: String(d.orderRef),
    disclosed: isObject(d.disclosed) ? { ...d.disclosed } : {},
  };
}
function errorDetail(d) {
  const e = { code: String((d && d.code) || 'unexpected_error'), message: String((d && d.message) ?? '') };
  if (d && typeof d.field === 'string') e.field = d.field;
  return e;
}

/** Theme values become custom properties (CSSOM, allowed by the CSP); nothing that loads. */
function themeStyle(target, theme) {
  if (!isObject(theme)) return;
  for (const key of THEME) {
    const v = theme[key];
    // Colours, lengths and font names only: nothing that loads (url, image-set, cross-fade,
    // element) and nothing that breaks out of the declaration.
    if (typeof v === 'string' && v.length <= 200 && !/[;{}<>\\@!]|url|image|element|cross-fade|expression/i.test(v)) {
      target.style.setProperty(`--sealpost-${key}`, v);
    } else if (v === undefined || v === '') {
      target.style.removeProperty(`--sealpost-${key}`);
    }
  }
}

/**
 * What the host asked for, checked against this embedder's entry of the policy. Returns the
 * options to mount with (recipients from the policy only) and the part fixed by the first
 * accepted config. Throws `Refused`.
 */
function allowedOptions(policy, embedder, raw) {
  for (const key of RECIPIENT_OPTIONS) {
    const v = raw[key];
    const harmless = v === undefined || v === null || (key === 'testMode' && (v === false || (v === true && policy.testMode)));
    if (!harmless) {
      throw new Refused('option_not_allowed', `the shop page may not set ${key}: the platform's frame policy chooses the recipients`);
    }
  }
  let couriers = [...embedder.couriers].sort();
  if (raw.allowedCouriers !== undefined && raw.allowedCouriers !== null) {
    if (!isStringArray(raw.allowedCouriers) || raw.allowedCouriers.length === 0) {
      throw new Refused('courier_not_allowed', 'allowedCouriers must be a non-empty array of courier ids');
    }
    const extra = raw.allowedCouriers.filter((id) => !embedder.couriers.includes(id));
    if (extra.length > 0) {
      throw new Refused('courier_not_allowed', `this shop may not seal to ${extra.slice(0, 3).join(', ').slice(0, 100)}: its couriers are ${embedder.couriers.join(', ')}`);
    }
    couriers = [...new Set(raw.allowedCouriers)].sort();
  }
  const asked = raw.disclose === undefined || raw.disclose === null ? 'none' : raw.disclose;
  const disclose = asked === 'region' ? 'province' : asked;
  if (typeof disclose !== 'string' || !DISCLOSE_RANK.has(disclose)) {
    throw new Refused('invalid_disclosure', 'disclose must be none, country or province');
  }
  if (DISCLOSE_RANK.get(disclose) > DISCLOSE_RANK.get(embedder.disclose)) {
    throw new Refused('disclose_not_allowed', `this shop may disclose at most "${embedder.disclose}"`);
  }
  if (raw.orderRef !== undefined && raw.orderRef !== null && (typeof raw.orderRef !== 'string' || raw.orderRef.length > 64)) {
    throw new Refused('invalid_order_ref', 'orderRef must be a string of at most 64 characters');
  }
  const testMode = raw.testMode === true;
  const fixed = { orderRef: raw.orderRef ?? null, couriers: couriers.join(' '), disclose, testMode };
  const strings = {};
  if (isObject(raw.strings)) {
    for (const [k, v] of Object.entries(raw.strings)) {
      if (typeof v === 'string' && STRING_KEY.test(k) && v.length <= MAX_STRING) strings[k] = v;
    }
  }
  const options = {
    orderRef: raw.orderRef,
    disclose,
    strings,
    country: typeof raw.country === 'string' ? raw.country : undefined,
    // The buyer's confirmation is the form's own button: always shown here.
    button: true,
    shadow: 'closed',
  };
  if (typeof raw.locale === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(raw.locale)) options.locale = raw.locale;
  if (testMode) options.testMode = true;
  else Object.assign(options, { platformKey: policy.platformKey, allowedCouriers: couriers });
  return { options, fixed };
}

/**
 * The frame's height, from what the host controls only: the tallest of the Chinese and the
 * international layout, every field showing an error, at the current width, locale, strings
 * and theme. Measured on throw-away inert copies of the form, so the buyer's own form (its
 * layout, its errors) never changes what the host is told.
 */
async function measureHeight(options) {
  const box = document.getElementById('measure');
  let height = 0;
  for (const country of ['CN', 'US']) {
    const twin = document.createElement('div');
    box.append(twin);
    try {
      // the built-in layouts, no address data: a twin fetches nothing
      const form = await mount(twin, { ...options, country, dataUrl: null });
      try {
        form.seal();
      } catch {
        // an empty form: every error shown, as intended
      }
      height = Math.max(height, twin.getBoundingClientRect().height);
      form.destroy();
    } finally {
      twin.remove();
    }
  }
  return Math.ceil(height);
}

/** Whether a later config keeps what the first fixed (an order reference may still be set once). */
function sameFixed(first, next) {
  return Object.keys(first).every((k) => first[k] === next[k] || (k === 'orderRef' && first[k] === null));
}

function start(policy, embedder) {
  let form = null;
  let fixed = null; // what the first accepted config fixed: order, couriers, disclosure, test mode
  let current = null; // the options the form runs with
  let confirmed = null; // the envelope the buyer confirmed, until the next edit
  let waiting = []; // host `seal` requests waiting for the buyer
  let reportedHeight = -1;
  let measured = null; // what the last height was measured for
  let reportedValid = false;
  let lastValid = false;
  let settle = null;
  let applying = Promise.resolve(); // configs are applied one after another

  // The wasm, always with its integrity hash (a failed load is retried the same way).
  const meta = document.querySelector('meta[name="sealpost-wasm"]');
  let wasm = null;
  const loadWasm = () => {
    wasm = wasm || load(fetch(meta.content, { integrity: meta.dataset.integrity, credentials: 'omit' }))
      .catch((err) => { wasm = null; throw err; });
    return wasm;
  };
  // The signed directory, from this origin only.
  let directory = null;
  const fetchDirectory = () => {
    directory = directory || fetch(policy.directoryUrl, { credentials: 'omit', cache: 'no-cache', redirect: 'error' })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .catch((err) => {
        directory = null;
        throw new Refused('directory_unavailable', `the courier directory could not be fetched from ${policy.directoryUrl}: ${err.message}`);
      });
    return directory;
  };
  loadWasm().catch(() => {});
  fetchDirectory().catch(() => {});

  const reply = (id, result) => post({ type: 'result', id, ...result });

  /** Measures (if the host's options or the width changed) and reports the height. */
  async function resize(theme) {
    const key = JSON.stringify([current, theme ?? null, window.innerWidth]);
    if (key === measured) return;
    measured = key;
    const height = await measureHeight(current);
    host.style.minHeight = `${height}px`;
    if (height !== reportedHeight) {
      reportedHeight = height;
      post({ type: 'size', height });
    }
  }
  let resizing = null;
  let lastTheme = null;
  // The iframe's width (set by the host), not the content width (the gutter is reserved, so a
  // scrollbar the buyer's form might cause changes nothing either).
  let lastWidth = window.innerWidth;
  new ResizeObserver(() => {
    const width = window.innerWidth;
    if (width === lastWidth || !form) return;
    lastWidth = width;
    clearTimeout(resizing);
    resizing = setTimeout(() => resize(lastTheme).catch(() => {}), 100);
  }).observe(document.documentElement);

  // What leaves the frame about the buyer's typing: overall validity, once edits settle, and
  // only when it changed.
  host.addEventListener('sealpost-change', (e) => {
    lastValid = Boolean(e.detail && e.detail.valid === true);
    clearTimeout(settle);
    settle = setTimeout(() => {
      if (lastValid !== reportedValid) {
        reportedValid = lastValid;
        post({ type: 'event', name: 'change', detail: { valid: lastValid } });
      }
    }, SETTLE_MS);
  });
  // Any edit (typing, autofill, a country choice) voids the buyer's last confirmation.
  host.addEventListener('input', () => {
    confirmed = null;
  });
  host.addEventListener('sealpost-sealed', (e) => {
    confirmed = sealedDetail(e.detail);
    clearTimeout(settle);
    if (!reportedValid) {
      reportedValid = true;
      post({ type: 'event', name: 'change', detail: { valid: true } });
    }
    post({ type: 'event', name: 'sealed', detail: confirmed });
    for (const id of waiting) reply(id, { ok: true, value: confirmed });
    waiting = [];
  });
  // A refused address-data file (invalid_address_data) is the frame's problem, not the shop's,
  // and when it happens says which country or province the buyer chose: the buyer sees it in
  // the form's status line, the host hears nothing.
  host.addEventListener('sealpost-error', (e) => {
    if (e.detail && e.detail.code === 'invalid_address_data') return;
    post({ type: 'event', name: 'error', detail: errorDetail(e.detail) });
  });

  function looks(raw, options) {
    themeStyle(host, raw.theme);
    themeStyle(document.getElementById('measure'), raw.theme);
    lastTheme = raw.theme;
    if (options.locale) document.documentElement.lang = options.locale;
  }

  async function apply(raw) {
    if (!isObject(raw)) return;
    let checked;
    try {
      checked = allowedOptions(policy, embedder, raw);
      if (fixed !== null && !sameFixed(fixed, checked.fixed)) {
        throw new Refused('config_locked', 'the order, couriers, disclosure and test mode of this form cannot change once it is configured');
      }
    } catch (err) {
      if (!form) showNotice('refused', err.code);
      fail(err.code, err.message);
      return;
    }
    const { options } = checked;
    try {
      if (!form) {
        // the first country's address data (from this origin) downloads with the module
        preloadAddressData(typeof options.country === 'string' ? options.country : 'CN');
        await loadWasm();
        if (!options.testMode) {
          options.directory = await fetchDirectory();
          await verifyDirectory(options.directory, policy.platformKey, options.allowedCouriers);
        }
        looks(raw, options);
        form = await mount(host, options);
      } else {
        if (!options.testMode) options.directory = current.directory;
        // The host's `country` is the initial choice only: the buyer's own choice stays.
        delete options.country;
        form.setOptions(options);
        looks(raw, options);
      }
      // Fixed only once the form runs with it.
      const first = current === null;
      fixed = checked.fixed;
      current = options;
      notice.hidden = true;
      await resize(raw.theme);
      // The form checked its configuration (an `error` event went to the host if it cannot
      // seal, e.g. no order reference): ready only when it can.
      if (first && !form.configError) post({ type: 'event', name: 'ready', detail: null });
    } catch (err) {
      if (!form) showNotice('failed', (err && err.code) || 'load_failed');
      fail((err && err.code) || 'load_failed', String((err && err.message) || err));
    }
  }
  const configure = (raw) => {
    applying = applying.then(() => apply(raw)).catch(() => {});
  };

  function seal(id) {
    if (!Number.isSafeInteger(id)) return;
    if (!form) {
      reply(id, { ok: false, error: { code: 'not_connected', message: 'the form is not ready' } });
      return;
    }
    if (confirmed) {
      reply(id, { ok: true, value: confirmed });
      return;
    }
    if (!reportedValid) {
      // The answer says no more than the validity already reported: one code, no field, no
      // message of the form. If the buyer is not in the frame (they pressed the page's
      // button), the form shows what is missing and focuses it; it is invalid, so nothing is
      // sealed.
      if (!document.hasFocus() && !form.valid) {
        try {
          form.seal();
        } catch {
          // expected: the address is invalid
        }
      }
      reply(id, { ok: false, error: { code: 'invalid_address', message: 'the buyer has not entered a complete, valid address yet' } });
      return;
    }
    // Valid but not confirmed: the buyer seals by pressing the form's button (never focused
    // for them, so no keystroke meant for the page can press it).
    if (waiting.length >= 8) {
      reply(id, { ok: false, error: { code: 'busy', message: 'too many seal requests are waiting for the buyer' } });
      return;
    }
    waiting.push(id);
    form.askToConfirm();
  }

  window.addEventListener('message', (event) => {
    if (!event.isTrusted || event.source !== window.parent || event.origin !== origin) return;
    const m = event.data;
    if (!isObject(m) || m.sealpost !== VERSION || m.channel !== channel) return;
    if (m.type === 'config') configure(m.options);
    else if (m.type === 'seal') seal(m.id);
  });
  post({ type: 'hello' });
}

let policy = null;
try {
  policy = readPolicy();
} catch (err) {
  showNotice('refused', err.code);
}
const embedder = policy && origin ? policy.embedders.find((e) => e.origin === origin) : null;
if (!policy) {
  // nothing: the notice says why
} else if (!origin || !channel || !/^[0-9a-f]{32}$/.test(channel)) {
  showNotice('standalone');
} else if (!embedder) {
  showNotice('refused', 'embedder_not_allowed');
  post({ type: 'event', name: 'error', detail: { code: 'embedder_not_allowed', message: `${origin} is not among the shops this frame's policy allows` } });
} else {
  start(policy, embedder);
}
