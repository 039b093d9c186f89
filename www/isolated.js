// sealpost demo shop, isolation mode: the same <sealpost-address> element with `isolated` and
// `frame-url`, so the form runs on the frame origin (by default this host, port + 1; or
// `?frame=<origin>`). This page gets the same events and never sees what the buyer types.
//
// It names no courier: the frame's origin owns that choice (its policy pins the platform key
// and lets this shop use the demo couriers `sf` and `zto`). The buyer confirms the address in
// the frame; "Place order" then gets the envelope the buyer confirmed.

import '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const body = document.body;
const params = new URLSearchParams(location.search);
const frameOrigin = params.get('frame') || `${location.protocol}//localhost:${Number(location.port) + 1}`;
const orderRef = `DEMO-${Date.now()}`;
$('order-ref').textContent = orderRef;

const address = document.createElement('sealpost-address');
address.id = 'address';
address.setAttribute('isolated', '');
address.setAttribute('frame-url', `${frameOrigin}/frame/`);
address.setAttribute('order-ref', orderRef);
address.setAttribute('disclose', 'province');

const text = (zh, en) => (document.documentElement.lang === 'zh-CN' ? zh : en);

function setLanguage(lang) {
  const zh = lang === 'zh-CN';
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-zh]')) el.textContent = zh ? el.dataset.zh : el.dataset.en;
  $('language').lang = zh ? 'en' : 'zh-CN';
  address.setAttribute('locale', lang);
}
$('language').addEventListener('click', () => setLanguage(document.documentElement.lang === 'zh-CN' ? 'en' : 'zh-CN'));
if (params.get('lang') === 'en') setLanguage('en');

address.addEventListener('sealpost-ready', () => {
  $('place-order').disabled = false;
  $('status').textContent = text('请填写收货地址并点击「确认地址」。', 'Fill in the address and press “Confirm address”.');
  body.dataset.ready = 'true';
});
address.addEventListener('sealpost-change', (e) => {
  body.dataset.valid = String(e.detail.valid);
});
address.addEventListener('sealpost-error', (e) => {
  body.dataset.lastError = e.detail.code;
});
address.addEventListener('sealpost-sealed', () => {
  body.dataset.confirmed = 'true';
  $('status').textContent = text('地址已确认，可以提交订单。', 'Address confirmed: you can place the order.');
});
$('place-order').addEventListener('click', async () => {
  delete body.dataset.lastError;
  $('status').textContent = text('请在表单中确认地址…', 'Confirm the address in the form…');
  try {
    // Resolves once the buyer has confirmed the address in the frame.
    const { envelope, orderRef: ref } = await address.seal();
    $('seller-envelope').value = envelope;
    $('open-command').textContent = `sealpost open -i www/demo-couriers/sf.key --order ${ref} <<'EOF'\n${envelope}\nEOF`;
    $('seller-view').hidden = false;
    $('status').textContent = text('订单已提交。', 'Order placed.');
    body.dataset.sealed = 'true';
    body.dataset.order = ref;
  } catch (err) {
    body.dataset.lastError = err.code || 'unexpected_error';
    $('status').textContent = text('请检查收货地址。', 'Please check the address.');
  }
});

$('slot').append(address);
