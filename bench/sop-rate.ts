// Synaptic operations per second of spike-driven linear layers against this machine's f32x4 add rate, measured in
// the same run (simd build). A synaptic operation is one spike reaching one output: an accumulate of one weight,
// so a layer's SOPs are its set spike bits times its outputs. The planes are those a spike-driven linear layer
// really consumes (bench/helpers/linear-planes.ts: T = 16 identity codes of Gaussian inputs split by sign, as the
// models run them); the add rate is Kernels.addRateProbe, eight independent f32x4 add chains in registers: four
// adds per instruction with no load, the ceiling of an accumulate-only kernel.
// Each layer runs on W in the three layouts spikemm reads: row-major (a separate copy), and the gemm's packed panels
// (the copy a layer already holds for the dense products), f32 and bf16.
// Rounds alternate the probe and the layers; each figure is the best round (the least disturbed by the machine).
// Usage: node --import tsx bench/sop-rate.ts [--rounds 15]   -> bench/results/sop-rate.json and a table.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kernels } from '../src/index.js';
import { seededRandom } from '../src/random.js';
import { linearPlanes, setBits, type LinearPlanesCase } from './helpers/linear-planes.js';
import { formatTable, secondsOf as seconds } from './measure.js';

/** The shape of the products: 64 tokens through a 768 x 768 layer (the 110M shape's attention projections). */
const M = 64;
const K = 768;
const N = 768;
const CASES: readonly LinearPlanesCase[] = [
  { label: 'T = 16, signed, range 16 sigma', T: 16, alpha: 16, signed: true },
  { label: 'T = 16, signed, range 64 sigma', T: 16, alpha: 64, signed: true },
  { label: 'T = 8, signed, range 16 sigma', T: 8, alpha: 16, signed: true },
];
const PROBE_ITERATIONS = 2_000_000; // 8 x 4 x 2M = 64M adds, about 5-10 ms

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
  const rounds = Number(values.rounds);
  const kernels = await Kernels.load({ variant: 'simd', threads: 1 });
  const random = seededRandom(7);
  const w = Float32Array.from({ length: K * N }, () => random() - 0.5); // (K, N)
  const wT = new Float32Array(N * K); // (N, K), as a linear layer holds W
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wT[j * K + k] = w[k * N + j] as number;
  const weights = [
    { layout: 'row-major', matrix: kernels.upload(w, K, N) },
    { layout: 'packed f32', matrix: kernels.packTransposed(wT, K, N) },
    { layout: 'packed bf16', matrix: kernels.packTransposed(wT, K, N, { dtype: 'bf16' }) },
  ];
  const out = new Float32Array(M * N); // (M, N)
  const layers = CASES.flatMap((c, i) => {
    const l = linearPlanes(kernels, c, M, K, 30 + i);
    return weights.map(({ layout, matrix }) => ({ ...c, ...l, layout, weight: matrix, sops: setBits(l.planes) * N }));
  });
  const probeAdds = 8 * 4 * PROBE_ITERATIONS;
  let probeBest = Infinity;
  const layerBest = layers.map(() => Infinity);
  kernels.addRateProbe(PROBE_ITERATIONS); // warm-up
  for (const l of layers) kernels.spikemm(l.planes, l.scale, l.weight, out);
  for (let round = 0; round < rounds; round++) {
    probeBest = Math.min(
      probeBest,
      seconds(() => kernels.addRateProbe(PROBE_ITERATIONS)),
    );
    for (const [i, l] of layers.entries()) {
      out.fill(0);
      layerBest[i] = Math.min(
        layerBest[i] as number,
        seconds(() => kernels.spikemm(l.planes, l.scale, l.weight, out)),
      );
    }
  }
  for (const { matrix } of weights) matrix.free();
  const addRate = probeAdds / probeBest;
  const rows = layers.map((l, i) => {
    const sopRate = l.sops / (layerBest[i] as number);
    return {
      label: l.label,
      layout: l.layout,
      planes: l.planes.planes,
      spikesPerInput: l.spikesPerInput,
      planeRate: l.rate,
      sops: l.sops,
      seconds: layerBest[i] as number,
      sopsPerSecond: sopRate,
      ofAddRate: sopRate / addRate,
    };
  });
  console.log(
    `f32x4 add rate: ${(addRate / 1e9).toFixed(2)} G adds/s (${probeAdds / 1e6}M adds in ${(probeBest * 1e3).toFixed(2)} ms)`,
  );
  console.log(
    formatTable(
      [
        'spike-driven linear, ' + `${M}x${K}x${N}`,
        'W layout',
        'planes',
        'spikes per input',
        'SOPs',
        'best ms',
        'G SOP/s',
        'of the add rate',
      ],
      rows.map((r) => [
        r.label,
        r.layout,
        String(r.planes),
        r.spikesPerInput.toFixed(2),
        `${(r.sops / 1e6).toFixed(1)}M`,
        (r.seconds * 1e3).toFixed(2),
        (r.sopsPerSecond / 1e9).toFixed(2),
        `${(100 * r.ofAddRate).toFixed(0)}%`,
      ]),
    ),
  );
  const result = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length },
    node: process.version,
    loadAverage: loadavg()[0],
    settings: { variant: kernels.variant, threads: 1, M, K, N, rounds, probeIterations: PROBE_ITERATIONS },
    addRate: { addsPerSecond: addRate, seconds: probeBest, adds: probeAdds },
    layers: rows,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  const path = new URL('./results/sop-rate.json', import.meta.url);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(path)}`);
}

await main();
