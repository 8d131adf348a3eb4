// mbe-snn: the browser-safe entry. Nothing reachable from here imports `node:` modules.
export * from './kernels/index.js';
export * from './errors.js';
export { VERSION } from './version.js';
export { bestVariant, supportedVariants, WASM_VARIANTS, WasmVariantError } from '../bindings/loader.js';
export type { WasmVariant } from '../bindings/loader.js';
