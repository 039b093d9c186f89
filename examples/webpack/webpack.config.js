import { cpSync } from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';

// webpack 5 finds the wasm module next to the package's glue (`new URL('sealpost_bg.wasm',
// import.meta.url)`) and emits it as an asset. `mode: 'production'` matters for the CSP:
// development builds wrap modules in eval(). The address data (node_modules/sealpost/data,
// fetched by the form one country and province at a time) is a folder the package fetches at
// run time, which webpack does not emit by itself: this copies it to `dist/sealpost-data/`,
// where the form's `dataUrl` points (src/checkout.js).
class SealpostData {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('SealpostData', () => {
      cpSync(path.resolve(import.meta.dirname, 'node_modules/sealpost/data'), path.join(compiler.outputPath, 'sealpost-data'), { recursive: true });
    });
  }
}

export default (env = {}) => ({
  mode: 'production',
  entry: './src/checkout.js',
  output: {
    path: path.resolve(import.meta.dirname, 'dist'),
    filename: 'checkout.js',
    chunkFilename: '[name].[contenthash:8].js',
    assetModuleFilename: '[name].[contenthash:8][ext]',
    clean: true,
  },
  plugins: [
    // Only in the end-to-end build (webpack --env e2e): an open shadow root lets
    // sealpost/testing type into the form. The default, closed, is what production uses.
    new webpack.DefinePlugin({ SEALPOST_E2E: JSON.stringify(Boolean(env.e2e)) }),
    new SealpostData(),
  ],
});
