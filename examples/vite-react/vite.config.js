import { cpSync, readFile } from 'node:fs';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Vite finds the wasm module next to the package's glue (`new URL('sealpost_bg.wasm',
// import.meta.url)`) and emits it as an asset. The address data (node_modules/sealpost/data,
// fetched by the form one country and province at a time) is a folder the package fetches at
// run time, which no bundler emits by itself: this copies it to `dist/sealpost-data/` and
// serves it there in development; the form's `dataUrl` points at it (src/Checkout.jsx).
const DATA = path.resolve(import.meta.dirname, 'node_modules/sealpost/data');

function sealpostData() {
  let outDir = 'dist';
  return {
    name: 'sealpost-data',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      cpSync(DATA, path.join(outDir, 'sealpost-data'), { recursive: true });
    },
    configureServer(server) {
      server.middlewares.use('/sealpost-data/', (req, res, next) => {
        const file = path.join(DATA, path.normalize(decodeURIComponent(req.url.split('?')[0])));
        if (!file.startsWith(DATA + path.sep)) return next();
        readFile(file, (err, body) => {
          if (err) return next();
          res.setHeader('Content-Type', 'application/json');
          res.end(body);
        });
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), sealpostData()],
});
