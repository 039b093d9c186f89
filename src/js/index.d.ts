// Types for the sealpost package (index.js).

/** A buyer's shipping address, as `seal()` takes it. */
/**
 * A shipping address: the field table of SPEC.md §3.4 (a missing key is empty; whether a field
 * must be filled depends on the country, §4). An opened address has every key.
 */
export interface Address {
  name: string;
  phone: string;
  /** ISO 3166-1 alpha-2, upper case ("CN", "US", …). */
  country: string;
  /** Province / state (WHATWG address-level1). */
  addressLevel1?: string;
  /**
   * City (address-level2): required in China, and where the country's address data requires
   * it (SPEC.md §4.2; not in Japan or Singapore).
   */
  addressLevel2?: string;
  /** District (address-level3). */
  addressLevel3?: string;
  /** One to three street lines. */
  streetLines: string[];
  postalCode?: string;
  company?: string;
  deliveryNote?: string;
  /**
   * Division code, filled in from the address data when sealed: China, the district's
   * 6-digit GB/T 2260 code ("330106"); elsewhere the state's ISO 3166-2 code ("US-CA").
   * Given, it must match the names. Empty in envelopes sealed before record version 2.
   */
  divisionCode?: string;
}

/** What the buyer agrees to show in clear, for shipping quotes. */
export type Disclose = 'none' | 'country' | 'province' | 'region';

/** Stable error codes (`error.code`). Address field errors are `<field>_<problem>`. */
export type ErrorCode =
  | IsolationErrorCode
  | 'unknown_format' | 'unsupported_version' | 'truncated' | 'trailing_data' | 'malformed_envelope' | 'malformed_plaintext'
  | 'not_a_recipient' | 'open_failed' | 'order_mismatch' | 'disclosure_mismatch'
  | 'invalid_public_key' | 'invalid_identity' | 'invalid_order_ref' | 'invalid_disclosure'
  | 'invalid_recipients' | 'invalid_address' | 'address_too_long' | 'invalid_address_data' | 'randomness_unavailable'
  | 'invalid_directory' | 'invalid_platform_key' | 'directory_wrong_key' | 'directory_signature_invalid'
  | 'directory_rollback' | 'directory_expired' | 'directory_key_expired' | 'directory_key_not_yet_valid'
  | 'no_usable_courier'
  | 'already_mounted' | 'busy' | 'not_connected' | 'load_failed' | 'unsupported_environment' | 'invalid_options'
  | `${'name' | 'phone' | 'country' | 'address_level1' | 'address_level2' | 'address_level3'
      | 'street' | 'postal_code' | 'company' | 'delivery_note' | 'division_code'}_${'missing' | 'too_long'
      | 'control_character' | 'invalid'}`;

/** Every error thrown or rejected by this package. */
export interface SealpostError extends Error {
  code: ErrorCode;
  /** For address errors: the field (`"phone"`, `"postalCode"`, …). */
  field?: keyof Address;
}

/** Keys of the form's strings that `options.strings` can override. */
export type StringKey =
  | 'label.name' | 'label.phone' | 'label.country' | 'label.province' | 'label.city'
  | 'label.district' | 'label.street' | 'label.address-line1' | 'label.address-line2'
  | 'label.state-province' | 'label.postal-code' | 'label.company' | 'label.delivery-note'
  // the names the address data gives a country's fields (`label.state`: "State", not the
  // built-in layout's "State / province (optional)", which is `label.state-province`)
  | 'label.state' | 'label.prefecture' | 'label.oblast' | 'label.emirate' | 'label.county'
  | 'label.parish' | 'label.department' | 'label.island' | 'label.area' | 'label.do-si'
  | 'label.post-town' | 'label.suburb' | 'label.neighborhood' | 'label.townland'
  | 'label.village-township' | 'label.zip' | 'label.eircode' | 'label.pin'
  // after a data label of a field that is not required: " (optional)" / "（选填）"
  | 'label.optional'
  // the lists: their prompt, and the filter's label ({label}) and placeholder
  | 'label.choose' | 'label.choose-first' | 'label.filter' | 'label.filter-placeholder'
  | 'required'
  | 'error.missing' | 'error.choose' | 'error.too_long' | 'error.control_character' | 'error.invalid'
  | 'error.phone_invalid' | 'error.phone_invalid.CN' | 'error.postal_code_invalid'
  | 'error.postal_code_invalid.CN' | 'error.postal_code_example' | 'error.country_invalid'
  | 'error.address_too_long' | 'error.config' | 'submit' | 'status.invalid' | 'status.sealed'
  | 'status.confirm' | 'status.loading' | 'status.nodata' | 'status.matches';
