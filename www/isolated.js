// sealpost demo shop, isolation mode: the same <sealpost-address> element with `isolated` and
// `frame-url`, so the form runs on the frame origin (by default this host, port + 1; or
// `?frame=<origin>`). This page gets the same events and never sees what the buyer types.

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
address.setAttribute('couriers', 'sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw');
address.setAttribute('order-ref', orderRef);
address.setAttribute('disclose', 'province');
address.setAttribute('no-button', '');

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

address.addEventListener('ready', () => {
  $('place-order').disabled = false;
  $('status').textContent = '';
  body.dataset.ready = 'true';
});
address.addEventListener('change', (e) => {
  body.dataset.valid = String(e.detail.valid);
});
address.addEventListener('error', (e) => {
  body.dataset.lastError = e.detail.code;
});
address.addEventListener('sealed', (e) => {
  const { envelope, orderRef: ref } = e.detail;
  $('seller-envelope').value = envelope;
  $('open-command').textContent = `sealpost open -i www/demo-courier.key --order ${ref} <<'EOF'\n${envelope}\nEOF`;
  $('seller-view').hidden = false;
  $('status').textContent = text('订单已提交。', 'Order placed.');
  body.dataset.sealed = 'true';
  body.dataset.order = ref;
});
$('place-order').addEventListener('click', async () => {
  delete body.dataset.lastError;
  try {
    await address.seal();
  } catch (err) {
    body.dataset.lastError = err.code || 'unexpected_error';
    $('status').textContent = text('请检查收货地址。', 'Please check the address.');
  }
});

$('slot').append(address);
