// Kernel benchmarks (tinybench): every figure is measured in this run, next to a fair baseline, reported
// as a ratio and written to bench/results/kernels.json. Run with `npm run bench` (which also enables
// relaxed SIMD in Node 20). Every ratio is taken in each of several separate runs: the median decides
// a target, the range (min, max over the runs) says how much the machine moved.
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { Kernels, supportedVariants, type MembraneTables, type SpikePlanes, type WasmVariant } from '../src/index.js';
import { createOrtMatMul } from './baselines/onnxruntime-matmul.js';
import { naiveGemm } from './baselines/naive-gemm.js';
import { linearPlanes, recordedLinearSpikes, setBits, type LinearPlanesCase } from './helpers/linear-planes.js';
import { benchConv } from './conv.js';
import {
  combineRuns,
  formatSpread,
  formatTable,
  measure,
  nodeEnvironment,
  rotatedBench,
  speedupSpread,
  taskResult,
  type Measurement,
  type RunsMeasurement,
} from './measure.js';

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

/**
 * Separate tinybench runs behind each median ratio; gemm runs visit every shape before the next run, and
 * each run starts its tasks at a different one (rotatedBench).
 */
const RUNS = 5;
const MEMBRANE = { n: 1 << 16, N: 4, T: 16 };
const SPIKEMM = { M: 64, K: 768, N: 768, rates: [0.05, 0.1, 0.25, 0.5] };
/**
 * The planes of real spike-driven linear layers (bench/helpers/linear-planes.ts): Gaussian inputs through
 * the identity code. A model's static range is the power of two at or above the calibrated max, which
 * over many tokens sits well past one batch's Gaussian max (~4 sigma): 16 sigma gives about 6 spikes per
 * input at T = 16, 64 sigma about 5, the span of the models' linear inputs (the recorded evaluations are
 * printed next to them). abs(x) at T = 16 has the same spikes in 16 planes (no sign split); T = 8 is the
 * shortest code the operator table reports.
 */
const LINEAR_CASES: readonly LinearPlanesCase[] = [
  { label: 'T = 16, signed, range 16 sigma', T: 16, alpha: 16, signed: true },
  { label: 'T = 16, signed, range 64 sigma', T: 16, alpha: 64, signed: true },
  { label: 'T = 16, abs(x), range 16 sigma', T: 16, alpha: 16, signed: false },
  { label: 'T = 8, signed, range 16 sigma', T: 8, alpha: 16, signed: true },
];
const RECORDED_EVALUATIONS = ['eval-llama2c-T16.json', 'eval-vit-T16.json'];

/** A four-basis neuron like a fitted GELU: decaying schedules, two polarities. */
function benchTables(N: number, T: number): MembraneTables {
  const vth = new Float32Array(N * T); // (N, T)
  const reset = new Float32Array(N * T); // (N, T)
  const intensity = new Float32Array(N * T); // (N, T)
  for (let nb = 0; nb < N; nb++) {
    const lam = Math.LN2 * (0.75 + 0.25 * nb);
    for (let t = 0; t < T; t++) {
      vth[nb * T + t] = 4 * Math.exp(-lam * (t + 1));
      reset[nb * T + t] = 4 * Math.exp(-lam * (t + 1));
      intensity[nb * T + t] = Math.exp(-lam * t);
    }
  }
  const polarity = Float32Array.from({ length: N }, (_, nb) => (nb % 2 === 0 ? 1 : -1)); // (N)
  return {
    N,
    T,
    polarity,
    shift: new Float32Array(N), // (N)
    vth,
    reset,
    intensity,
    weight: new Float32Array(N).fill(0.5), // (N)
    bias: 0,
  };
}

/** One binary plane (M, K) where each bit is set with probability `rate`. */
function randomPlane(M: number, K: number, rate: number, seed: number): SpikePlanes {
  const words = Math.ceil(K / 32);
  const bits = new Uint32Array(M * words); // (1, M, words)
  const u = operands(M * K, seed); // (M, K)
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++)
      if ((u[m * K + k] as number) * 0.5 + 0.5 < rate) bits[m * words + (k >>> 5)]! |= 1 << (k & 31);
  }
  return { bits, planes: 1, rows: M, rowLen: K, words };
}

// ---- dense gemm ----

