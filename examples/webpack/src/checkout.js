// The raw element with code splitting: the page's own bundle does not contain sealpost. The
// element is in the HTML from the start and gets its options and listeners now; the element
// definition and its wasm module load only when the buyer reaches the shipping step.

const form = document.getElementById('address');
const placeOrder = document.getElementById('place-order');
const status = document.getElementById('status');
const error = document.getElementById('error');
const envelope = document.getElementById('envelope');

// Set before the element is defined: it picks these up when it upgrades.
form.options = {
  // Test mode seals to the public test key, with a badge saying so. In production give
  // `couriers` (or `directory` + `platformKey`) instead.
  testMode: true,
  orderRef: 'ORD-WEBPACK-1001',
  disclose: 'country',
  // where webpack.config.js puts the package's address data
  dataUrl: 'dist/sealpost-data/',
  ...(SEALPOST_E2E ? { shadow: 'open' } : {}),
};

form.addEventListener('sealpost-ready', () => {
  status.dataset.ready = 'true';
  status.textContent = 'Fill in the address.';
  placeOrder.disabled = false;
});
form.addEventListener('sealpost-change', (e) => {
  status.dataset.valid = String(e.detail.valid);
  status.textContent = e.detail.valid ? 'Ready to order.' : 'Fill in the address.';
});
form.addEventListener('sealpost-sealed', (e) => {
  // What this page would POST to the shop's server: the envelope, never the address.
  envelope.textContent = e.detail.envelope;
  envelope.dataset.orderRef = e.detail.orderRef;
  envelope.hidden = false;
});
form.addEventListener('sealpost-error', (e) => {
  error.textContent = e.detail.code;
  error.hidden = false;
});

document.getElementById('continue').addEventListener('click', async (e) => {
  e.currentTarget.disabled = true;
  form.hidden = false;
  placeOrder.hidden = false;
  status.textContent = 'Loading the address form…';
  try {
    await import(/* webpackChunkName: "sealpost" */ 'sealpost');
  } catch (err) {
    error.textContent = `could not load the address form: ${err.message}`;
    error.hidden = false;
  }
}, { once: true });

placeOrder.addEventListener('click', async () => {
  error.hidden = true;
  try {
    await form.seal(); // the sealpost-sealed listener shows the envelope
  } catch (err) {
    error.textContent = err.code;
    error.hidden = false;
  }
});
