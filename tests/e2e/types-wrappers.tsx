// Compiled with `tsc --noEmit` by `cargo xtask test`: the wrappers' and testing helpers' types
// describe how a shop uses them (a wrong prop, event or handle type here must fail the check).
import 'sealpost/jsx';
import { useRef } from 'react';
import { defineComponent, h, ref } from 'vue';
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { SealpostAddress, type SealpostAddressHandle } from 'sealpost/react';
import { SealpostAddress as VueSealpostAddress } from 'sealpost/vue';
import { fillAddress, openTestEnvelope, TEST_COURIER_IDENTITY } from 'sealpost/testing';
import type { FormOptions, SealedDetail, SealpostAddressElement } from 'sealpost';

const options: FormOptions = { testMode: true, orderRef: 'ORD-1', shadow: 'open' };

export function Checkout({ send }: { send: (envelope: string) => void }) {
  const form = useRef<SealpostAddressHandle>(null);
  const raw = useRef<SealpostAddressElement>(null);
  const placeOrder = async () => {
    await form.current?.ready();
    const detail: SealedDetail = await form.current!.seal();
    const valid: boolean = form.current!.valid;
    if (valid) send(detail.envelope);
  };
  return (
    <>
      <SealpostAddress
        ref={form}
        options={options}
        className="address"
        style={{ display: 'block' }}
        onReady={() => {}}
        onChange={(valid: boolean) => void valid}
        onSealed={(detail) => send(detail.envelope)}
        onError={(error) => console.warn(error.code, error.field)}
      />
      {/* the raw element, typed by sealpost/jsx: string attributes only, options through a ref */}
      <sealpost-address ref={raw} test-mode order-ref="ORD-2" disclose="province" className="address" />
      <button type="button" onClick={placeOrder}>Place order</button>
    </>
  );
}

// @ts-expect-error: options is an object property, not a JSX attribute of the raw element
export const wrongAttribute = <sealpost-address options={options} />;
// @ts-expect-error: onSealed receives the detail, not a string
export const wrongHandler = <SealpostAddress onSealed={(s: number) => s} />;

export const VueCheckout = defineComponent({
  setup() {
    const form = ref<InstanceType<typeof VueSealpostAddress> | null>(null);
    const seal = async (): Promise<string> => (await form.value!.seal()).envelope;
    return () => h(VueSealpostAddress, { ref: form, options, onSealed: (d: SealedDetail) => d.envelope, onChange: (valid: boolean) => valid });
    void seal;
  },
});

export async function shopTest(a: PlaywrightPage, b: PuppeteerPage): Promise<string> {
  await fillAddress(a, 'sealpost-address', { name: 'n', country: 'CN', streetLines: ['s'] });
  await fillAddress(b, '#address', { phone: '13812345678' });
  const opened = await openTestEnvelope('spe1.…', 'ORD-1');
  return opened.company + TEST_COURIER_IDENTITY;
}
