// sealpost/testing: for a shop's own end-to-end tests of its checkout, in a real browser driven
// by Playwright or Puppeteer. Runs in the test runner (Node), not in the page.
//
//   await fillAddress(page, 'sealpost-address', address);  // types it like a buyer
//   … press your "place order" button, read the envelope your page sent …
//   const opened = await openTestEnvelope(envelope, orderRef); // the address again
//
// fillAddress refuses a form that is not in test mode (sealed to the public test key, with the
// badge that says so) or whose shadow root is closed (the default): in production the form is
// closed and seals to real couriers, and this helper cannot reach it. It only ever writes into
// the form; it never reads a value back.

import { openTestEnvelope as openWithModule, TEST_COURIER_IDENTITY, TEST_COURIER_PUBLIC_KEY } from './index.js';

export { TEST_COURIER_IDENTITY, TEST_COURIER_PUBLIC_KEY };

/**
 * The form's input for each address field, by its WHATWG autofill token (the form's
 * `autocomplete` attributes, which browsers' autofill relies on too). The delivery note has
 * none (`off`), so its input name.
 */
const INPUTS = {
  name: '[autocomplete="shipping name"]',
  phone: '[autocomplete="shipping tel"]',
  addressLevel1: '[autocomplete="shipping address-level1"]',
  addressLevel2: '[autocomplete="shipping address-level2"]',
  addressLevel3: '[autocomplete="shipping address-level3"]',
  postalCode: '[autocomplete="shipping postal-code"]',
  company: '[autocomplete="shipping organization"]',
  deliveryNote: '[name="delivery-note"]',
};
/** Street lines: one line in the Chinese layout, two elsewhere. */
const STREET_LINES = [
  '[autocomplete="shipping street-address"], [autocomplete="shipping address-line1"]',
  '[autocomplete="shipping address-line2"]',
];

/**
 * Runs in the page (serialized by `page.evaluate`, so self-contained): finds the element, waits
 * until it is ready, refuses unless it is in test mode with an open shadow root, then does one
 * step. Resolves to null or to `{ code, message }`; never to anything the buyer typed.
 */
async function inPage({ selector, step, value }) {
  const fail = (code, message) => ({ code, message });
  const el = document.querySelector(selector);
  if (!el || el.localName !== 'sealpost-address') return fail('not_found', `no <sealpost-address> matches ${selector}`);
  if (typeof el.ready === 'function') {
    try {
      await el.ready();
    } catch (err) {
      return fail((err && err.code) || 'load_failed', `the form did not load: ${err && err.message}`);
    }
  }
  const root = el.shadowRoot;
  if (!root) {
    return fail('shadow_not_open', "the form's shadow root is closed: set options.shadow = 'open' in tests (isolation mode cannot be filled from the page)");
  }
  const badge = root.querySelector('.test-badge');
  const testMode = el.hasAttribute('test-mode') || (el.options && el.options.testMode === true);
  if (!testMode || !badge || badge.hidden) {
    return fail('not_test_mode', 'the form is not in test mode (options.testMode or the test-mode attribute): sealpost/testing fills only a form that seals to the public test key');
  }
  if (step === 'country') {
    const select = root.querySelector('select[autocomplete="shipping country"]');
    const option = select && [...select.options].find((o) => o.value === value && !o.disabled);
    if (!option) return fail('field_not_in_form', `the country menu has no ${value}`);
    select.focus();
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    return null;
  }
  if (step === 'focus') {
    // the address data the last choice asked for (a country's format, a province's cities)
    // first: it may turn the next field into a list
    for (let i = 0; i < 100 && root.querySelector('[part="status"][data-kind="loading"]'); i += 1) {
      await new Promise((r) => { setTimeout(r, 50); });
    }
    const input = root.querySelector(value.selector);
    if (!input) return fail('field_not_in_form', `the form (for its current country) has no input ${value.selector}`);
    if (input.localName === 'select') {
      // a list (a state, China's province, city, district): chosen as the browser's autofill
      // does, by value or text, else by a text that contains or is contained in it (浙江 →
      // 浙江省), then `input` and `change`
      const options = [...input.options].filter((o) => o.value !== '');
      const text = value.text;
      const option = options.find((o) => o.value === text || o.text === text)
        || options.find((o) => o.text.includes(text) || text.includes(o.text));
      if (!option) return fail('not_in_list', `the form's list ${value.selector} has no entry for the given text`);
      input.focus();
      input.value = option.value;
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return { chosen: true };
    }
    input.focus();
    input.select();
  }
  return null;
}

function testingError({ code, message }) {
  const error = new Error(`sealpost/testing: ${message}`);
  error.name = 'SealpostTestingError';
  error.code = code;
  return error;
}

async function step(page, arg) {
  const outcome = await page.evaluate(inPage, arg);
  if (outcome && outcome.code) throw testingError(outcome);
  return outcome;
}

/**
 * Types `address` into the `<sealpost-address>` matching `selector`, field by field with the
 * keyboard, as a buyer would (country first: it chooses the layout), and chooses the entry of
 * a list (a state; China's province, city and district) whose value or text matches, or
 * contains or is contained in the given text, as the browser's autofill does (`浙江` → 浙江省).
 * `page` is a Playwright or Puppeteer page. The element must be in test mode with
 * `shadow: 'open'`; waits for it to be ready, and for the address data a choice asked for.
 * Rejects with `code` `not_found`, `shadow_not_open`, `not_test_mode`, `field_not_in_form`,
 * `not_in_list` or `unknown_field`.
 */
export async function fillAddress(page, selector, address) {
  const { country, streetLines = [], ...rest } = address;
  for (const key of Object.keys(rest)) {
    if (!(key in INPUTS)) throw testingError({ code: 'unknown_field', message: `not an address field: ${key}` });
  }
  if (streetLines.length > STREET_LINES.length) {
    throw testingError({ code: 'field_not_in_form', message: `the form has at most ${STREET_LINES.length} street lines` });
  }
  await step(page, { selector, step: 'check' });
  if (country !== undefined) await step(page, { selector, step: 'country', value: country });
  // in the order the lists depend on each other: province, city, district, then the rest
  const order = Object.keys(INPUTS);
  const fields = Object.entries(rest).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  const level = fields.findLastIndex(([key]) => key.startsWith('addressLevel')) + 1;
  const inputs = [
    ...fields.slice(0, level).map(([key, text]) => [INPUTS[key], text]),
    ...streetLines.map((line, i) => [STREET_LINES[i], line]),
    ...fields.slice(level).map(([key, text]) => [INPUTS[key], text]),
  ];
  for (const [input, text] of inputs) {
    const done = await step(page, { selector, step: 'focus', value: { selector: input, text: String(text ?? '') } });
    if (done && done.chosen) continue;
    // the field's text is selected: typing replaces it, Backspace empties it
    if (text === '' || text === undefined) await page.keyboard.press('Backspace');
    else await page.keyboard.type(String(text));
  }
}

/**
 * Opens an envelope the form sealed in test mode; resolves to the address (every key, '' when
 * empty). Loads the package's whole module from this folder (read from disk in Node).
 */
export async function openTestEnvelope(envelope, orderRef) {
  return openWithModule(envelope, orderRef);
}
