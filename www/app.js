// sealpost demo shop: seals the shipping address in the page and shows what the seller gets.
//
// Runs under `Content-Security-Policy: default-src 'self'; script-src 'self'
// 'wasm-unsafe-eval'; style-src 'self'`: no inline scripts or styles, no eval, no
// element.style; visibility is switched with the `hidden` attribute only.

import init, { seal, keyId, inspect, version } from './pkg/sealpost.js';

/** The demo courier's public key. Its identity file (www/demo-courier.key) is never loaded. */
const DEMO_COURIER_KEY = 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw';
/** Where the courier's identity lives, as shown in the open command. */
const DEMO_IDENTITY_PATH = 'www/demo-courier.key';

/** Address field (as the wasm module names it in `err.field`) -> input id. */
const FIELD_INPUTS = {
  name: 'name',
  phone: 'phone',
  country: 'country',
  addressLevel1: 'address-level1',
  addressLevel2: 'address-level2',
  addressLevel3: 'address-level3',
  streetLines: 'street',
  postalCode: 'postal-code',
  company: 'company',
  deliveryNote: 'delivery-note',
};

/** Errors that carry no `field` but still belong to one input. */
const CODE_INPUTS = {
  invalid_order_ref: 'order-ref',
  invalid_disclosure: 'disclose',
};

/** Field names for messages: [English, Chinese]. */
const FIELD_LABELS = {
  name: ['Name', '收件人'],
  phone: ['Phone', '手机号码'],
  country: ['Country', '国家或地区'],
  addressLevel1: ['Province / state', '省份'],
  addressLevel2: ['City', '城市'],
  addressLevel3: ['District', '区县'],
  streetLines: ['Street address', '详细地址'],
  postalCode: ['Postal code', '邮政编码'],
  company: ['Company', '公司'],
  deliveryNote: ['Note for the courier', '留言'],
};

/** Special wording for `<field>_invalid` codes. */
const INVALID_MESSAGES = {
  phone_invalid:
    'Phone: enter a valid number (China: 11-digit mobile starting with 1; elsewhere 6 to 15 digits). '
    + '请输入有效的手机号码（中国大陆为以 1 开头的 11 位数字）。',
  postal_code_invalid:
    'Postal code: China uses 6 digits; elsewhere letters, digits, spaces and hyphens. '
    + '邮政编码无效（中国为 6 位数字）。',
  country_invalid: 'Country: choose a country from the list. 请选择国家或地区。',
  invalid_order_ref:
    'Order reference: 1 to 64 printable ASCII characters, no spaces. 订单号无效（只能使用 1 到 64 个可打印 ASCII 字符，不含空格）。',
  invalid_disclosure: 'Choose what to show in clear. 请选择公开范围。',
};

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`sealpost demo: missing element #${id}`);
  return el;
};

const body = document.body;
const form = $('checkout');
const sealButton = $('seal-button');
const statusLine = $('status');
const formError = $('form-error');
const orderInput = $('order-ref');
const discloseSelect = $('disclose');
const sellerView = $('seller-view');

// A fresh order reference per page load, like a shop would assign.
orderInput.value = `DEMO-${Date.now()}`;

/** The address object the wasm module expects, from the form. */
function readAddress() {
  const v = (id) => $(id).value.trim();
  const address = {
    name: v('name'),
    phone: v('phone'),
    country: v('country'),
    addressLevel1: v('address-level1'),
    addressLevel2: v('address-level2'),
    addressLevel3: v('address-level3'),
    streetLines: [v('street')],
    postalCode: v('postal-code'),
  };
  const line2 = v('street-2');
  if (line2) address.streetLines.push(line2);
  const company = v('company');
  if (company) address.company = company;
  const note = v('delivery-note');
  if (note) address.deliveryNote = note;
  return address;
}

function describedByWith(input, id, add) {
  const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter((t) => t && t !== id);
  if (add) ids.push(id);
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
}

function clearFieldError(input) {
  const errorEl = document.getElementById(`${input.id}-error`);
  input.removeAttribute('aria-invalid');
  if (errorEl) {
    errorEl.hidden = true;
    errorEl.textContent = '';
    describedByWith(input, errorEl.id, false);
  }
}

function clearErrors() {
  for (const input of form.querySelectorAll('[aria-invalid]')) clearFieldError(input);
  formError.hidden = true;
  formError.textContent = '';
}

function showFieldError(input, message) {
  const errorEl = $(`${input.id}-error`);
  errorEl.textContent = message;
  errorEl.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  describedByWith(input, errorEl.id, true);
  input.focus();
}

function messageFor(err, code) {
  if (INVALID_MESSAGES[code]) return INVALID_MESSAGES[code];
  const label = FIELD_LABELS[err && err.field];
  if (label) {
    const [en, zh] = label;
    if (code.endsWith('_missing')) return `${en} is required. 请填写${zh}。`;
    if (code.endsWith('_too_long')) return `${en} is too long. ${zh}过长。`;
    if (code.endsWith('_control_character')) {
      return `${en} contains a character that is not allowed (line break, tab or control character). ${zh}包含不允许的字符。`;
    }
    return `${en} is not valid. ${zh}无效。`;
  }
  const text = err && err.message ? err.message : String(err);
  return `${text} (${code})`;
}