// Not overridable (what the buyer is told about who can read the address): 'recipients',
// 'test_mode'.

/** Theme custom properties (`--sealpost-<key>`) that isolation mode passes into the frame. */
export type ThemeKey =
  | 'accent' | 'on-accent' | 'bg' | 'text' | 'muted' | 'border' | 'error' | 'font' | 'radius' | 'gap';

/** Error codes of isolation mode (`error.code`; see SPEC §10). */
export type IsolationErrorCode =
  | 'invalid_frame_url' | 'frame_timeout' | 'config_locked' | 'protocol_error'
  | 'option_not_allowed' | 'courier_not_allowed' | 'disclose_not_allowed'
  | 'embedder_not_allowed' | 'policy_invalid' | 'directory_unavailable';

export interface FormOptions {
  /**
   * Courier public keys (`sp1…`): one, several space-separated, or an array (at most 16).
   * Refused beside `platformKey`, and always refused in isolation mode (the frame's policy
   * chooses the recipients: `option_not_allowed`).
   */
  couriers?: string | string[];
  /**
   * A signed courier directory (`spdir1.…`, SPEC §9) instead of `couriers`: the form verifies it
   * with `platformKey` and seals to the current key of every certified courier in
   * `allowedCouriers`. A bad directory is an `error` event (`directory_*`, `no_usable_courier`).
   */
  directory?: string;
  /** The platform's directory signing key (`spp1…`), pinned in the page. Required with `directory`. */
  platformKey?: string;
  /**
   * Ids of the certified couriers this shop works with (default: every courier of the
   * directory). In isolation mode: a subset of the couriers the frame's policy gives this shop.
   */
  allowedCouriers?: string[];
  /** The order the address is sealed for (1–64 printable ASCII characters). */
  orderRef?: string;
  /** Default 'none'. 'province' (= 'region') shows country and province in clear. */
  disclose?: Disclose;
  /** 'zh-CN' or 'en'; default: the page's `lang`. */
  locale?: string;
  /** Replaces any built-in string; `{label}` and `{count}` are filled in. */
  strings?: Partial<Record<StringKey, string>>;
  /** Initial country, ISO 3166-1 alpha-2 (default "CN"). */
  country?: string;
  /**
   * Where the address data is served (SPEC §4.2: each country's fields, China's provinces,
   * cities and districts): a folder with the files of `node_modules/sealpost/data/`. Default:
   * `data/` next to the package's `index.js` (`new URL('./data/', import.meta.url)`), right
   * when the package is served as it is; with a bundler, copy that folder and give its URL,
   * or a CDN's. The form fetches one country's file (and for China the province list and one
   * province's) when it needs it, without credentials, and checks each against the hash the
   * module has built in: a changed file is refused (`invalid_address_data`). `null`: no data,
   * the built-in layouts. Whoever serves the folder learns the buyers' countries and Chinese
   * provinces. Ignored in isolation mode: the frame uses its own origin's copy.
   */
  dataUrl?: string | URL | null;
  /**
   * Instead of `dataUrl`: a function giving the text of `data/<path>` (`intl/DE.json`,
   * `cn/index.json`, `cn/33.json`), for tests or a service worker's cache. Checked the same way.
   */
  loadData?: (path: string) => Promise<string>;
  /**
   * Seal to the public test courier key instead of `couriers`, with a badge the page cannot
   * relabel. In isolation mode only where the frame's policy allows test mode.
   */
  testMode?: boolean;
  /** Show the form's own submit button (default true; always shown in isolation mode). */
  button?: boolean;
  /** 'closed' (default) or 'open'. Open exposes the inputs to page scripts: tests only. */
  shadow?: 'closed' | 'open';
  /**
   * Isolation mode (SPEC §10): render the form in a cross-origin iframe (`frameUrl`), so no
   * script on this page can read what the buyer types. Implied by `frameUrl`.
   */
  isolated?: boolean;
  /** The frame page's URL (another origin than the page), e.g. `https://form.example/frame/`. */
  frameUrl?: string;
  /** The iframe's accessible title (default "Shipping address"). */
  frameTitle?: string;
  /** Milliseconds to wait for the frame's `ready` before an `frame_timeout` error (default 30000). */
  frameTimeout?: number;
  /**
   * Isolation mode: theme passed into the frame as `--sealpost-<key>` custom properties. By
   * default the element's own `--sealpost-*` computed values are passed.
   */
  theme?: Partial<Record<ThemeKey, string>>;
}

