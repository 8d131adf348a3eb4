// Runs a kernel suite once per wasm build; builds this runtime cannot load are skipped with the reason.
import { supportedVariants, WASM_VARIANTS, type WasmVariant } from '../../bindings/loader.js';

export interface VariantCase {
  readonly variant: WasmVariant;
  readonly supported: boolean;
  /** Suite title; names why a build is skipped. */
  readonly title: string;
}

export const VARIANT_CASES: readonly VariantCase[] = WASM_VARIANTS.map((variant) => {
  const supported = supportedVariants().includes(variant);
  const title = supported
    ? `${variant} build`
    : `${variant} build (skipped: this runtime does not validate it; relaxed SIMD needs Chromium or --experimental-wasm-relaxed-simd)`;
  return { variant, supported, title };
});
