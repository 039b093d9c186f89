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
import { isolationAttributes, listen, notConnected } from './wrappers.js';

export const SealpostAddress = defineComponent({
  name: 'SealpostAddress',
  props: {
    options: { type: Object, default: undefined },
  },
  emits: ['ready', 'change', 'sealed', 'error'],
  setup(props, { emit, expose }) {
    const element = ref(null);
    let unlisten = null;

    onMounted(() => {
      unlisten = listen(element.value, {
        ready: () => emit('ready'),
        change: (valid) => emit('change', valid),
        sealed: (detail) => emit('sealed', detail),
        error: (error) => emit('error', error),
      });
      // a property, never an attribute
      element.value.options = props.options || {};
    });
    onBeforeUnmount(() => {
      if (unlisten) unlisten();
      unlisten = null;
    });
    watch(() => props.options, (options) => {
      if (element.value) element.value.options = options || {};
    });

    expose({
      seal: () => (element.value ? element.value.seal() : notConnected()),
      ready: () => (element.value ? element.value.ready() : notConnected()),
      get valid() {
        return element.value ? element.value.valid : false;
      },
    });

    return () => h('sealpost-address', { ref: element, ...isolationAttributes(props.options) });
  },
});
