// The paper's neuron-level experiments, reproduced with our fitter (a script, not a test):
//   1. FS binary vs random initialisation (the EDI problem);
//   2. MBE vs FS at equal T on every target;
//   3. MBE with and without decay for N = 1, 2, 4, 6, 8 on the four functions of Table X (Fig. 6c),
//      next to the paper's values, and the paper-literal neuron next to ours;
//   4. MSE against T.
// Writes docs/ablations.md and docs/ablations.svg. Usage: npm run ablations [-- --jobs 2]
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { NeuronEntry } from '../src/neurons/entry.js';
import type { FitRequest } from '../src/neurons/fit/fit-neuron.js';
import { findShippedNeuron } from '../src/neurons/table.js';
import { TARGETS, type TargetName } from '../src/neurons/targets.js';
import { gridPlot, type LinePlotOptions } from '../src/plot/svg.js';
import { fitInParallel } from '../scripts/fit-parallel.js';
import { formatTable } from './measure.js';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '2' } } });

const T = 16;
const BASES = [1, 2, 4, 6, 8];
const TIMESTEPS = [4, 6, 8, 10, 12, 16, 20, 24];
const RANDOM_SEEDS = 5;
/** The paper's Table X (MSE, T = 16), as quoted in ALGORITHM.md. */
const TABLE_X: Record<'gelu' | 'rsqrt' | 'reciprocal' | 'exp2', { byN: number[]; noDecayN8: number }> = {
  gelu: { byN: [7.1e-3, 4.1e-3, 2.3e-4, 1.7e-4, 1.0e-4], noDecayN8: 2.8e-1 },
  rsqrt: { byN: [1.4e-3, 1.2e-3, 3.1e-4, 1.0e-4, 4.9e-5], noDecayN8: 2.8e-3 },
  reciprocal: { byN: [8.6e-3, 2.1e-4, 1.1e-3, 2.2e-3, 4.4e-5], noDecayN8: 4.5e-3 },
  exp2: { byN: [8.9e-4, 4.5e-4, 4.0e-4, 2.4e-4, 5.3e-5], noDecayN8: 9.5e-3 },
};
const TABLE_X_TARGETS = Object.keys(TABLE_X) as Array<keyof typeof TABLE_X>;
const FITTED: TargetName[] = ['gelu', 'gelu_tanh', 'silu', 'tanh', 'sigmoid', 'relu', 'exp2', 'reciprocal', 'rsqrt'];

// ---- every fit, as one list, so the processes stay busy ----
const requests: FitRequest[] = [];
const index = new Map<string, number>();
const want = (key: string, request: FitRequest) => {
  if (!index.has(key)) {
    index.set(key, requests.length);
    requests.push(request);
  }
};
for (const target of FITTED) {
  want(`mbe/${target}/${TARGETS[target].defaultN}/${T}`, { target, T });
  want(`fs-binary/${target}/${T}`, { target, T, variant: 'fs-binary' });
  // Random initialisations: one seed per fit so each is reported on its own.
  for (let s = 0; s < RANDOM_SEEDS; s++)
    want(`fs-random/${target}/${T}/${s}`, { target, T, variant: 'fs-random', seeds: 1, sampleSeed: 1 + s });
}
for (const target of TABLE_X_TARGETS) {
  for (const N of BASES) {
    want(`mbe/${target}/${N}/${T}`, N === TARGETS[target].defaultN ? { target, T } : { target, T, N });
    want(`mbe-no-decay/${target}/${N}/${T}`, { target, T, N, variant: 'mbe-no-decay' });
    want(`mbe-paper/${target}/${N}/${T}`, { target, T, N, variant: 'mbe-paper' });
  }
  for (const steps of TIMESTEPS) want(`mbe/${target}/${TARGETS[target].defaultN}/${steps}`, { target, T: steps });
}

