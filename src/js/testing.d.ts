// Types for sealpost/testing (testing.js): Node-side helpers for a shop's browser tests.

import type { Address } from './index.js';

export { TEST_COURIER_IDENTITY, TEST_COURIER_PUBLIC_KEY } from './index.js';

/** What fillAddress needs of a Playwright or Puppeteer page. */
export interface PageLike {
  evaluate(pageFunction: any, arg?: any): Promise<any>;
  keyboard: {
    type(text: string): Promise<void>;
    press(key: string): Promise<void>;
  };
}

/** Why fillAddress refused (`error.code`). */
export type TestingErrorCode = 'not_found' | 'shadow_not_open' | 'not_test_mode' | 'field_not_in_form' | 'not_in_list' | 'unknown_field';

export interface SealpostTestingError extends Error {
  name: 'SealpostTestingError';
  code: TestingErrorCode | string;
}

/**
 * Types `address` into the `<sealpost-address>` matching `selector` with the keyboard, country
 * first; a field that is a list (a state, China's province, city and district) gets the entry
 * whose value or text matches, contains or is contained in the given text (`浙江` → 浙江省), as
 * the browser's autofill chooses. The element must be in test mode with `shadow: 'open'`; waits
 * until it is ready, and for the address data each choice asks for. Rejects with a
 * `SealpostTestingError`.
 */
export function fillAddress(page: PageLike, selector: string, address: Partial<Address>): Promise<void>;

/** Opens an envelope sealed in test mode (Node; loads the package's wasm module from disk). */
export function openTestEnvelope(envelope: string, orderRef?: string): Promise<Required<Address>>;
