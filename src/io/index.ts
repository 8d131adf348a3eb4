// The browser-safe readers (no `node:` imports); the Node file loaders are in ./node/files.ts.
export * from './llama2c.js';
export * from './tokenizer.js';
export * from './safetensors.js';
export * from './idx.js';
