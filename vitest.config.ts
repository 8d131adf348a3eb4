import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Node 20 loads the relaxed-SIMD build only behind this flag; with it the relaxed kernels are tested too.
    pool: 'forks',
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
