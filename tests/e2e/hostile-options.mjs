// A hostile script on the isolated demo page, for browsers driven without CDP (Firefox over
// BiDi, WebKit over WebDriver classic): run in the page (its source is sent to the browser),
// after the form is ready and before the buyer types. It tries to choose the recipients through
// the live element and through a clone, and to get an envelope without the buyer. Resolves to
// what happened: the error code of each attempt.

/** The expected outcome of `hostileOptions` (SPEC.md §10.4, §10.5). */
export const EXPECTED = {
  couriers: 'option_not_allowed',
  testMode: 'option_not_allowed',
  platformKey: 'option_not_allowed',
  foreignCourier: 'courier_not_allowed',
  otherOrder: 'config_locked',
  clone: 'option_not_allowed',
  cloneSeal: 'option_not_allowed',
  early: 'invalid_address',
};

export async function hostileOptions(attackerKey) {
  const el = document.getElementById('address');
  const order = document.getElementById('order-ref').textContent;
  const nextError = (target, ms) => new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    target.addEventListener('error', (e) => {
      clearTimeout(timer);
      resolve(e.detail && e.detail.code);
    }, { once: true });
  });
  const out = {};
  const attempts = [
    ['couriers', () => el.setAttribute('couriers', attackerKey), () => el.removeAttribute('couriers')],
    ['testMode', () => el.setAttribute('test-mode', ''), () => el.removeAttribute('test-mode')],
    ['platformKey', () => { el.options = { platformKey: 'spp1attacker', directory: 'spdir1.attacker' }; }, () => { el.options = {}; }],
    ['foreignCourier', () => el.setAttribute('allowed-couriers', 'sf evil'), () => el.removeAttribute('allowed-couriers')],
    ['otherOrder', () => el.setAttribute('order-ref', 'EVIL-1'), () => el.setAttribute('order-ref', order)],
  ];
  for (const [name, act, undo] of attempts) {
    const refused = nextError(el, 10000);
    act();
    out[name] = await refused;
    undo();
  }
  // a clone of the element carrying the attacker's key, with the genuine frame URL
  const clone = el.cloneNode(false);
  clone.id = 'clone';
  clone.setAttribute('couriers', attackerKey);
  const cloneRefused = nextError(clone, 20000);
  document.body.append(clone);
  out.clone = await cloneRefused;
  out.cloneSeal = await clone.seal().then(() => 'sealed', (e) => e.code);
  clone.remove();
  // the envelope before the buyer typed anything
  out.early = await el.seal().then(() => 'sealed', (e) => e.code);
  return out;
}

/**
 * A session-replay script (init script, before the page's own, in the shop's origin only):
 * captures the element's closed root, records every key and input event, message, DOM mutation
 * and CSP report, the element's events (and any envelope they carry), and polls the element's
 * properties and the iframe's height every 10 ms, as replay and analytics tools do. Everything
 * goes to `window.__replay`.
 */
export function sessionReplay(shop) {
  if (location.origin !== shop) return;
  const h = { keys: [], messages: [], mutations: [], roots: [], csp: [], events: [], polls: [], heights: [], obtained: [] };
  window.__replay = h;
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    h.roots.push(root);
    return root;
  };
  window.addEventListener('message', (e) => h.messages.push(JSON.stringify({ origin: e.origin, data: e.data })), true);
  for (const target of [window, document]) {
    for (const t of ['keydown', 'keyup', 'keypress', 'input', 'beforeinput', 'paste', 'change', 'compositionend']) {
      target.addEventListener(t, (e) => {
        // the element's own `change` (a CustomEvent with validity) is not the buyer's typing
        if (!(e instanceof CustomEvent)) h.keys.push(`${t}:${e.key ?? ''}:${e.data ?? ''}`);
      }, true);
    }
  }
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) h.mutations.push(n.outerHTML ?? n.textContent ?? '');
      if (r.type === 'attributes') h.mutations.push(`${r.attributeName}=${r.target.getAttribute(r.attributeName)}`);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener('securitypolicyviolation', (e) => h.csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  for (const type of ['ready', 'change', 'sealed', 'error']) {
    document.addEventListener(type, (e) => {
      if (e.target && e.target.localName === 'sealpost-address') {
        h.events.push({ type, at: performance.now(), detail: JSON.stringify(e.detail ?? null) });
        if (type === 'sealed' && e.detail) h.obtained.push(e.detail.envelope);
      }
    }, true);
  }
  let last = '';
  setInterval(() => {
    const el = document.querySelector('sealpost-address');
    if (!el) return;
    const root = h.roots.find((r) => r.host === el);
    const iframe = root && root.querySelector('iframe');
    const height = iframe ? iframe.getBoundingClientRect().height : null;
    const snap = JSON.stringify({
      valid: el.valid,
      options: el.options,
      attrs: [...el.attributes].map((a) => `${a.name}=${a.value}`),
      text: el.textContent,
      height,
    });
    if (snap !== last) {
      last = snap;
      h.polls.push(snap);
    }
    if (height !== null && h.heights[h.heights.length - 1] !== height) h.heights.push(height);
  }, 10);
}

/** Forged messages from the page: a synthetic `sealed` claiming the frame, and a `config` sent
 * with the channel token read from the captured iframe's URL. Resolves to the error the frame
 * returned for the config (the synthetic event must have raised nothing). */
export async function forgeries({ frameOrigin, attackerKey }) {
  const el = document.getElementById('address');
  const root = window.__replay.roots.find((r) => r.host === el);
  const iframe = root.querySelector('iframe');
  const token = new URL(iframe.src).hash.replace(/^#channel=/, '');
  const before = window.__replay.events.filter((e) => e.type === 'sealed').length;
  const data = { sealpost: 1, type: 'event', name: 'sealed', detail: { envelope: 'spe1.synthetic', orderRef: 'X', disclosed: {} } };
  let synthetic;
  try {
    synthetic = new MessageEvent('message', { data, origin: frameOrigin, source: iframe.contentWindow });
  } catch {
    // Firefox refuses a cross-origin window as `source`: the forgery without it
    synthetic = new MessageEvent('message', { data, origin: frameOrigin });
  }
  window.dispatchEvent(synthetic);
  const refused = new Promise((resolve) => {
    el.addEventListener('error', (e) => resolve(e.detail.code), { once: true });
    setTimeout(() => resolve('timeout'), 10000);
  });
  iframe.contentWindow.postMessage({ sealpost: 1, type: 'config', channel: token, options: { couriers: attackerKey } }, frameOrigin);
  const code = await refused;
  const after = window.__replay.events.filter((e) => e.type === 'sealed').length;
  return { config: code, syntheticSealed: after - before };
}
