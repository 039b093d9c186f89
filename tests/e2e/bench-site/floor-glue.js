// Bench harness only: the floor's stand-in for the glue (see floor-index.js).
export function ready(element) {
  element.dispatchEvent(new CustomEvent('sealpost-ready', { bubbles: true, composed: true }));
}
