// sealpost/jsx: JSX typings for the raw <sealpost-address> element, opted into with
// `import 'sealpost/jsx'` (or `import type {} from 'sealpost/jsx'`). They need React's types
// (@types/react): the package's other entries do not, so a shop without React never loads them.
//
// Only the element's string attributes are typed: `options` is an object and must be set as a
// property (through a ref), never as a JSX attribute — React would write "[object Object]" when
// the element is not defined yet. sealpost/react's <SealpostAddress> does this for you.

import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { Disclose, SealpostAddressElement } from './index.js';

/** The attributes `<sealpost-address>` reads (README: Options). */
export interface SealpostAddressAttributes {
  /** Courier public keys (`sp1…`), space-separated. */
  couriers?: string;
  'order-ref'?: string;
  disclose?: Disclose;
  locale?: string;
  country?: string;
  /** Present: seal to the public test key (a badge says so). */
  'test-mode'?: boolean | '';
  /** Present: hide the form's own button (call `seal()` from yours). */
  'no-button'?: boolean | '';
  /** A signed courier directory (`spdir1.…`). */
  directory?: string;
  /** The platform's directory signing key (`spp1…`). */
  'platform-key'?: string;
  /** Space-separated courier ids. */
  'allowed-couriers'?: string;
  /** Present: isolation mode (SPEC.md §10). */
  isolated?: boolean | '';
  'frame-url'?: string;
}

/** What JSX accepts on `<sealpost-address>` (React's HTML attributes plus the element's own). */
export type SealpostAddressJSX = DetailedHTMLProps<HTMLAttributes<SealpostAddressElement>, SealpostAddressElement> &
  SealpostAddressAttributes;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'sealpost-address': SealpostAddressJSX;
    }
  }
}

declare global {
  namespace JSX {
    interface IntrinsicElements {
      'sealpost-address': SealpostAddressJSX;
    }
  }
}
