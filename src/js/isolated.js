// sealpost isolation mode, host half: the address form runs in a cross-origin iframe (the frame
// page, www/frame/), so scripts on the shop page never see what the buyer types.
//
// Protocol version 1 (SPEC.md §10). Every message is `{ sealpost: 1, type, … }`.
//   host → frame: config { channel, options }, seal { channel, id }
//   frame → host: hello, size { height }, event { name, detail }, result { id, ok, value | error }
// The host accepts a message only when it is trusted (not synthetic), comes from this iframe's
// window and from the frame's exact origin; it posts only to that origin, never to '*'.
// The frame accepts messages only from `window.parent` at the origin named in its URL, carrying
// the channel token the host put in the URL fragment. The frame, not this page, decides who can
// read the address: its origin's policy pins the platform key and this shop's couriers, and it
// refuses options that would change them (`option_not_allowed`). It seals only when the buyer
// presses its button; `seal()` resolves with that envelope (waiting for the buyer if needed).
//
// SSR-safe: nothing here runs on import. CSP-safe: the iframe's height is set through CSSOM
// (allowed under `style-src 'self'`), its other styles live in a constructed stylesheet.

/** The protocol version this host speaks. */
export const PROTOCOL_VERSION = 1;

/** Custom properties of the element that are passed to the frame as its theme. */
export const THEME_PROPERTIES = [
  'accent', 'on-accent', 'bg', 'text', 'muted', 'border', 'error', 'font', 'radius', 'gap',
];

/** Options that are not sent to the frame (the frame's shadow root is always closed). */
// The address data is the frame's own (from its origin): the page's `dataUrl` / `loadData`
// stay here (a function could not be posted anyway).
const HOST_ONLY = new Set(['isolated', 'frameUrl', 'frameTitle', 'frameTimeout', 'shadow', 'dataUrl', 'loadData']);
const SIZE_LIMIT_PX = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;

let sheet = null;
function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(
      ':host { display: block; } iframe { display: block; width: 100%; border: 0; margin: 0; '
        + 'padding: 0; height: 0; background: transparent; color-scheme: normal; overflow: hidden; }',
    );
  }
  return sheet;
}

function channelToken() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Keeps only what each event may carry (SPEC §10): validity, the envelope, an error code. */
function cleanDetail(name, d) {
  if (name === 'ready') return null;
  if (!isObject(d)) return undefined;
  if (name === 'change') {
    // Overall validity only: per-field states would tell the page how far the buyer got.
    if (typeof d.valid !== 'boolean') return undefined;
    return { valid: d.valid };
  }
  if (name === 'sealed') {
    if (typeof d.envelope !== 'string' || !d.envelope.startsWith('spe1.') || typeof d.orderRef !== 'string') return undefined;
    const disclosed = {};
    if (isObject(d.disclosed)) {
      if (typeof d.disclosed.country === 'string') disclosed.country = d.disclosed.country;
      if (typeof d.disclosed.addressLevel1 === 'string') disclosed.addressLevel1 = d.disclosed.addressLevel1;
    }
    return { envelope: d.envelope, orderRef: d.orderRef, disclosed };
  }
  if (name === 'error') {
    if (typeof d.code !== 'string') return undefined;
    const out = { code: d.code, message: String(d.message ?? '') };
    if (typeof d.field === 'string') out.field = d.field;
    return out;
  }
  return undefined;
}

/**
 * Renders the isolated form into a closed shadow root of `element`: an iframe on the frame
 * origin. `collect()` returns the element's current options; `fire(name, detail)` sends the
 * element's events (index.js: `sealpost-<name>` and its deprecated alias); `sealpostError(code,
 * message, field?)` makes the package's one error shape. Resolves, once the
 * frame reports `ready`, to a controller shaped like the inline one (`seal()` returns a promise
 * here); rejects with the frame's error if it reports one first (the caller sends that one).
 */
