// mbe-snn: the browser-safe entry. Nothing reachable from here imports `node:` modules.
export * from './kernels/index.js';
export * from './neurons/index.js';
export * from './ops/index.js';
export * from './metrics/index.js';
export * from './io/index.js';
export * from './models/index.js';
export * from './convert/index.js';
export * from './tasks/index.js';
export * from './errors.js';
export { VERSION } from './version.js';
export { seededRandom } from './random.js';
export { bestVariant, supportedVariants, WASM_VARIANTS, WasmVariantError } from '../bindings/loader.js';
export type { WasmVariant } from '../bindings/loader.js';