/** Detail of the `sealed` event and result of `seal()`. Holds no plaintext. */
export interface SealedDetail {
  /** The envelope text (`spe1.…`): what the shop sends to its server. */
  envelope: string;
  orderRef: string;
  /** What is shown in clear, if the shop asked for it. */
  disclosed: { country?: string; addressLevel1?: string };
}

/**
 * Detail of `sealpost-change`: overall validity only, never a value. Sent only when it flips
 * (isolation mode: debounced, SPEC §10.7).
 */
export interface ChangeDetail {
  valid: boolean;
}

/** Detail of `sealpost-error`. */
export interface ErrorDetail {
  code: ErrorCode;
  message: string;
  /** For address errors: the field. */
  field?: keyof Address;
}

/**
 * The element's events. Each `sealpost-*` event bubbles and is composed. The old names are
 * sent too, for one release, on the element only (not bubbling, not composed).
 */
export interface SealpostAddressEventMap {
  /** The form is ready to seal with its configuration (at mount, and after a fix). */
  'sealpost-ready': CustomEvent<null>;
  /** The overall validity flipped. */
  'sealpost-change': CustomEvent<ChangeDetail>;
  /** The address was sealed (also the result of `seal()`). */
  'sealpost-sealed': CustomEvent<SealedDetail>;
  /** A configuration error (when it is set), a load failure or a failed seal. */
  'sealpost-error': CustomEvent<ErrorDetail>;
  /** @deprecated Listen to `sealpost-ready`; this alias does not bubble and goes away in the next release. */
  ready: CustomEvent<null>;
  /** @deprecated Listen to `sealpost-change`; this alias does not bubble and goes away in the next release. */
  change: CustomEvent<ChangeDetail>;
  /** @deprecated Listen to `sealpost-sealed`; this alias does not bubble and goes away in the next release. */
  sealed: CustomEvent<SealedDetail>;
  /** @deprecated Listen to `sealpost-error`; this alias does not bubble and goes away in the next release. */
  error: CustomEvent<ErrorDetail>;
}

/** The controller `mount()` returns. */
export interface AddressForm {
  /** Checks and seals; throws a `SealpostError` when the address is invalid (and focuses it). */
  seal(): SealedDetail;
  /** Replaces the options; what the buyer typed is kept. */
  setOptions(options: FormOptions): void;
  /** Whether what the buyer typed is valid. */
  readonly valid: boolean;
  /** Why the configuration cannot seal (checked at mount and `setOptions`), or undefined. */
  readonly configError?: SealpostError;
  /** Removes listeners and empties the form. */
  destroy(): void;
}

