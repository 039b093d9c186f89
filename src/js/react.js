// sealpost/react: <SealpostAddress>, a thin React (18 and 19) component over the
// <sealpost-address> element. Plain JS with createElement: no JSX build step.
//
// Why a wrapper: React would write a non-string prop such as `options` as an attribute
// ("[object Object]") when the element is not defined yet, and its onX props do not match
// hyphenated event names. Here `options` is only ever set as a property, and the listeners are
// added with addEventListener, both in a layout effect: after the element is in the document,
// before the wasm module has loaded and the form reads its options.
//
// SSR-safe: importing this touches no browser global (nor does ./index.js, which it imports so
// that the element is defined wherever this component is, code splitting included).

import { createElement, forwardRef, useEffect, useImperativeHandle, useLayoutEffect, useRef } from 'react';
import './index.js';

// useLayoutEffect warns during server rendering in React 18; the effect never runs there anyway.
const useClientLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** The event detail of `sealpost-error` as a `SealpostError`, like `ready()` rejects with. */
function toError(detail) {
  const d = detail || {};
  const error = new Error(String(d.message || d.code || 'sealpost error'));
  error.name = 'SealpostError';
  error.code = d.code || 'load_failed';
  if (d.field !== undefined) error.field = d.field;
  return error;
}

function notConnected() {
  return toError({ code: 'not_connected', message: 'the <sealpost-address> element is not rendered' });
}

/**
 * `<SealpostAddress options={…} onReady onChange={(valid) => …} onSealed={(detail) => …}
 * onError={(error) => …} className style ref />`. The ref is `{ seal(), ready(), valid }`.
 * Pass a stable `options` object (useMemo or a constant): a new object replaces the form's
 * options (what the buyer typed is kept).
 */
export const SealpostAddress = forwardRef(function SealpostAddress(props, ref) {
  const { options, onReady, onChange, onSealed, onError, className, style, id } = props;
  const element = useRef(null);
  // the latest callbacks, so a new arrow function each render does not re-add listeners
  const handlers = useRef(null);
  handlers.current = { onReady, onChange, onSealed, onError };

  useClientLayoutEffect(() => {
    const el = element.current;
    const listeners = {
      'sealpost-ready': () => handlers.current.onReady?.(),
      'sealpost-change': (e) => handlers.current.onChange?.(Boolean(e.detail && e.detail.valid)),
      'sealpost-sealed': (e) => handlers.current.onSealed?.(e.detail),
      'sealpost-error': (e) => handlers.current.onError?.(toError(e.detail)),
    };
    // only events of this element, not ones bubbling from a nested one
    const own = (listener) => (e) => { if (e.target === el) listener(e); };
    const added = Object.entries(listeners).map(([type, listener]) => [type, own(listener)]);
    for (const [type, listener] of added) el.addEventListener(type, listener);
    return () => {
      for (const [type, listener] of added) el.removeEventListener(type, listener);
    };
  }, []);

  useClientLayoutEffect(() => {
    // a property, never an attribute; attributes the page sets directly still win
    element.current.options = options || {};
  }, [options]);

  useImperativeHandle(ref, () => ({
    seal() {
      return element.current ? element.current.seal() : Promise.reject(notConnected());
    },
    ready() {
      return element.current ? element.current.ready() : Promise.reject(notConnected());
    },
    get valid() {
      return element.current ? element.current.valid : false;
    },
  }), []);

  // Isolation mode is chosen when the element enters the document, before any effect runs:
  // say so with the (string) attributes the element reads then.
  const isolation = options && (options.isolated || options.frameUrl)
    ? { isolated: '', 'frame-url': options.frameUrl }
    : {};
  return createElement('sealpost-address', { ref: element, class: className, style, id, ...isolation });
});
