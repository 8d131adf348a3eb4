// Kernel benchmarks (tinybench): every figure is measured in this run, next to its baseline, and written
// to bench/results/kernels.json. Run with `npm run bench` (which also enables relaxed SIMD in Node 20).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Bench } from 'tinybench';
import { Kernels, supportedVariants, type MembraneTables, type SpikePlanes, type WasmVariant } from '../src/index.js';
import { createOrtMatMul } from './baselines/onnxruntime-matmul.js';
import { naiveGemm } from './baselines/naive-gemm.js';
import { formatTable, measure, type Measurement } from './measure.js';

/** What the browser benchmark shares with this one (bench/browser/gemm-bench.js): gemm shapes, seeded operands. */
interface SharedBench {
  /** (M, K, N) */
  readonly GEMM_SHAPES: ReadonlyArray<readonly [number, number, number]>;
  /** Seeded uniform numbers in [-1, 1): the same operands on every run. */
  operands(n: number, seed: number): Float32Array;
}
const { GEMM_SHAPES, operands } = (await import(
  new URL('./browser/gemm-bench.js', import.meta.url).href
)) as SharedBench;
const MEMBRANE = { n: 1 << 16, N: 4, T: 16 };
const SPIKEMM = { M: 64, K: 768, N: 768, rates: [0.05, 0.1, 0.25, 0.5] };

/** A four-basis neuron like a fitted GELU: decaying schedules, two polarities. */
function benchTables(N: number, T: number): MembraneTables {
  const vth = new Float32Array(N * T);
  const reset = new Float32Array(N * T);
  const intensity = new Float32Array(N * T);
  for (let nb = 0; nb < N; nb++) {
    const lam = Math.LN2 * (0.75 + 0.25 * nb);
    for (let t = 0; t < T; t++) {
      vth[nb * T + t] = 4 * Math.exp(-lam * (t + 1));
      reset[nb * T + t] = 4 * Math.exp(-lam * (t + 1));
      intensity[nb * T + t] = Math.exp(-lam * t);
    }
  }
  const polarity = Float32Array.from({ length: N }, (_, nb) => (nb % 2 === 0 ? 1 : -1));
  return {
    N,
    T,
    polarity,
    shift: new Float32Array(N),
    vth,
    reset,
    intensity,
    weight: new Float32Array(N).fill(0.5),
    bias: 0,
  };
}

/** One binary plane (M, K) where each bit is set with probability `rate`. */
function randomPlane(M: number, K: number, rate: number, seed: number): SpikePlanes {
  const words = Math.ceil(K / 32);
  const bits = new Uint32Array(M * words);
  const u = operands(M * K, seed);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++)
      if ((u[m * K + k] as number) * 0.5 + 0.5 < rate) bits[m * words + (k >>> 5)]! |= 1 << (k & 31);
  }
  return { bits, planes: 1, rows: M, rowLen: K, words };
}

async function benchGemm(kernels: Map<WasmVariant, Kernels>) {
  const rows = [];
  for (const [M, K, N] of GEMM_SHAPES) {
    const a = operands(M * K, 1);
    const b = operands(K * N, 2);
    const flop = 2 * M * K * N;
    const out = new Float32Array(M * N);
    const bench = new Bench({ time: 1500, warmupTime: 300, iterations: 5 });
    bench.add('naive JS', () => naiveGemm(out, a, b, M, K, N));
    const packed = new Map([...kernels].map(([variant, k]) => [variant, k.pack(b, K, N)]));
    for (const [variant, k] of kernels) bench.add(variant, () => k.gemm(a, packed.get(variant)!, M, { out }));
    const ort = await createOrtMatMul(M, K, N, b);
    bench.add('onnxruntime-web', async () => {
      await ort.run(a);
    });
    const results = await measure(bench);
    await ort.dispose();
    for (const matrix of packed.values()) matrix.free();
    const gflops = (m: Measurement) => flop / (m.medianMs * 1e6);
    const ortResult = results.get('onnxruntime-web')!;
    const entry: Record<string, unknown> = { shape: `${M}x${K}x${N}` };
    for (const [name, m] of results) entry[name] = { ...m, gflops: gflops(m) };
    entry.simdOverOnnxruntime = gflops(results.get('simd')!) / gflops(ortResult);
    rows.push(entry);
  }
  return rows;
}

async function benchMembrane(kernels: Map<WasmVariant, Kernels>) {
  const { n, N, T } = MEMBRANE;
  const tables = benchTables(N, T);
  const x = operands(n, 3).map((v) => v * 6);
  const out = new Float32Array(n);
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  for (const [variant, k] of kernels) bench.add(variant, () => k.membrane(x, tables, { out }));
  const results = await measure(bench);
  const steps = n * N * T;
  const entry: Record<string, unknown> = { n, N, T };
  for (const [name, m] of results) entry[name] = { ...m, basisStepsPerSecond: steps / (m.medianMs / 1000) };
  entry.simdOverScalar = results.get('scalar')!.medianMs / results.get('simd')!.medianMs;
  return entry;
}

