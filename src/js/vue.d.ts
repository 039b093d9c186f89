// Types for sealpost/vue (vue.js).

import type { DefineComponent, PropType } from 'vue';
import type { FormOptions, SealedDetail, SealpostError } from './index.js';

/** What a template ref to the component gives: the element's own methods. */
export interface SealpostAddressExposed {
  seal(): Promise<SealedDetail>;
  ready(): Promise<void>;
  readonly valid: boolean;
}

/** `<SealpostAddress :options="…" @ready @change="(valid) => …" @sealed="(detail) => …" @error="(error) => …" />` */
export const SealpostAddress: DefineComponent<
  { options: { type: PropType<FormOptions>; default: undefined } },
  SealpostAddressExposed,
  {},
  {},
  {},
  {},
  {},
  {
    ready: () => true;
    change: (valid: boolean) => true;
    sealed: (detail: SealedDetail) => true;
    error: (error: SealpostError) => true;
  }
>;