/** One run of one shape: naive JS, every wasm build and onnxruntime-web, on the same operands. */
async function gemmRun(kernels: Map<WasmVariant, Kernels>, [M, K, N]: readonly [number, number, number], run: number) {
  const a = operands(M * K, 1); // (M, K)
  const b = operands(K * N, 2); // (K, N)
  const out = new Float32Array(M * N); // (M, N)
  const packed = new Map([...kernels].map(([variant, k]) => [variant, k.pack(b, K, N)]));
  const ort = await createOrtMatMul(M, K, N, b);
  const tasks: Array<[string, () => unknown]> = [
    ['naive JS', () => naiveGemm(out, a, b, M, K, N)],
    ...[...kernels].map(([variant, k]): [string, () => unknown] => [
      variant,
      () => k.gemm(a, packed.get(variant)!, M, { out }),
    ]),
    // An async function, so tinybench awaits each call.
    [
      'onnxruntime-web',
      async () => {
        await ort.run(a);
      },
    ],
  ];
  try {
    return await measure(rotatedBench({ time: 1000, warmupTime: 300, iterations: 5 }, tasks, run));
  } finally {
    await ort.dispose();
    for (const matrix of packed.values()) matrix.free();
  }
}

async function benchGemm(kernels: Map<WasmVariant, Kernels>) {
  const runs = GEMM_SHAPES.map(() => [] as Array<Map<string, Measurement>>); // (shapes, runs)
  for (let run = 0; run < RUNS; run++) {
    console.error(`  gemm run ${run + 1} of ${RUNS}`);
    for (const [s, shape] of GEMM_SHAPES.entries()) runs[s]!.push(await gemmRun(kernels, shape, run));
  }
  return GEMM_SHAPES.map(([M, K, N], s) => {
    const shapeRuns = runs[s]!;
    const flop = 2 * M * K * N;
    const tasks: Record<string, RunsMeasurement & { gflops: number }> = {};
    for (const name of shapeRuns[0]!.keys()) {
      const m = combineRuns(shapeRuns.map((run) => taskResult(run, name)));
      tasks[name] = { ...m, gflops: flop / (m.medianMs * 1e6) };
    }
    // GFLOP/s ratio = inverse time ratio: onnxruntime-web's time over simd's, per run.
    const simdOverOnnxruntime = speedupSpread(shapeRuns, 'simd', 'onnxruntime-web');
    return { shape: `${M}x${K}x${N}`, runs: RUNS, tasks, simdOverOnnxruntime };
  });
}

// ---- membrane ----

/** The scalar build's reference kernel (branchy, one element at a time): context, not the fair baseline. */
const MEMBRANE_REFERENCE = 'scalar reference';

async function benchMembrane(kernels: Map<WasmVariant, Kernels>) {
  const { n, N, T } = MEMBRANE;
  const tables = benchTables(N, T);
  const x = operands(n, 3).map((v) => v * 6); // (n)
  const out = new Float32Array(n); // (n)
  const scalar = kernels.get('scalar')!;
  const runs: Array<Map<string, Measurement>> = [];
  for (let run = 0; run < RUNS; run++) {
    const tasks: Array<[string, () => unknown]> = [
      [MEMBRANE_REFERENCE, () => scalar.membraneRef(x, tables, { out })],
      ...[...kernels].map(([variant, k]): [string, () => unknown] => [variant, () => k.membrane(x, tables, { out })]),
    ];
    runs.push(await measure(rotatedBench({ time: 1000, warmupTime: 300 }, tasks, run)));
  }
  const steps = n * N * T;
  const tasks: Record<string, RunsMeasurement & { basisStepsPerSecond: number }> = {};
  for (const name of runs[0]!.keys()) {
    const m = combineRuns(runs.map((run) => taskResult(run, name)));
    tasks[name] = { ...m, basisStepsPerSecond: steps / (m.medianMs / 1000) };
  }
  return {
    n,
    N,
    T,
    runs: RUNS,
    tasks,
    /** The fair ratio: against the scalar build's own fast kernel (branch-free, 4 chains). */
    simdOverScalar: speedupSpread(runs, 'simd', 'scalar'),
    /** Against the branchy reference: SIMD, branch removal and interleaving together. */
    simdOverReference: speedupSpread(runs, 'simd', MEMBRANE_REFERENCE),
    /** What branch removal and interleaving alone give the scalar build. */
    scalarOverReference: speedupSpread(runs, 'scalar', MEMBRANE_REFERENCE),
  };
}

// ---- spikemm ----

/** Worst |a - b| over the largest |b|: the planes must reproduce Q(x) @ W (the product they stand for). */
function relativeGap(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return worst / scale;
}

