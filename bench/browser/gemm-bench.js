// The gemm benchmark harness shared by the page (bench/browser/bench-page.js, on the bundle in Chromium) and
// the Node side of `npm run bench:browser` (bench/browser/run.ts, on the sources), so both measure with the
// same code: the same shapes and operands as bench/kernels.ts, the same warm-up, the same timing loop.
//
// Browsers coarsen performance.now() (to 100 us in Chromium without cross-origin isolation), so calls are
// timed in batches of at least BATCH_MS and each sample is a batch's time per call.

/** The dense gemm shapes (M, K, N) of bench/kernels.ts. */
export const GEMM_SHAPES = [
  [64, 768, 768],
  [256, 256, 256],
  [64, 768, 3072],
];

export const DEFAULT_TIMING = { warmupMs: 300, timeMs: 1500, minSamples: 5 };
const BATCH_MS = 10;

/** Seeded uniform numbers in [-1, 1): the operands of bench/kernels.ts. */
export function operands(n, seed) {
  let state = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Median and fastest time per call, and GFLOP/s from each, of a shape's samples.
 * @returns {{ medianMs: number, minMs: number, samples: number, gflops: number, bestGflops: number }}
 */
export function summarize([M, K, N], sampleMs) {
  const flop = 2 * M * K * N;
  const medianMs = median(sampleMs);
  const minMs = Math.min(...sampleMs);
  return {
    medianMs,
    minMs,
    samples: sampleMs.length,
    gflops: flop / (medianMs * 1e6),
    bestGflops: flop / (minMs * 1e6),
  };
}

/**
 * Times C = A @ B (+ copying A in and C out, as bench/kernels.ts does) for one build and shape, after a
 * warm-up (V8 runs new wasm on its baseline compiler first).
 * @returns {Promise<{ variant: string, shape: string, sampleMs: number[], callsPerSample: number }>}
 */
export async function measureGemm(lib, variant, [M, K, N], timing = DEFAULT_TIMING) {
  const kernels = await lib.loadKernels({ variant });
  const a = operands(M * K, 1);
  const b = operands(K * N, 2);
  const out = new Float32Array(M * N);
  const packed = kernels.pack(b, K, N);
  try {
    const call = () => kernels.gemm(a, packed, M, { out });
    let calls = 0;
    const warm = performance.now();
    while (calls < 3 || performance.now() - warm < timing.warmupMs) {
      call();
      calls++;
    }
    const batch = Math.max(1, Math.ceil(BATCH_MS / ((performance.now() - warm) / calls)));
    const sampleMs = [];
    const start = performance.now();
    while (sampleMs.length < timing.minSamples || performance.now() - start < timing.timeMs) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) call();
      sampleMs.push((performance.now() - t0) / batch);
      await pause();
    }
    return { variant, shape: `${M}x${K}x${N}`, sampleMs, callsPerSample: batch };
  } finally {
    packed.free();
  }
}
