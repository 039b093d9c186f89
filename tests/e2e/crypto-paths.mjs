// In-page check of seal()'s two X25519 paths (issue #17), shared by the browser runners
// (checkout.mjs for Chromium, firefox.mjs, webkit.mjs), which pass the page function to their
// driver. On the demo shop's page, with the package at /pkg/:
//   - options.crypto 'platform' makes the ephemeral key pair and DH with WebCrypto (one
//     deriveBits call, counted by a wrapper), 'wasm' makes none, 'auto' does what this engine
//     is expected to do (EXPECTED_AUTO);
//   - each envelope opens (test mode) to the sealed address, for its order;
//   - two platform seals of the same input differ (each ephemeral key pair is used once);
//   - an unknown choice is refused with `invalid_options`.

/** What `crypto: 'auto'` should pick in each browser (README, "Beside the peers"). */
export const EXPECTED_AUTO = { chromium: 'platform', firefox: 'wasm', webkit: 'platform' };

/** Runs in the page; resolves to `{ platform, wasm, auto: { deriveBits, opened }, bad }`. */
export async function cryptoPaths() {
  const sp = await import('/pkg/index.js');
  const address = {
    name: 'Zhang San', phone: '13812345678', country: 'CN', addressLevel1: 'Zhejiang',
    addressLevel2: 'Hangzhou', addressLevel3: 'Xihu', streetLines: ['90 Wensan Road'], postalCode: '310012',
  };
  const subtle = crypto.subtle;
  const derive = subtle.deriveBits;
  let calls = 0;
  subtle.deriveBits = function counted(...args) {
    calls += 1;
    return derive.apply(this, args);
  };
  const out = {};
  try {
    for (const choice of ['platform', 'wasm', 'auto']) {
      const before = calls;
      const order = `PATH-${choice}`;
      const envelope = await sp.seal(address, sp.TEST_COURIER_PUBLIC_KEY, order, 'country', { crypto: choice });
      const opened = await sp.openTestEnvelope(envelope, order);
      out[choice] = {
        deriveBits: calls - before,
        opened: opened.name === address.name && opened.streetLines[0] === address.streetLines[0],
      };
    }
    // the same address and order twice on the platform path: a fresh ephemeral key pair each
    // time (one made ahead is used once), so the envelopes differ
    const twice = [];
    for (let i = 0; i < 2; i++) twice.push(await sp.seal(address, sp.TEST_COURIER_PUBLIC_KEY, 'PATH-twice', 'none', { crypto: 'platform' }));
    out.freshKeys = twice[0] !== twice[1];
    // bad input: both paths refuse it with the same code and field (the platform path checks
    // it after the key pair and DH, or first when the keys do not parse)
    const refusals = [
      [{ ...address, phone: '12' }, sp.TEST_COURIER_PUBLIC_KEY, 'BAD-1'],
      [address, 'sp1nope', 'BAD-2'],
      [{ ...address, phone: '12' }, 'sp1nope', 'BAD-3'],
      [address, sp.TEST_COURIER_PUBLIC_KEY, 'an order reference with spaces'],
      [address, [sp.TEST_COURIER_PUBLIC_KEY, sp.TEST_COURIER_PUBLIC_KEY], 'BAD-5'],
      [{ ...address, streetLines: 'not a list' }, 'sp1nope', 'BAD-6'],
    ];
    // two couriers on the platform path, in both orders (each value's keys are kept per page):
    // the envelope names them in the order given, and the test courier's copy opens
    const other = 'sp15pzc3d6xsve57mnkwrd5tn9p9z8u9s2fn4u8zhv52m6anynp4q3ssln2tz';
    out.twoCouriers = [];
    for (const list of [[sp.TEST_COURIER_PUBLIC_KEY, other], [other, sp.TEST_COURIER_PUBLIC_KEY], [sp.TEST_COURIER_PUBLIC_KEY, other]]) {
      const envelope = await sp.seal(address, list, 'PATH-two', 'none', { crypto: 'platform' });
      const ids = (await sp.inspect(envelope)).recipients.map((r) => r.keyId);
      const opened = (await sp.openTestEnvelope(envelope, 'PATH-two')).name === address.name;
      out.twoCouriers.push({ ids: await Promise.all(list.map((k) => sp.keyId(k))), sealedTo: ids, opened });
    }
    // the platform's X25519 failing: randomness_unavailable, unless the input is bad (its own
    // code first); the next seal works again
    const deriveBits = subtle.deriveBits;
    subtle.deriveBits = () => Promise.reject(new DOMException('test: no DH', 'OperationError'));
    try {
      const code = (a) => sp.seal(a, sp.TEST_COURIER_PUBLIC_KEY, 'PATH-fail', 'none', { crypto: 'platform' }).then(() => 'sealed', (e) => e.code);
      out.platformFails = [await code(address), await code({ ...address, phone: '12' })];
    } finally {
      subtle.deriveBits = deriveBits;
    }
    out.platformFails.push(await sp.seal(address, sp.TEST_COURIER_PUBLIC_KEY, 'PATH-fail', 'none', { crypto: 'platform' }).then(() => 'sealed', (e) => e.code));
    out.refusals = [];
    for (const [a, k, o] of refusals) {
      const code = (choice) => sp.seal(a, k, o, 'none', { crypto: choice }).then(() => 'sealed', (e) => `${e.code}${e.field ? ` ${e.field}` : ''}`);
      out.refusals.push([await code('platform'), await code('wasm')]);
    }
    out.bad = await sp.seal(address, sp.TEST_COURIER_PUBLIC_KEY, 'X', 'none', { crypto: 'webcrypto' })
      .then(() => 'sealed', (e) => e.code);
    // with the address data (SPEC §4.2): short names sealed as the data's, the district's code
    // filled in and disclosed canonically; a district of another city, a changed asset and a
    // failed load refused with their codes
    const cn = { ...address, addressLevel1: '浙江', addressLevel2: '杭州', addressLevel3: '西湖' };
    const key = sp.TEST_COURIER_PUBLIC_KEY;
    const sealed = await sp.seal(cn, key, 'DATA-1', 'region', { dataUrl: '/pkg/data/' });
    const o = await sp.openTestEnvelope(sealed, 'DATA-1');
    out.data = {
      opened: [o.addressLevel1, o.addressLevel2, o.addressLevel3, o.divisionCode].join(' '),
      disclosed: (await sp.inspect(sealed)).disclosed.addressLevel1,
      plain: (await sp.openTestEnvelope(await sp.seal(cn, key, 'DATA-2', 'none'), 'DATA-2')).addressLevel1,
      wrongDistrict: await sp.seal({ ...cn, addressLevel3: '朝阳区' }, key, 'D', 'none', { dataUrl: '/pkg/data/' }).then(() => 'sealed', (e) => `${e.code} ${e.field}`),
      tampered: await sp.seal({ ...cn, country: 'US', phone: '+1 650 253 0000', addressLevel1: 'CA', addressLevel2: 'Mountain View', postalCode: '94043' }, key, 'D', 'none', {
        loadData: async (p) => (await (await fetch(`/pkg/data/${p}`)).text()).replace('California', 'Californie'),
      }).then(() => 'sealed', (e) => e.code),
      missing: await sp.seal({ ...cn, country: 'JP', addressLevel1: 'Tokyo', postalCode: '100-8111' }, key, 'D', 'none', { loadData: () => Promise.reject(new Error('offline')) })
        .then(() => 'sealed', (e) => e.code),
    };
  } finally {
    subtle.deriveBits = derive;
  }
  return out;
}

