// The package under jsdom, as vitest's or jest's `jsdom` environment runs it (`node --test
// jsdom.test.mjs` with SEALPOST_PKG set, run by `cargo xtask test`): jsdom has no constructed
// stylesheets, so the form cannot render; the element and mount() must say so with a code
// and name the alternative, instead of failing later with "no document" or a blank box.

import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';

import { JSDOM } from 'jsdom';

const pkgDir = process.env.SEALPOST_PKG;
assert.ok(pkgDir, 'set SEALPOST_PKG to the built package directory');

const dom = new JSDOM('<!doctype html><html lang="en"><body><sealpost-address order-ref="ORD-1"></sealpost-address></body></html>', {
  pretendToBeVisual: true,
});
// what a jsdom test environment puts on the global object
for (const name of ['window', 'document', 'navigator', 'customElements', 'HTMLElement', 'CustomEvent', 'Event', 'CSSStyleSheet']) {
  Object.defineProperty(globalThis, name, { value: dom.window[name], configurable: true, writable: true });
}

test('under jsdom the element reports unsupported_environment and names the alternative', async () => {
  const errors = [];
  document.addEventListener('sealpost-error', (e) => errors.push(e.detail.code));
  const pkg = await import(path.resolve(pkgDir, 'index.js'));
  const el = document.querySelector('sealpost-address');
  assert.ok(customElements.get('sealpost-address'), 'the element is defined under jsdom');
  const err = await el.ready().then(() => null, (e) => e);
  assert.ok(err, 'ready() resolved under jsdom');
  assert.equal(err.name, 'SealpostError');
  assert.equal(err.code, 'unsupported_environment');
  assert.match(err.message, /Playwright or Puppeteer/);
  assert.deepEqual(errors, ['unsupported_environment']);
  await assert.rejects(el.seal(), (e) => e.code === 'unsupported_environment');
  await assert.rejects(pkg.mount(document.createElement('div'), { testMode: true, orderRef: 'ORD-1' }), (e) => e.code === 'unsupported_environment');
});