/** The `<sealpost-address>` element. */
export interface SealpostAddressElement extends HTMLElement {
  /**
   * Options from script. Attributes, when present, win over the same option. May be set before
   * the package is loaded (it is applied on upgrade); an `options` attribute is ignored (React
   * 19 writes `options="[object Object]"` on an element not yet defined).
   */
  options: FormOptions;
  readonly valid: boolean;
  /**
   * Resolves once the form is ready to seal with its configuration; rejects with the
   * `SealpostError` of a bad configuration (checked when it is set, not at seal time), a load
   * failure (`load_failed`) or an unsupported environment (`unsupported_environment`). After
   * options or attributes fix the configuration, `sealpost-ready` fires and a new call resolves.
   */
  ready(): Promise<void>;
  /**
   * Checks and seals. Isolation mode: resolves with the envelope the buyer confirmed in the
   * frame, waiting for the buyer to press the frame's button if they have not yet (SPEC §10.5).
   * Rejects `load_failed` if the module could not load.
   */
  seal(): Promise<SealedDetail>;
  addEventListener<K extends keyof SealpostAddressEventMap>(type: K, listener: (this: SealpostAddressElement, ev: SealpostAddressEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: SealpostAddressElement, ev: HTMLElementEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SealpostAddressEventMap>(type: K, listener: (this: SealpostAddressElement, ev: SealpostAddressEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: SealpostAddressElement, ev: HTMLElementEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'sealpost-address': SealpostAddressElement;
  }
}

/** The public test courier key (test mode). */
export const TEST_COURIER_PUBLIC_KEY: string;
/** Its identity: public on purpose, for opening test envelopes. Never for real orders. */
export const TEST_COURIER_IDENTITY: string;

/**
 * Loads the wasm module once (default: `sealpost_bg.wasm` beside index.js; in Node read from
 * disk). Rejects with a `SealpostError` coded `load_failed`.
 */
export function load(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<unknown>;
/**
 * Renders the form into a new shadow root of `element`; fires `sealpost-ready` on it, or
 * `sealpost-error` if the configuration cannot seal. Rejects `unsupported_environment` under jsdom.
 */
export function mount(element: HTMLElement, options?: FormOptions): Promise<AddressForm>;
/**
 * Starts fetching the address data a form for `country` (default "CN") needs first, e.g. when
 * the checkout page loads; the element and `mount()` do it themselves when they start.
 * `options`: `dataUrl` or `loadData` as the form's. Never rejects.
 */
export function preloadAddressData(country?: string, options?: Pick<FormOptions, 'dataUrl' | 'loadData'>): void;
/** Options of `seal()`. */
export interface SealOptions {
  /**
   * Whose X25519 makes each courier's ephemeral key pair and Diffie-Hellman: `'platform'`
   * (WebCrypto; rejects `unsupported_environment` where it has no X25519), `'wasm'` (the
   * module's own), or `'auto'` (default: the platform where it measured faster). The envelope
   * is the same format either way.
   */
  crypto?: 'auto' | 'platform' | 'wasm';
  /**
   * Check and seal the address with the address data (SPEC.md §4.2), fetched from this folder
   * (the package's `data/`, served by the shop or a CDN) once per page and checked against the
   * hashes built into the module: the country's required fields, postal-code pattern and state
   * list, China's province ⊃ city ⊃ district; sealed with the data's names and `divisionCode`.
   * Rejects `load_failed` when a file cannot be fetched, `invalid_address_data` when one is not
   * the pinned file. This loads the package's whole module (`sealpost_full_bg.wasm`), where the
   * data's code is. Without `dataUrl` or `loadData`, `seal()` applies the rules of §4.1 only.
   */
  dataUrl?: string | URL;
  /** Instead of `dataUrl`: resolves an asset path (`intl/DE.json`, `cn/33.json`) to its text. */
  loadData?: (path: string) => Promise<string>;
}
/**
 * Loads what `seal()` will use on this platform (the seal-only module and a first ephemeral key
 * pair on the platform X25519 path; the whole module on the wasm path), so that the first seal
 * does no loading. Rejects `invalid_options`, `unsupported_environment` or `load_failed`.
 */
export function prepareSeal(options?: SealOptions): Promise<void>;
/** Seals an address object; resolves to the envelope text. Rejects with a `SealpostError`. */
export function seal(address: Address, couriers: string | string[], orderRef: string, disclose?: Disclose, options?: SealOptions): Promise<string>;
/** Rejects with the `SealpostError` that `seal` would give for this address. */
export function validateAddress(address: Address): Promise<void>;
/** The 16-hex-digit key id of a courier public key. */
export function keyId(publicKey: string): Promise<string>;
/** The public view of an envelope. */
export function inspect(envelope: string): Promise<{
  format: 'spe'; version: number; orderRef: string; suite: string; sizeBytes: number;
  disclosed: { country?: string; addressLevel1?: string };
  recipients: { keyId: string; info: string; enc: string; bindingAad: string; binding: string; aad: string; ct: string }[];
}>;
/** Opens a test-mode envelope (sealed to TEST_COURIER_PUBLIC_KEY): every key of the address, "" when empty. */
export function openTestEnvelope(envelope: string, orderRef?: string): Promise<Required<Address>>;
/** A courier the directory certifies, as `verifyDirectory` returns it. */
export interface CertifiedCourier {
  id: string;
  nameZh: string;
  nameEn: string;
  /** Key id (16 hex digits) of the key the form would seal to now. */
  keyId: string;
}
/**
 * Verifies a signed directory with the pinned platform key as the form does before sealing
 * (signature, rollback, expiry, validity); resolves to the couriers it would seal to now.
 */
export function verifyDirectory(directory: string, platformKey: string, allowedCouriers?: string[]): Promise<CertifiedCourier[]>;
/** Defines the custom element (done on import where custom elements exist). */
export function defineElement(name?: string): void;