async function benchSpikemm(k: Kernels) {
  const { M, K, N, rates } = SPIKEMM;
  const w = operands(K * N, 4);
  const a = operands(M * K, 5);
  const weight = k.upload(w, K, N);
  const packed = k.pack(w, K, N);
  const out = new Float32Array(M * N);
  const scale = Float32Array.of(1);
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  bench.add('dense gemm', () => k.gemm(a, packed, M, { out }));
  const planes = rates.map((rate, i) => randomPlane(M, K, rate, 10 + i));
  rates.forEach((rate, i) => bench.add(`spikemm ${rate * 100}%`, () => k.spikemm(planes[i]!, scale, weight, out)));
  const results = await measure(bench);
  weight.free();
  packed.free();
  const dense = results.get('dense gemm')!;
  return {
    shape: `${M}x${K}x${N}`,
    variant: k.variant,
    dense,
    rates: rates.map((rate, i) => {
      const m = results.get(`spikemm ${rate * 100}%`)!;
      const measuredRate = planes[i]!.bits.reduce((s, word) => s + popcount(word), 0) / (M * K);
      return { rate, measuredRate, ...m, speedupOverDense: dense.medianMs / m.medianMs };
    }),
  };
}

function popcount(word: number): number {
  let v = word >>> 0;
  let count = 0;
  for (; v !== 0; v &= v - 1) count++;
  return count;
}

const variants = supportedVariants();
const kernels = new Map<WasmVariant, Kernels>();
for (const variant of [...variants].reverse()) kernels.set(variant, await Kernels.load({ variant }));
console.log(
  `mbe-snn kernel benchmarks: Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, builds [${variants.join(', ')}]`,
);

const gemm = await benchGemm(kernels);
const membrane = await benchMembrane(kernels);
const spikemm = await benchSpikemm(kernels.get('simd')!);

const pick = (entry: Record<string, unknown>, name: string) =>
  entry[name] as (Measurement & { gflops: number }) | undefined;
const columns = ['naive JS', ...kernels.keys(), 'onnxruntime-web'];
console.log('\nDense gemm, GFLOP/s (median of tinybench samples; one thread):\n');
console.log(
  formatTable(
    ['shape', ...columns, 'simd / onnxruntime-web'],
    gemm.map((row) => [
      row.shape as string,
      ...columns.map((name) => pick(row, name)?.gflops.toFixed(1) ?? '-'),
      `${(row.simdOverOnnxruntime as number).toFixed(2)}x`,
    ]),
  ),
);
console.log(`\nMembrane, n = ${MEMBRANE.n}, N = ${MEMBRANE.N}, T = ${MEMBRANE.T}, basis-steps per second:\n`);
console.log(
  formatTable(
    ['build', 'basis-steps/s', 'median ms'],
    [...kernels.keys()].map((variant) => {
      const m = membrane[variant] as Measurement & { basisStepsPerSecond: number };
      return [variant, `${(m.basisStepsPerSecond / 1e9).toFixed(2)} G`, m.medianMs.toFixed(3)];
    }),
  ),
);
console.log(`simd / scalar: ${(membrane.simdOverScalar as number).toFixed(2)}x`);
console.log(`\nSpike-plane product (${spikemm.shape}, one binary plane, simd build) vs dense simd gemm:\n`);
console.log(
  formatTable(
    ['firing rate', 'median ms', 'speed-up over dense'],
    [
      ['dense gemm', spikemm.dense.medianMs.toFixed(3), '1.00x'],
      ...spikemm.rates.map((r) => [
        `${(r.measuredRate * 100).toFixed(1)}%`,
        r.medianMs.toFixed(3),
        `${r.speedupOverDense.toFixed(2)}x`,
      ]),
    ],
  ),
);

const targets = [
  ...gemm.map((row) => ({
    name: `gemm ${row.shape as string}: simd >= 1.2x onnxruntime-web`,
    measured: row.simdOverOnnxruntime as number,
    target: 1.2,
  })),
  { name: 'membrane: simd >= 4x scalar', measured: membrane.simdOverScalar as number, target: 4 },
  {
    name: 'spikemm at 10%: >= 3x faster than dense gemm',
    measured: spikemm.rates.find((r) => r.rate === 0.1)!.speedupOverDense,
    target: 3,
  },
].map((t) => ({ ...t, pass: t.measured >= t.target }));
console.log('\nTargets:');
for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured.toFixed(2)}x`);

const report = {
  generatedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCores: cpus().length,
    wasmBuilds: variants,
    note: 'one thread; times are tinybench medians (min also given); gemm includes copying A in and C out',
  },
  gemm,
  membrane,
  spikemm,
  targets,
};
const resultsDir = new URL('./results/', import.meta.url);
await mkdir(resultsDir, { recursive: true });
await writeFile(new URL('kernels.json', resultsDir), `${JSON.stringify(report, null, 2)}\n`);
console.log('\nWrote bench/results/kernels.json');
