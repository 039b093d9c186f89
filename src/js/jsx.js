// sealpost/jsx: types only (jsx.d.ts). `import 'sealpost/jsx'` resolves here, to nothing.
export {};