function hideSellerView() {
  sellerView.hidden = true;
  for (const id of ['seller-order', 'seller-disclosed', 'seller-recipients', 'seller-length', 'open-command', 'copy-status']) {
    $(id).textContent = '';
  }
  const envelopeEl = $('seller-envelope');
  envelopeEl.textContent = '';
  envelopeEl.value = '';
}

function showError(err) {
  const code = (err && typeof err.code === 'string' && err.code) || 'unexpected_error';
  body.dataset.lastError = code;
  hideSellerView();
  const message = messageFor(err, code);
  const inputId = (err && FIELD_INPUTS[err.field]) || CODE_INPUTS[code];
  if (inputId) {
    showFieldError($(inputId), message);
    statusLine.textContent = 'Not sealed: please correct the marked field. 未加密：请修改标出的字段。';
  } else {
    formError.textContent = message;
    formError.hidden = false;
    statusLine.textContent = 'Not sealed. 未加密。';
  }
}

/** Quotes `s` for a POSIX shell unless it is made of plainly safe characters. */
function shellWord(s) {
  return /^[A-Za-z0-9._:/@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function renderSellerView(envelope) {
  const info = inspect(envelope);
  const demoKeyId = keyId(DEMO_COURIER_KEY);

  $('seller-order').textContent = info.orderRef;

  const disclosed = [];
  if (info.disclosed && info.disclosed.country) disclosed.push(`Country / 国家: ${info.disclosed.country}`);
  if (info.disclosed && info.disclosed.addressLevel1) disclosed.push(`Province / 省份: ${info.disclosed.addressLevel1}`);
  $('seller-disclosed').textContent = disclosed.length ? disclosed.join(' · ') : 'Nothing / 不公开任何字段';

  const list = $('seller-recipients');
  list.textContent = '';
  for (const r of info.recipients) {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = r.keyId;
    li.append(code);
    if (r.keyId === demoKeyId) li.append(' (demo courier / 演示快递员)');
    list.append(li);
  }

  $('seller-length').textContent = `${envelope.length} characters / 字符`;

  const envelopeEl = $('seller-envelope');
  envelopeEl.textContent = envelope;
  envelopeEl.value = envelope;
  // Tall enough to show a one-courier envelope whole (an attribute, not an inline style).
  envelopeEl.rows = Math.min(16, Math.max(4, Math.ceil(envelope.length / 90) + 1));

  $('open-command').textContent =
    `sealpost open -i ${DEMO_IDENTITY_PATH} --order ${shellWord(info.orderRef)} <<'EOF'\n${envelope}\nEOF`;
  $('copy-status').textContent = '';

  sellerView.hidden = false;
  body.dataset.sealed = 'true';
  statusLine.textContent = 'Sealed. Only the courier can open it. 已加密，只有快递员能打开。';
  $('seller-heading').focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (body.dataset.ready !== 'true') return;
  clearErrors();
  delete body.dataset.sealed;
  delete body.dataset.lastError;
  let envelope;
  try {
    envelope = seal(readAddress(), [DEMO_COURIER_KEY], orderInput.value.trim(), discloseSelect.value);
  } catch (err) {
    showError(err);
    return;
  }
  try {
    renderSellerView(envelope);
  } catch (err) {
    showError(err);
  }
});

// Editing a field clears its error message.
form.addEventListener('input', (event) => {
  const input = event.target;
  if (input instanceof HTMLElement && input.getAttribute('aria-invalid') === 'true') clearFieldError(input);
});

$('copy-command').addEventListener('click', async () => {
  const text = $('open-command').textContent;
  const copyStatus = $('copy-status');
  try {
    await navigator.clipboard.writeText(text);
    copyStatus.textContent = 'Copied. 已复制。';
  } catch {
    // No clipboard permission: select the text so the visitor can copy it by hand.
    const range = document.createRange();
    range.selectNodeContents($('open-command'));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    copyStatus.textContent = 'Selected: press Ctrl+C / ⌘C. 已选中，请按 Ctrl+C 复制。';
  }
});

try {
  await init();
  $('version').textContent = `v${version()}`;
  $('courier-key-id').textContent = keyId(DEMO_COURIER_KEY);
  $('courier-key-id-wrap').hidden = false;
  sealButton.disabled = false;
  statusLine.textContent = 'Ready. 已就绪。';
  body.dataset.ready = 'true';
} catch (err) {
  statusLine.textContent = `The sealing module failed to load: ${err && err.message ? err.message : err}. 加密模块加载失败。`;
  body.dataset.lastError = (err && err.code) || 'init_failed';
  console.error('sealpost demo: init failed', err);
}
