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
