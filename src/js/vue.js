// sealpost/vue: <SealpostAddress>, a thin Vue 3 component over the <sealpost-address> element.
// Plain JS with a render function: no SFC build step.
//
// `options` is set as the element's property (never an attribute) and the element's hyphenated
// events are re-emitted as `ready`, `change` (valid), `sealed` (detail) and `error`
// (a SealpostError). The component exposes `seal()`, `ready()` and `valid` to template refs.
//
// SSR-safe: importing this touches no browser global (nor does ./index.js, which it imports so
// that the element is defined wherever this component is, code splitting included).

import { defineComponent, h, onBeforeUnmount, onMounted, ref, watch } from 'vue';
import './index.js';

function toError(detail) {
  const d = detail || {};
  const error = new Error(String(d.message || d.code || 'sealpost error'));
  error.name = 'SealpostError';
  error.code = d.code || 'load_failed';
  if (d.field !== undefined) error.field = d.field;
  return error;
}

function notConnected() {
  return toError({ code: 'not_connected', message: 'the <sealpost-address> element is not rendered' });
}

export const SealpostAddress = defineComponent({
  name: 'SealpostAddress',
  props: {
    options: { type: Object, default: undefined },
  },
  emits: ['ready', 'change', 'sealed', 'error'],
  setup(props, { emit, expose }) {
    const element = ref(null);
    let added = [];

    onMounted(() => {
      const el = element.value;
      const listeners = {
        'sealpost-ready': () => emit('ready'),
        'sealpost-change': (e) => emit('change', Boolean(e.detail && e.detail.valid)),
        'sealpost-sealed': (e) => emit('sealed', e.detail),
        'sealpost-error': (e) => emit('error', toError(e.detail)),
      };
      added = Object.entries(listeners).map(([type, listener]) => [type, (e) => { if (e.target === el) listener(e); }]);
      for (const [type, listener] of added) el.addEventListener(type, listener);
      el.options = props.options || {};
    });
    onBeforeUnmount(() => {
      for (const [type, listener] of added) element.value?.removeEventListener(type, listener);
      added = [];
    });
    watch(() => props.options, (options) => {
      if (element.value) element.value.options = options || {};
    });

    expose({
      seal: () => (element.value ? element.value.seal() : Promise.reject(notConnected())),
      ready: () => (element.value ? element.value.ready() : Promise.reject(notConnected())),
      get valid() {
        return element.value ? element.value.valid : false;
      },
    });

    return () => {
      const o = props.options;
      // Isolation mode is chosen when the element enters the document: say so with the
      // (string) attributes the element reads then.
      const isolation = o && (o.isolated || o.frameUrl) ? { isolated: '', 'frame-url': o.frameUrl } : {};
      return h('sealpost-address', { ref: element, ...isolation });
    };
  },
});
