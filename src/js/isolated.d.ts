// Types for isolated.js: the host half of isolation mode (SPEC.md §10). The element imports it
// itself when `isolated` or `frameUrl` is set; shops do not need to call it.

import type { FormOptions, SealedDetail } from './index.js';

/** The protocol version this host speaks. */
export const PROTOCOL_VERSION: 1;
/** Custom properties of the element (`--sealpost-<name>`) passed to the frame as its theme. */
export const THEME_PROPERTIES: readonly string[];
/** The isolated form's controller: like the inline one, with an asynchronous `seal()`. */
export interface IsolatedForm {
  seal(): Promise<SealedDetail>;
  setOptions(options: FormOptions): void;
  readonly valid: boolean;
  destroy(): void;
}
/**
 * Renders the form as a cross-origin iframe in a closed shadow root of `element`; `collect()`
 * returns the element's current options. Resolves once the frame is ready.
 */
export function mountIsolated(element: HTMLElement, collect: () => FormOptions): Promise<IsolatedForm>;
