// sealpost: the <sealpost-address> element and mount(), over the wasm module.
//
// SSR-safe: importing this module touches no browser global. The element is defined only where
// `customElements` exists, and the wasm module is fetched on first use (or by `load()`).
// CSP-safe: no inline styles or scripts, no eval; the form's CSS is a constructed stylesheet.

import init, * as wasm from './sealpost.js';

/** The public test courier key: anything sealed to it can be opened by anyone (test mode). */
export const TEST_COURIER_PUBLIC_KEY = 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw';
/** The matching identity, for `sealpost open -i` in a shop's own tests. Never for real orders. */
export const TEST_COURIER_IDENTITY =
  'SEALPOST-SECRET-KEY-14QLMYPQVXAFSAK242PYSM6M8WE49Q3N2JE32R27TQ72ZRHXHUDEQPJSNJW';

let loading = null;

/**
 * Loads and instantiates the wasm module once. `input` is what wasm-bindgen's init accepts
 * (a URL, a Response, bytes or a WebAssembly.Module); by default `sealpost_bg.wasm` next to
 * this file.
 */
export function load(input) {
  if (!loading) {
    loading = init(input === undefined ? undefined : { module_or_path: input }).then(() => wasm);
    loading.catch(() => { loading = null; });
  }
  return loading;
}

// The element owns its form: the controller stays alive as long as the element does, even if
// the caller drops it (its listeners would otherwise be freed with it).
const forms = new WeakMap();

/** Renders the form into a new shadow root of `element`; resolves to its controller. */
export async function mount(element, options = {}) {
  await load();
  const form = wasm.mount(element, options);
  forms.set(element, form);
  return form;
}

/**
 * Verifies a signed courier directory with the pinned platform key, as the form does before
 * sealing; resolves to the couriers it would seal to now (`[{ id, nameZh, nameEn, keyId }]`).
 */
export async function verifyDirectory(directory, platformKey, allowedCouriers) {
  await load();
  return wasm.verifyDirectory(directory, platformKey, allowedCouriers);
}

/** Seals an address object; resolves to the envelope text (`spe1.…`). */
export async function seal(address, couriers, orderRef, disclose = 'none') {
  await load();
  return wasm.seal(address, couriers, orderRef, disclose);
}

/** Throws the error `seal` would throw for this address (with `code` and `field`). */
export async function validateAddress(address) {
  await load();
  return wasm.validateAddress(address);
}

/** The 16-hex-digit key id of a courier public key. */
export async function keyId(publicKey) {
  await load();
  return wasm.keyId(publicKey);
}

/** What anyone can see in an envelope: order, disclosed region, recipients' key ids. */
export async function inspect(envelope) {
  await load();
  return wasm.inspect(envelope);
}

/** Opens an envelope sealed in test mode (to TEST_COURIER_PUBLIC_KEY); resolves to the address. */
export async function openTestEnvelope(envelope, orderRef) {
  await load();
  return wasm.openTestEnvelope(envelope, orderRef);
}

const ATTRIBUTES = ['couriers', 'order-ref', 'disclose', 'locale', 'country', 'test-mode', 'no-button', 'directory', 'platform-key', 'allowed-couriers'];

function errorEvent(err) {
  const code = (err && err.code) || 'load_failed';
  const message = String((err && err.message) || err);
  return new CustomEvent('error', { bubbles: true, composed: true, detail: { code, message } });
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

    /** Options set from script; attributes, when present, win. */
    get options() {
      return { ...this.#options };
    }

    set options(value) {
      this.#options = { ...(value || {}) };
      this.#update();
    }

    connectedCallback() {
      if (this.#mounting) return;
      const o = this.#collect();
      // Isolation mode (SPEC §10): the form lives in a cross-origin iframe; no wasm on this page.
      const start = o.isolated || o.frameUrl
        ? import('./isolated.js').then((m) => m.mountIsolated(this, () => this.#collect()))
        : load().then(() => wasm.mount(this, this.#collect()));
      this.#mounting = start
        .then((form) => {
          this.#form = form;
        })
        .catch((err) => {
          this.#mounting = null;
          this.dispatchEvent(errorEvent(err));
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

    /** Checks and seals; resolves to `{ envelope, orderRef, disclosed }`, rejects with `code`. */
    async seal() {
      // the SealpostError shape of the wasm module's errors (index.d.ts)
      if (!this.#mounting) throw Object.assign(new Error('the element is not in the document'), { name: 'SealpostError', code: 'not_connected' });
      await this.#mounting;
      return this.#form.seal();
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

    #update() {
      if (!this.#form) return;
      try {
        this.#form.setOptions(this.#collect());
      } catch (err) {
        this.dispatchEvent(errorEvent(err));
      }
    }
  }

  customElements.define(name, SealpostAddress);
}

defineElement();
