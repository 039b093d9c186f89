// Compiled with `tsc --noEmit` by `cargo xtask test`: the package's types describe how a shop
// uses it (a wrong option or event type here must fail the check).
import { mount, seal, openTestEnvelope, TEST_COURIER_PUBLIC_KEY, type FormOptions, type SealedDetail } from 'sealpost';

const options: FormOptions = {
  couriers: [TEST_COURIER_PUBLIC_KEY],
  orderRef: 'ORD-1',
  disclose: 'province',
  locale: 'zh-CN',
  strings: { 'label.name': '收货人', submit: '下单' },
  country: 'CN',
  testMode: true,
  button: false,
};

export async function checkout(host: HTMLElement): Promise<string> {
  const form = await mount(host, options);
  const detail: SealedDetail = form.seal();
  const element = document.createElement('sealpost-address');
  element.options = options;
  element.addEventListener('change', (e) => { const valid: boolean = e.detail.valid; void valid; });
  element.addEventListener('sealed', (e) => { const envelope: string = e.detail.envelope; void envelope; });
  element.addEventListener('error', (e) => { const code: string = e.detail.code; void code; });
  const onChange = (e: CustomEvent<{ valid: boolean }>) => { const valid: boolean = e.detail.valid; void valid; };
  element.addEventListener('sealpost-change', onChange);
  element.removeEventListener('sealpost-change', onChange);
  element.addEventListener('sealpost-sealed', (e) => { const envelope: string = e.detail.envelope; void envelope; });
  element.addEventListener('sealpost-error', (e) => { const code: string = e.detail.code; const field: string | undefined = e.detail.field; void code; void field; });
  element.addEventListener('sealpost-ready', () => {});
  element.addEventListener('click', (e) => { const x: number = e.clientX; void x; });
  await element.ready();
  const sealed = await element.seal();
  const text = await seal({ name: 'n', phone: '13812345678', country: 'CN', addressLevel2: 'c', streetLines: ['s'] }, TEST_COURIER_PUBLIC_KEY, 'ORD-2');
  // an opened address has every key (SPEC.md §3.4)
  const company: string = (await openTestEnvelope(text, 'ORD-2')).company;
  void company;
  const opened = await openTestEnvelope(text, 'ORD-2');
  return detail.envelope + sealed.orderRef + opened.name;
}
