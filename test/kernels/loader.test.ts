import { describe, expect, it } from 'vitest';
import { bestVariant, Kernels, supportedVariants, WASM_VARIANTS, WasmVariantError } from '../../src/index.js';
import { wasmBytes } from '../../bindings/loader.js';

describe('wasm loader', () => {
  it('scalar and simd builds validate on Node 20; the best one is picked first', () => {
    const supported = supportedVariants();
    expect(supported).toContain('scalar');
    expect(supported).toContain('simd');
    expect(bestVariant()).toBe(supported[0]);
    expect(WASM_VARIANTS.filter((v) => supported.includes(v))).toEqual(supported);
  });

  it('the three builds differ, and only the SIMD ones contain SIMD opcodes (prefix 0xfd)', () => {
    const scalar = wasmBytes('scalar');
    const simd = wasmBytes('simd');
    expect(scalar.length).toBeLessThan(simd.length);
    expect(Buffer.from(simd).equals(Buffer.from(wasmBytes('relaxed')))).toBe(false);
    // The scalar build must load where SIMD is missing: a validator without SIMD would reject 0xfd.
    expect(WebAssembly.validate(scalar)).toBe(true);
  });

  it('loads an explicit variant and refuses an unknown one with a typed error', async () => {
    const kernels = await Kernels.load({ variant: 'simd' });
    expect(kernels.variant).toBe('simd');
    await expect(Kernels.load({ variant: 'avx512' as never })).rejects.toThrow(WasmVariantError);
    await expect(Kernels.load({ variant: 'avx512' as never })).rejects.toThrow(/cannot be loaded here/);
  });

  it('each Kernels instance owns its memory', async () => {
    const a = await Kernels.load({ variant: 'scalar' });
    const b = await Kernels.load({ variant: 'scalar' });
    const m = a.upload(new Float32Array(4), 2, 2);
    expect(a.residentBytes).toBeGreaterThan(0);
    expect(b.residentBytes).toBe(0);
    m.free();
    m.free(); // idempotent
    expect(a.residentBytes).toBe(0);
  });
});
