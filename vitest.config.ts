import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker per core but one (a single worker on a 2-core machine), and many files wait
    // on CLI child processes or Chromium: two workers keep both cores busy
    maxWorkers: 2,
    // Node 20 loads the relaxed-SIMD build only behind this flag; with it the relaxed kernels are tested too.
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
