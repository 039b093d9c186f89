import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Nothing sealpost-specific: Vite finds the wasm module next to the package's glue
// (`new URL('sealpost_bg.wasm', import.meta.url)`) and emits it as an asset.
export default defineConfig({
  plugins: [react()],
});