export function mountIsolated(element, collect, fire, sealpostError) {
  const first = collect();
  if (typeof first.frameUrl !== 'string' || first.frameUrl === '') {
    return Promise.reject(sealpostError('invalid_frame_url', 'isolated mode needs frameUrl (the frame page URL)'));
  }
  let frameUrl;
  try {
    frameUrl = new URL(first.frameUrl, document.baseURI);
  } catch {
    return Promise.reject(sealpostError('invalid_frame_url', `not a URL: ${first.frameUrl}`));
  }
  if (!/^https?:$/.test(frameUrl.protocol)) {
    return Promise.reject(sealpostError('invalid_frame_url', `not an http(s) URL: ${first.frameUrl}`));
  }
  const frameOrigin = frameUrl.origin;
  if (frameOrigin === location.origin) {
    // Same origin would give the page's scripts the frame's DOM: no isolation at all.
    return Promise.reject(sealpostError('invalid_frame_url', `the frame must be on another origin than the page (${frameOrigin})`));
  }
  const channel = channelToken();
  frameUrl.searchParams.set('parent', location.origin);
  frameUrl.searchParams.set('v', String(PROTOCOL_VERSION));
  frameUrl.hash = `channel=${channel}`;

  const root = element.attachShadow({ mode: 'closed' });
  root.adoptedStyleSheets = [styles()];
  const iframe = document.createElement('iframe');
  iframe.setAttribute('part', 'frame');
  iframe.title = first.frameTitle || 'Shipping address';
  iframe.referrerPolicy = 'no-referrer';
  // The form needs scripts and its own origin (for wasm); nothing else (no top navigation,
  // no popups, no downloads).
  iframe.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms');
  iframe.setAttribute('allow', "clipboard-read 'none'; clipboard-write 'none'; camera 'none'; microphone 'none'; geolocation 'none'; payment 'none'");
  iframe.src = frameUrl.href;

  let valid = false;
  let ready = false;
  let refused = false; // the mount was rejected (the element sends that first error)
  let destroyed = false;
  let nextId = 1;
  const pending = new Map();
  let resolveMount;
  let rejectMount;
  const mounted = new Promise((res, rej) => { resolveMount = res; rejectMount = rej; });

  const post = (msg) => {
    if (!iframe.contentWindow) return;
    iframe.contentWindow.postMessage({ sealpost: PROTOCOL_VERSION, channel, ...msg }, frameOrigin);
  };
  const frameOptions = () => {
    const o = collect();
    const out = {};
    for (const [k, v] of Object.entries(o)) if (!HOST_ONLY.has(k)) out[k] = v;
    // The frame's document has its own `lang`: pass the page's, as the inline form would use it.
    if (out.locale === undefined && document.documentElement.lang) out.locale = document.documentElement.lang;
    // The element's theme custom properties follow into the frame unless set as an option.
    const computed = getComputedStyle(element);
    const theme = isObject(o.theme) ? { ...o.theme } : {};
    for (const p of THEME_PROPERTIES) {
      const v = computed.getPropertyValue(`--sealpost-${p}`).trim();
      if (v && theme[p] === undefined) theme[p] = v;
    }
    out.theme = theme;
    return out;
  };

  function onMessage(event) {
    // Exact checks: a real message (not a synthetic MessageEvent), from this iframe, from the
    // frame origin, in this protocol version.
    if (!event.isTrusted || event.source !== iframe.contentWindow || event.origin !== frameOrigin) return;
    const m = event.data;
    if (!isObject(m) || m.sealpost !== PROTOCOL_VERSION || typeof m.type !== 'string') return;
    switch (m.type) {
      case 'hello':
        post({ type: 'config', options: frameOptions() });
        break;
      case 'size': {
        const h = Number(m.height);
        if (Number.isFinite(h) && h >= 0 && h <= SIZE_LIMIT_PX) iframe.style.height = `${Math.ceil(h)}px`;
        break;
      }
      case 'event': {
        if (!['ready', 'change', 'sealed', 'error'].includes(m.name)) return;
        const detail = cleanDetail(m.name, m.detail);
        if (detail === undefined) return;
        if (m.name === 'change') valid = detail.valid;
        if (m.name === 'ready') {
          if (ready) return;
          ready = true;
          clearTimeout(timer);
          resolveMount(controller);
        }
        if (m.name === 'error' && !ready && !refused) {
          refused = true;
          clearTimeout(timer);
          rejectMount(sealpostError(detail.code, detail.message, detail.field));
          return;
        }
        fire(m.name, detail);
        break;
      }
      case 'result': {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.ok) {
          const value = cleanDetail('sealed', m.value);
          if (value) p.resolve(value);
          else p.reject(sealpostError('protocol_error', 'the frame sent a malformed result'));
        } else {
          const e = cleanDetail('error', m.error) || { code: 'protocol_error', message: 'the frame sent a malformed error' };
          p.reject(sealpostError(e.code, e.message, e.field));
        }
        break;
      }
      default:
    }
  }

  const timeoutMs = Number(first.frameTimeout) > 0 ? Number(first.frameTimeout) : DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => {
    if (ready) return;
    refused = true;
    rejectMount(sealpostError('frame_timeout', `the frame at ${frameOrigin} did not become ready`));
  }, timeoutMs);

  const controller = {
    /**
     * Resolves to `{ envelope, orderRef, disclosed }` once the buyer has confirmed the address in
     * the frame (at once if they already did and have not edited it since; otherwise the frame
     * asks them to press its button). Rejects with the first invalid field's code if the address
     * is not valid.
     */
    seal() {
      if (destroyed) return Promise.reject(sealpostError('not_connected', 'the form was removed'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type: 'seal', id });
      });
    },
    setOptions() {
      if (ready) post({ type: 'config', options: frameOptions() });
    },
    get valid() {
      return valid;
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      for (const p of pending.values()) p.reject(sealpostError('not_connected', 'the form was removed'));
      pending.clear();
      iframe.remove();
    },
  };

  window.addEventListener('message', onMessage);
  root.append(iframe);
  return mounted;
}
