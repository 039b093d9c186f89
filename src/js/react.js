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
import { isolationAttributes, listen, notConnected } from './wrappers.js';

// useLayoutEffect warns during server rendering in React 18; the effect never runs there anyway.
const useClientLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

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

  useClientLayoutEffect(() => listen(element.current, {
    ready: () => handlers.current.onReady?.(),
    change: (valid) => handlers.current.onChange?.(valid),
    sealed: (detail) => handlers.current.onSealed?.(detail),
    error: (error) => handlers.current.onError?.(error),
  }), []);

  useClientLayoutEffect(() => {
    // a property, never an attribute; attributes the page sets directly still win
    element.current.options = options || {};
  }, [options]);

  useImperativeHandle(ref, () => ({
    seal: () => (element.current ? element.current.seal() : notConnected()),
    ready: () => (element.current ? element.current.ready() : notConnected()),
    get valid() {
      return element.current ? element.current.valid : false;
    },
  }), []);

  return createElement('sealpost-address', {
    ref: element, className, style, id, ...isolationAttributes(options),
  });
});