/** The runner's checks on what `cryptoPaths` returned, as `[ok, message]` pairs. */
export function cryptoPathChecks(browser, got) {
  const auto = EXPECTED_AUTO[browser] === 'platform' ? 1 : 0;
  return [
    [got.platform && got.platform.deriveBits === 1 && got.platform.opened, `'platform' seals with one WebCrypto DH and opens: ${JSON.stringify(got.platform)}`],
    [got.wasm && got.wasm.deriveBits === 0 && got.wasm.opened, `'wasm' seals without WebCrypto and opens: ${JSON.stringify(got.wasm)}`],
    [got.auto && got.auto.deriveBits === auto && got.auto.opened, `'auto' takes the ${EXPECTED_AUTO[browser]} path in ${browser}: ${JSON.stringify(got.auto)}`],
    [got.freshKeys === true, 'two platform seals of the same address and order are different envelopes (no ephemeral key reused)'],
    [Array.isArray(got.twoCouriers) && got.twoCouriers.length === 3 && got.twoCouriers.every((t) => t.opened && JSON.stringify(t.ids) === JSON.stringify(t.sealedTo)),
      `two couriers on the platform path are sealed to in the order given, each time: ${JSON.stringify(got.twoCouriers)}`],
    [JSON.stringify(got.platformFails) === JSON.stringify(['randomness_unavailable', 'phone_invalid', 'sealed']),
      `a failing platform X25519: randomness_unavailable, a bad address's own code first, then sealing again: ${JSON.stringify(got.platformFails)}`],
    [Array.isArray(got.refusals) && got.refusals.length === 6 && got.refusals.every(([p, w]) => p === w && p !== 'sealed'),
      `bad input is refused with the same code on both paths: ${JSON.stringify(got.refusals)}`],
    [got.bad === 'invalid_options', `an unknown crypto choice is refused with invalid_options, not ${got.bad}`],
    [got.data && got.data.opened === '浙江省 杭州市 西湖区 330106' && got.data.disclosed === '浙江省' && got.data.plain === '浙江',
      `seal() with dataUrl seals the data's names and code and discloses the canonical province; without, the text as given: ${JSON.stringify(got.data)}`],
    [got.data && got.data.wrongDistrict === 'address_level3_invalid addressLevel3', `a district of another city is refused: ${got.data && got.data.wrongDistrict}`],
    [got.data && got.data.tampered === 'invalid_address_data', `a changed data file is refused: ${got.data && got.data.tampered}`],
    [got.data && got.data.missing === 'load_failed', `a data file that cannot be loaded rejects load_failed: ${got.data && got.data.missing}`],
  ];
}