async function benchSpikemm(k: Kernels) {
  const { M, K, N, rates } = SPIKEMM;
  const w = operands(K * N, 4); // (K, N)
  const a = operands(M * K, 5); // (M, K)
  // spikemm reads the packed copy the dense gemm reads: the one a layer holds
  const packed = k.pack(w, K, N);
  const out = new Float32Array(M * N); // (M, N)
  const one = Float32Array.of(1); // (1) the one plane's scale
  const planes = rates.map((rate, i) => randomPlane(M, K, rate, 10 + i));
  const linear = LINEAR_CASES.map((c, i) => linearPlanes(k, c, M, K, 20 + i));
  for (const [i, l] of linear.entries()) {
    // Real planes or not, the product is Q(x) @ W: check it before timing it.
    const gap = relativeGap(k.spikemm(l.planes, l.scale, packed), k.gemm(l.decoded, packed, M));
    if (gap > 1e-4) throw new Error(`${LINEAR_CASES[i]!.label}: spikemm differs from gemm on Q(x) by ${gap}`);
  }
  const rateTask = (rate: number) => `spikemm ${rate * 100}%`;
  const runs: Array<Map<string, Measurement>> = [];
  for (let run = 0; run < RUNS; run++) {
    const tasks: Array<[string, () => unknown]> = [
      ['dense gemm', () => k.gemm(a, packed, M, { out })],
      ...rates.map((rate, i): [string, () => unknown] => [
        rateTask(rate),
        () => k.spikemm(planes[i]!, one, packed, out),
      ]),
      ...LINEAR_CASES.map((c, i): [string, () => unknown] => [
        c.label,
        () => k.spikemm(linear[i]!.planes, linear[i]!.scale, packed, out),
      ]),
    ];
    runs.push(await measure(rotatedBench({ time: 1000, warmupTime: 300 }, tasks, run)));
  }
  packed.free();
  const combined = (name: string) => combineRuns(runs.map((run) => taskResult(run, name)));
  return {
    shape: `${M}x${K}x${N}`,
    variant: k.variant,
    runs: RUNS,
    dense: combined('dense gemm'),
    rates: rates.map((rate, i) => ({
      rate,
      measuredRate: setBits(planes[i]!) / (M * K),
      ...combined(rateTask(rate)),
      speedupOverDense: speedupSpread(runs, rateTask(rate), 'dense gemm'),
    })),
    linearLayers: LINEAR_CASES.map((c, i) => ({
      ...c,
      planes: linear[i]!.planes.planes,
      spikesPerInput: linear[i]!.spikesPerInput,
      planeRate: linear[i]!.rate,
      ...combined(c.label),
      speedupOverDense: speedupSpread(runs, c.label, 'dense gemm'),
    })),
  };
}

// ---- run ----

// The 1-minute load average when the run starts and ends (this run adds about 1 while it runs): other
// work on the machine shows up here.
const loadAtStart = loadavg()[0]!;
const variants = supportedVariants();
const kernels = new Map<WasmVariant, Kernels>();
for (const variant of [...variants].reverse()) kernels.set(variant, await Kernels.load({ variant }));
console.log(
  `mbe-snn kernel benchmarks: Node ${process.version}, ${nodeEnvironment().cpu}, builds [${variants.join(', ')}]`,
);

const gemm = await benchGemm(kernels);
console.error('  membrane');
const membrane = await benchMembrane(kernels);
console.error('  spikemm');
const spikemm = await benchSpikemm(kernels.get('simd')!);
const recorded = await Promise.all(
  RECORDED_EVALUATIONS.map(async (file) => ({
    file: `bench/results/${file}`,
    linearInputs: await recordedLinearSpikes(new URL(`./results/${file}`, import.meta.url)),
  })),
);

const spread = `median [min, max] of ${RUNS} runs`;
const columns = ['naive JS', ...kernels.keys(), 'onnxruntime-web'];
console.log(`\nDense gemm, GFLOP/s (median over ${RUNS} runs of each run's median; one thread):\n`);
console.log(
  formatTable(
    ['shape', ...columns, `simd / onnxruntime-web, ${spread}`],
    gemm.map((row) => [
      row.shape,
      ...columns.map((name) => row.tasks[name]?.gflops.toFixed(1) ?? '-'),
      formatSpread(row.simdOverOnnxruntime),
    ]),
  ),
);

console.log(`\nMembrane, n = ${MEMBRANE.n}, N = ${MEMBRANE.N}, T = ${MEMBRANE.T}, basis-steps per second:\n`);
console.log(
  formatTable(
    ['kernel', 'basis-steps/s', 'median ms'],
    Object.entries(membrane.tasks).map(([name, m]) => [
      name === 'scalar' ? 'scalar (branch-free, 4 chains)' : name,
      `${(m.basisStepsPerSecond / 1e9).toFixed(2)} G`,
      m.medianMs.toFixed(3),
    ]),
  ),
);
console.log(`(ratios: ${spread})`);
console.log(`simd / scalar (the fair ratio): ${formatSpread(membrane.simdOverScalar)}`);
console.log(`simd / scalar reference (branchy, one element at a time): ${formatSpread(membrane.simdOverReference)}`);
console.log(`scalar / scalar reference: ${formatSpread(membrane.scalarOverReference)}`);