// Requests the shipped table already answers (same target, T, default N and domain, default settings) are
// taken from it: the fitter is deterministic, so refitting would reproduce them.
const shipped = requests.map((r) =>
  r.variant === undefined && r.N === undefined ? findShippedNeuron({ target: r.target, T: r.T }) : undefined,
);
const toFit = requests.filter((_, i) => !shipped[i]);
console.log(
  `ablations: ${toFit.length} fits in ${values.jobs} processes (${requests.length - toFit.length} from the shipped table)`,
);
const started = performance.now();
const fitted = await fitInParallel(toFit, Number(values.jobs));
const entries = shipped.map((entry) => entry ?? (fitted.shift() as NeuronEntry));
const get = (key: string): NeuronEntry => entries[index.get(key) as number] as NeuronEntry;
const mse = (key: string) => get(key).heldOut.mse;
const e = (v: number) => v.toExponential(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// 1 + 2: FS initialisations, and MBE against FS.
const fsRows = FITTED.map((target) => {
  const random = Array.from({ length: RANDOM_SEEDS }, (_, s) => mse(`fs-random/${target}/${T}/${s}`));
  const mbe = mse(`mbe/${target}/${TARGETS[target].defaultN}/${T}`);
  const fsBinary = mse(`fs-binary/${target}/${T}`);
  return {
    target,
    mbe,
    fsBinary,
    randomMedian: median(random),
    randomWorst: Math.max(...random),
    N: TARGETS[target].defaultN,
  };
});

// 3: Table X with and without decay, and the paper-literal neuron.
const decayRows = TABLE_X_TARGETS.flatMap((target) =>
  BASES.map((N, i) => ({
    target,
    N,
    ours: mse(`mbe/${target}/${N}/${T}`),
    noDecay: mse(`mbe-no-decay/${target}/${N}/${T}`),
    paperLiteral: mse(`mbe-paper/${target}/${N}/${T}`),
    paper: TABLE_X[target].byN[i] as number,
  })),
);

const domainOf = (target: TargetName) => `[${TARGETS[target].defaultDomain.join(', ')}]`;
const lines: string[] = [
  '# Neuron ablations',
  '',
  `Generated by \`npm run ablations\` (bench/ablations.ts) on ${new Date().toISOString().slice(0, 10)} in ` +
    `${((performance.now() - started) / 60000).toFixed(0)} min. Every figure is the held-out MSE on 10,000 uniform samples ` +
    'of the domain, simulated by the float32 membrane kernel; every fit uses the default fitter settings ' +
    '(`mbe-snn fit --help`) unless a row says otherwise.',
  '',
  `## MBE against Few-Spikes at T = ${T}, and the FS initialisation (EDI)`,
  '',
  `FS random: ${RANDOM_SEEDS} random initialisations (uniform on (0, alpha)), each fitted once; median and worst.`,
  '',
  formatTable(
    [
      'function',
      'domain',
      'MBE (N)',
      'FS, binary init',
      'FS, random init (median)',
      'FS random (worst)',
      'MBE better than FS',
    ],
    fsRows.map((r) => [
      r.target,
      domainOf(r.target),
      `${e(r.mbe)} (${r.N})`,
      e(r.fsBinary),
      e(r.randomMedian),
      e(r.randomWorst),
      r.mbe <= Math.min(r.fsBinary, r.randomMedian) ? 'yes' : 'no',
    ]),
  ),
  '',
  '## Decay and bases (Fig. 6c, Table X), T = 16',
  '',
  '"paper" is the paper\'s Table X; "ours" is the MBE neuron of ALGORITHM.md (polarity split, per-basis amplitudes, ' +
    'bias); "paper-literal" is the neuron exactly as the paper writes it (u[0] = x, one alpha, no bias) fitted by the same fitter.',
  '',
  formatTable(
    [
      'function',
      'N',
      'ours',
      'ours, no decay',
      'decay lowers MSE',
      'paper-literal',
      'paper (Table X)',
      'ours <= paper',
    ],
    decayRows.map((r) => [
      `${r.target} ${domainOf(r.target)}`,
      String(r.N),
      e(r.ours),
      e(r.noDecay),
      r.ours < r.noDecay ? `yes (${(r.noDecay / r.ours).toFixed(0)}x)` : 'no',
      e(r.paperLiteral),
      e(r.paper),
      r.ours <= r.paper ? 'yes' : 'no',
    ]),
  ),
  '',
  `Paper, N = 8 without decay: ${TABLE_X_TARGETS.map((t) => `${t} ${e(TABLE_X[t].noDecayN8)}`).join(', ')}.`,
  '',
  '## MSE against T (default N)',
  '',
  formatTable(
    ['function', ...TIMESTEPS.map((s) => `T=${s}`)],
    TABLE_X_TARGETS.map((target) => [
      `${target} (N=${TARGETS[target].defaultN})`,
      ...TIMESTEPS.map((s) => e(mse(`mbe/${target}/${TARGETS[target].defaultN}/${s}`))),
    ]),
  ),
  '',
  '![ablation plots](ablations.svg)',
  '',
];

const panels: LinePlotOptions[] = [
  ...TABLE_X_TARGETS.map((target) => ({
    title: `${target} on ${domainOf(target)}, T = 16`,
    xLabel: 'bases N',
    yLabel: 'held-out MSE',
    logY: true,
    xTicks: BASES,
    series: [
      { label: 'MBE (ours)', points: BASES.map((N) => [N, mse(`mbe/${target}/${N}/${T}`)] as const), markers: true },
      {
        label: 'no decay',
        points: BASES.map((N) => [N, mse(`mbe-no-decay/${target}/${N}/${T}`)] as const),
        markers: true,
      },
      {
        label: 'paper-literal',
        points: BASES.map((N) => [N, mse(`mbe-paper/${target}/${N}/${T}`)] as const),
        markers: true,
      },
      {
        label: 'paper Table X',
        points: BASES.map((N, i) => [N, TABLE_X[target].byN[i] as number] as const),
        dashed: true,
      },
    ],
  })),
  {
    title: 'MSE against T (default N)',
    xLabel: 'timesteps T',
    yLabel: 'held-out MSE',
    logY: true,
    xTicks: TIMESTEPS,
    series: TABLE_X_TARGETS.map((target) => ({
      label: target,
      points: TIMESTEPS.map((s) => [s, mse(`mbe/${target}/${TARGETS[target].defaultN}/${s}`)] as const),
      markers: true,
    })),
  },
  {
    title: `MBE vs FS at T = ${T}`,
    xLabel: 'function (index in the table above)',
    yLabel: 'held-out MSE',
    logY: true,
    xTicks: FITTED.map((_, i) => i + 1),
    series: [
      { label: 'MBE', points: fsRows.map((r, i) => [i + 1, r.mbe] as const), markers: true },
      { label: 'FS binary', points: fsRows.map((r, i) => [i + 1, r.fsBinary] as const), markers: true },
      { label: 'FS random (median)', points: fsRows.map((r, i) => [i + 1, r.randomMedian] as const), markers: true },
    ],
  },
];

const docs = new URL('../docs/', import.meta.url);
await mkdir(docs, { recursive: true });
await writeFile(new URL('ablations.md', docs), lines.join('\n'));
await writeFile(new URL('ablations.svg', docs), gridPlot({ title: 'MBE neuron ablations', panels, columns: 3 }));
await writeFile(new URL('ablations.json', docs), `${JSON.stringify({ fsRows, decayRows }, null, 1)}\n`);
console.log(lines.join('\n'));
console.log('wrote docs/ablations.md, docs/ablations.svg, docs/ablations.json');
