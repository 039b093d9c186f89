// What sealpost/react and sealpost/vue share: the element's events as framework callbacks, and
// the attributes that must be present when the element enters the document. Internal (not in
// the package's exports).

/** The detail of `sealpost-error` as a `SealpostError`, like `element.ready()` rejects with. */
export function toError(detail) {
  const d = detail || {};
  const error = new Error(String(d.message || d.code || 'sealpost error'));
  error.name = 'SealpostError';
  error.code = d.code || 'load_failed';
  if (d.field !== undefined) error.field = d.field;
  return error;
}

/** Rejects a call on a component whose element is not rendered. */
export function notConnected() {
  return Promise.reject(toError({ code: 'not_connected', message: 'the <sealpost-address> element is not rendered' }));
}

/**
 * Listens to `el`'s own `sealpost-*` events (not ones bubbling from a nested element) and
 * calls `on.ready()`, `on.change(valid)`, `on.sealed(detail)`, `on.error(error)`; returns the
 * function that removes the listeners.
 */
export function listen(el, on) {
  const listeners = {
    'sealpost-ready': () => on.ready(),
    'sealpost-change': (e) => on.change(Boolean(e.detail && e.detail.valid)),
    'sealpost-sealed': (e) => on.sealed(e.detail),
    'sealpost-error': (e) => on.error(toError(e.detail)),
  };
  const added = Object.entries(listeners).map(([type, listener]) => [type, (e) => {
    if (e.target === el) listener(e);
  }]);
  for (const [type, listener] of added) el.addEventListener(type, listener);
  return () => {
    for (const [type, listener] of added) el.removeEventListener(type, listener);
  };
}

/**
 * Isolation mode is chosen when the element enters the document, before a framework sets the
 * `options` property: the (string) attributes that say so then.
 */
export function isolationAttributes(options) {
  return options && (options.isolated || options.frameUrl) ? { isolated: '', 'frame-url': options.frameUrl } : {};
}