console.log(`\nSpike-plane product (${spikemm.shape}, simd build) vs dense simd gemm, one binary plane:\n`);
console.log(
  formatTable(
    ['firing rate', 'median ms', `speed-up over dense, ${spread}`],
    [
      ['dense gemm', spikemm.dense.medianMs.toFixed(3), '1.00x'],
      ...spikemm.rates.map((r) => [
        `${(r.measuredRate * 100).toFixed(1)}%`,
        r.medianMs.toFixed(3),
        formatSpread(r.speedupOverDense),
      ]),
    ],
  ),
);
console.log('\nThe same at the planes of real linear layers (Gaussian input through the identity code):\n');
console.log(
  formatTable(
    ['input', 'planes', 'spikes per input', 'bits set per plane', 'median ms', `speed-up over dense, ${spread}`],
    spikemm.linearLayers.map((r) => [
      r.label,
      String(r.planes),
      r.spikesPerInput.toFixed(2),
      `${(r.planeRate * 100).toFixed(1)}%`,
      r.medianMs.toFixed(3),
      formatSpread(r.speedupOverDense),
    ]),
  ),
);
for (const { file, linearInputs } of recorded) {
  if (linearInputs === undefined) continue;
  console.log(
    `  ${file}: linear-layer inputs spend ${linearInputs.spikesPerInput.toFixed(2)} spikes per input at T = ${linearInputs.T}`,
  );
}

const conv = await benchConv(kernels.get('simd')!, operands);
console.log(`\nConvolution (${conv.shape}, simd build): im2col + gemm against the gemm alone on the same product:\n`);
console.log(
  formatTable(
    ['kernel', 'GFLOP/s', 'median ms'],
    [
      ['conv2d (im2col + gemm)', conv.conv.gflops.toFixed(1), conv.conv.medianMs.toFixed(3)],
      ['gemm only', conv.gemmOnly.gflops.toFixed(1), conv.gemmOnly.medianMs.toFixed(3)],
    ],
  ),
);
console.log(`conv2d / gemm-only time: ${conv.convOverGemm.toFixed(2)}x (the im2col copy)`);

const atTenPercent = spikemm.rates.find((r) => r.rate === 0.1)!;
const targets = [
  ...gemm.map((row) => ({
    name: `gemm ${row.shape}: simd >= 1.2x onnxruntime-web (median of ${RUNS} runs)`,
    measured: row.simdOverOnnxruntime.median,
    target: 1.2,
  })),
  {
    name: `membrane: simd >= 4x scalar (the branch-free scalar kernel; median of ${RUNS} runs)`,
    measured: membrane.simdOverScalar.median,
    target: 4,
  },
  {
    name: `spikemm at 10%: >= 3x faster than dense gemm (median of ${RUNS} runs)`,
    measured: atTenPercent.speedupOverDense.median,
    target: 3,
  },
].map((t) => ({ ...t, pass: t.measured >= t.target }));
console.log(`\nLoad average (1 min) at start ${loadAtStart.toFixed(2)}, at end ${loadavg()[0]!.toFixed(2)}.`);
console.log('\nTargets:');
for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured.toFixed(2)}x`);

const report = {
  generatedAt: new Date().toISOString(),
  environment: {
    ...nodeEnvironment(),
    wasmBuilds: variants,
    runs: RUNS,
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    note:
      "one thread; times are the median over runs of each run's tinybench median (min: fastest call of any " +
      'run); ratios are taken per run and given as median, min, max and perRun; gemm includes copying A in and C out',
  },
  // Each task's figures sit at the top level of its row, where bench/browser/run.ts reads their gflops.
  gemm: gemm.map(({ shape, tasks, ...ratios }) => ({ shape, ...tasks, ...ratios })),
  membrane: (({ tasks, ...rest }) => ({ ...rest, ...tasks }))(membrane),
  spikemm: { ...spikemm, recordedLinearInputs: recorded },
  conv,
  targets,
};
const resultsDir = new URL('./results/', import.meta.url);
await mkdir(resultsDir, { recursive: true });
await writeFile(new URL('kernels.json', resultsDir), `${JSON.stringify(report, null, 2)}\n`);
console.log('\nWrote bench/results/kernels.json');
