// Types for sealpost/react (react.js).

import type { CSSProperties, ForwardRefExoticComponent, RefAttributes } from 'react';
import type { FormOptions, SealedDetail, SealpostError } from './index.js';

/** What the component's ref gives: the element's own methods. */
export interface SealpostAddressHandle {
  /** Checks and seals; rejects with a `SealpostError` (and focuses the first invalid field). */
  seal(): Promise<SealedDetail>;
  /** Resolves once the form is rendered; rejects with a `SealpostError` if it cannot load. */
  ready(): Promise<void>;
  /** Whether what the buyer typed is valid (false until ready). */
  readonly valid: boolean;
}

export interface SealpostAddressProps {
  /** Set as the element's `options` property (never an attribute). Keep it stable (useMemo). */
  options?: FormOptions;
  /** `sealpost-ready`: the form is rendered. */
  onReady?: () => void;
  /** `sealpost-change`: the address became valid or invalid. Never carries a value. */
  onChange?: (valid: boolean) => void;
  /** `sealpost-sealed`: the envelope to send to your server (no plaintext). */
  onSealed?: (detail: SealedDetail) => void;
  /** `sealpost-error`: a configuration, load or sealing error, with its stable `code`. */
  onError?: (error: SealpostError) => void;
  className?: string;
  style?: CSSProperties;
  id?: string;
}

/** `<SealpostAddress options={…} onSealed={…} ref={…} />` over `<sealpost-address>`. */
export const SealpostAddress: ForwardRefExoticComponent<SealpostAddressProps & RefAttributes<SealpostAddressHandle>>;
