// Compiled with `tsc --noEmit` by `cargo xtask test`: the package's types describe how a shop
// uses it (a wrong option or event type here must fail the check).
import { mount, seal, openTestEnvelope, preloadAddressData, TEST_COURIER_PUBLIC_KEY, type FormOptions, type SealedDetail } from 'sealpost';

const options: FormOptions = {
  couriers: [TEST_COURIER_PUBLIC_KEY],
  orderRef: 'ORD-1',
  disclose: 'province',
  locale: 'zh-CN',
  strings: { 'label.name': '收货人', submit: '下单' },
  country: 'CN',
  testMode: true,
  button: false,
  dataUrl: '/static/sealpost-data/',
};

// the address data: a folder URL (string or URL), off with null, or the page's own loader
const dataOptions: FormOptions[] = [
  { dataUrl: new URL('https://cdn.example/sealpost@1/data/') },
  { dataUrl: null, strings: { 'label.zip': 'ZIP', 'error.postal_code_example': 'Like {example}' } },
  { loadData: (path: string) => fetch(`/data/${path}`).then((r) => r.text()) },
];
preloadAddressData('DE', dataOptions[0]);
preloadAddressData();
// @ts-expect-error dataUrl is a URL or a string, not a number
const badData: FormOptions = { dataUrl: 42 };
// @ts-expect-error loadData resolves to the text
const badLoader: FormOptions = { loadData: (path: string) => Promise.resolve(path.length) };
void badData; void badLoader;

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
