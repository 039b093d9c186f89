// The npm package outside a browser (`node --test package.test.mjs <pkgDir>` is run by
// `cargo xtask test` with SEALPOST_PKG set): importing it on a server touches no browser
// global, its functions work in Node, and test mode round-trips for a shop's own test suite.

import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'node:test';

const pkgDir = process.env.SEALPOST_PKG;
assert.ok(pkgDir, 'set SEALPOST_PKG to the built package directory');

const ADDRESS = {
  name: '张三', phone: '13812345678', country: 'CN', addressLevel1: '浙江省', addressLevel2: '杭州市',
  addressLevel3: '西湖区', streetLines: ['文三路 90 号'], postalCode: '310012',
};

test('importing the package on a server touches no browser global (SSR)', async () => {
  for (const name of ['window', 'document', 'customElements', 'HTMLElement']) {
    assert.equal(typeof globalThis[name], 'undefined', `${name} exists in this Node`);
  }
  const pkg = await import(path.resolve(pkgDir, 'index.js'));
  assert.equal(typeof pkg.mount, 'function');
  assert.equal(typeof pkg.defineElement, 'function');
  pkg.defineElement(); // a no-op without custom elements, not a crash
  assert.match(pkg.TEST_COURIER_PUBLIC_KEY, /^sp1/);
});

test('in Node, seal() without load() reads sealpost_bg.wasm next to index.js', async () => {
  // a fresh instance of the module (its own query string), on which load() was never called
  const pkg = await import(`${pathToFileURL(path.resolve(pkgDir, 'index.js')).href}?no-load`);
  const envelope = await pkg.seal(ADDRESS, pkg.TEST_COURIER_PUBLIC_KEY, 'NODE-1');
  assert.match(envelope, /^spe1\./);
  await assert.rejects(pkg.validateAddress({ ...ADDRESS, phone: '12' }), (e) => e.name === 'SealpostError' && e.code === 'phone_invalid');
});

test('test mode: seal to the test key in Node, open with openTestEnvelope', async () => {
  const pkg = await import(path.resolve(pkgDir, 'index.js'));
  await pkg.load(await readFile(path.join(pkgDir, 'sealpost_bg.wasm')));
  const envelope = await pkg.seal(ADDRESS, pkg.TEST_COURIER_PUBLIC_KEY, 'SHOP-TEST-1', 'country');
  assert.match(envelope, /^spe1\./);
  const view = await pkg.inspect(envelope);
  assert.equal(view.orderRef, 'SHOP-TEST-1');
  assert.deepEqual(view.disclosed, { country: 'CN' });
  assert.equal(view.recipients[0].keyId, await pkg.keyId(pkg.TEST_COURIER_PUBLIC_KEY));
  // an opened address has every key of the field table, '' when empty (SPEC.md §3.4)
  assert.deepEqual(await pkg.openTestEnvelope(envelope, 'SHOP-TEST-1'), { ...ADDRESS, company: '', deliveryNote: '', divisionCode: '' });
  await assert.rejects(pkg.openTestEnvelope(envelope, 'SHOP-TEST-2'), (e) => e.code === 'order_mismatch');
  await assert.rejects(pkg.seal({ ...ADDRESS, phone: '12' }, pkg.TEST_COURIER_PUBLIC_KEY, 'X'), (e) => e.code === 'phone_invalid' && e.field === 'phone');
});

test('package.json points at the entry, the types and the files that exist', async () => {
  const meta = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(meta.name, 'sealpost');
  assert.match(meta.version, /^\d+\.\d+\.\d+/);
  assert.notEqual(meta.version, '0.0.0');
  assert.equal(meta.exports['.'].types, './index.d.ts');
  for (const file of meta.files) await stat(path.join(pkgDir, file)); // each exists
});

test('the address data is published in data/: every country, China\'s provinces, the licences', async () => {
  const meta = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  assert.ok(meta.files.includes('data/'), 'package.json `files` publishes data/');
  assert.equal(meta.exports['./data/*'], './data/*', 'sealpost/data/* resolves for bundlers and copy steps');
  const intl = (await readdir(path.join(pkgDir, 'data/intl'))).filter((f) => /^[A-Z]{2}\.json$/.test(f));
  assert.equal(intl.length, 249, 'one format per country code');
  const cn = await readdir(path.join(pkgDir, 'data/cn'));
  assert.ok(cn.includes('index.json') && cn.includes('33.json') && cn.length === 35, `data/cn has ${cn.length} files`);
  const index = JSON.parse(await readFile(path.join(pkgDir, 'data/cn/index.json'), 'utf8'));
  for (const [pp] of index) assert.ok(cn.includes(`${pp}.json`), `data/cn/${pp}.json`);
  assert.ok((await readdir(path.join(pkgDir, 'data/licenses'))).length >= 2, 'the upstream licences');
  await stat(path.join(pkgDir, 'data/README.md'));
  // the wasm pins the files by hash: no manifest or pin table is shipped beside them
  await assert.rejects(stat(path.join(pkgDir, 'data/pins.bin')));
});

test('every built file is published, every export has its types, react and vue are optional peers', async () => {
  const meta = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  const built = (await readdir(pkgDir)).filter((f) => f !== 'package.json').sort();
  assert.deepEqual(meta.files.map((f) => f.replace(/\/$/, '')).sort(), built, 'package.json `files` names exactly the built files');
  for (const [entry, target] of Object.entries(meta.exports)) {
    if (entry === './package.json' || entry === './data/*') continue;
    assert.ok(target.types && target.default, `${entry} has types and a default`);
    for (const file of [target.types, target.default]) await readFile(path.join(pkgDir, file)); // each exists
  }
  for (const peer of ['react', 'vue']) {
    assert.ok(meta.peerDependencies[peer], `${peer} is a peer dependency`);
    assert.equal(meta.peerDependenciesMeta[peer].optional, true, `${peer} is optional`);
  }
  assert.deepEqual(meta.sideEffects, ['./index.js'], 'only index.js (defines the element) has side effects');
});

test('sealpost/testing loads in Node (a test runner) and opens what the package seals', async () => {
  const testing = await import(path.resolve(pkgDir, 'testing.js'));
  const pkg = await import(path.resolve(pkgDir, 'index.js'));
  assert.equal(testing.TEST_COURIER_IDENTITY, pkg.TEST_COURIER_IDENTITY);
  const envelope = await pkg.seal(ADDRESS, pkg.TEST_COURIER_PUBLIC_KEY, 'SHOP-TEST-3');
  assert.deepEqual(await testing.openTestEnvelope(envelope, 'SHOP-TEST-3'), { ...ADDRESS, company: '', deliveryNote: '', divisionCode: '' });
});
