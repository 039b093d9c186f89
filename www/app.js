// sealpost demo shop: a checkout page that uses the <sealpost-address> element and shows what
// the seller's server receives. Runs under `default-src 'self'; script-src 'self'
// 'wasm-unsafe-eval'; style-src 'self'` (no inline script or style, no element.style).

import { load } from '/pkg/index.js';

const DEMO_IDENTITY_PATH = 'www/demo-courier.key';
const $ = (id) => document.getElementById(id);
const body = document.body;
const address = $('address');
const placeOrder = $('place-order');
const status = $('status');

// A fresh order reference per page load, as a shop would assign.
const orderRef = `DEMO-${Date.now()}`;
$('order-ref').textContent = orderRef;
address.setAttribute('order-ref', orderRef);

/** The page's own texts that depend on what happened (status line, seller view), redrawn in
 *  the new language by setLanguage. */
const redraw = { status: null, seller: null };

/** Switches every `data-zh` / `data-en` text, the texts in `redraw`, and the form's language. */
function setLanguage(lang) {
  const zh = lang === 'zh-CN';
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-zh]')) {
    el.textContent = zh ? el.dataset.zh : el.dataset.en;
  }
  for (const draw of Object.values(redraw)) if (draw) draw();
  $('language').lang = zh ? 'en' : 'zh-CN';
  address.setAttribute('locale', lang);
}

/** Sets the status line to `zh` / `en` in the current language (and after a switch). */
function setStatus(zh, en) {
  redraw.status = () => { status.textContent = text(zh, en); };
  redraw.status();
}

$('language').addEventListener('click', () => {
  setLanguage(document.documentElement.lang === 'zh-CN' ? 'en' : 'zh-CN');
});
if (new URLSearchParams(location.search).get('lang') === 'en') setLanguage('en');

/** Quotes `s` for a POSIX shell unless it is made of plainly safe characters. */
function shellWord(s) {
  return /^[A-Za-z0-9._:/@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function text(zh, en) {
  return document.documentElement.lang === 'zh-CN' ? zh : en;
}

address.addEventListener('sealpost-ready', async () => {
  const wasm = await load();
  $('version').textContent = `v${wasm.version()}`;
  placeOrder.disabled = false;
  setStatus('', '');
  body.dataset.ready = 'true';
});

address.addEventListener('sealpost-change', (e) => {
  // Validity only: the element never hands out what the buyer typed.
  body.dataset.valid = String(e.detail.valid);
});

address.addEventListener('sealpost-error', (e) => {
  body.dataset.lastError = e.detail.code;
  setStatus(`出错了（${e.detail.code}）`, `Something went wrong (${e.detail.code})`);
});

address.addEventListener('sealpost-sealed', (e) => {
  const { envelope, orderRef: ref, disclosed } = e.detail;
  // This is what a shop would POST to its server, and all the seller ever gets.
  $('seller-order').textContent = ref;
  redraw.seller = () => {
    const parts = [];
    if (disclosed.country) parts.push(`${text('国家', 'Country')}: ${disclosed.country}`);
    if (disclosed.addressLevel1) parts.push(`${text('省份', 'Province')}: ${disclosed.addressLevel1}`);
    $('seller-disclosed').textContent = parts.length ? parts.join(' · ') : text('不公开', 'Nothing');
    $('seller-length').textContent = `${envelope.length} ${text('个字符', 'characters')}`;
  };
  redraw.seller();
  $('seller-envelope').value = envelope;
  $('open-command').textContent =
    `sealpost open -i ${DEMO_IDENTITY_PATH} --order ${shellWord(ref)} <<'EOF'\n${envelope}\nEOF`;
  $('seller-view').hidden = false;
  $('seller-heading').focus();
  setStatus('订单已提交。', 'Order placed.');
  body.dataset.sealed = 'true';
});

placeOrder.addEventListener('click', async () => {
  delete body.dataset.lastError;
  try {
    await address.seal();
  } catch (err) {
    // The form shows the message on the field and focuses it; the page only records the code.
    body.dataset.lastError = err.code || 'unexpected_error';
    setStatus('请检查收货地址。', 'Please check the address.');
  }
});
