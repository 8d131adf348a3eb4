// The paper's neuron-level experiments, reproduced with our fitter (a script, not a test):
//   1. FS binary vs random initialisation (the EDI problem), for the paper-literal FS and the fair FS (shifted
//      input and a bias, src/neurons/fit/fit-fs.ts), with each one's spikes per input;
//   2. MBE vs FS at equal T on every target;
//   3. MBE with and without decay for N = 1, 2, 4, 6, 8 on the four functions of Table X (Fig. 6c),
//      next to the paper's values, and the paper-literal neuron next to ours;
//   4. MSE against T.
// Writes docs/ablations.md, docs/ablations.svg and docs/ablations.json.
// Usage: npm run ablations [-- --jobs 2] [--reuse docs/ablations.json]
//   --reuse <file>: take every non-FS figure from a previous run's ablations.json (its heldOutMse) instead of
//   refitting it (the fitter is deterministic: use it when only the FS code changed); missing ones are fitted.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { NeuronEntry } from '../src/neurons/entry.js';
import { fsFiringRates, type FitRequest, type FsFiringRates } from '../src/neurons/fit/fit-neuron.js';
import { findShippedNeuron } from '../src/neurons/table.js';
import { TARGETS, type TargetName } from '../src/neurons/targets.js';
import { gridPlot, type LinePlotOptions } from '../src/plot/svg.js';
import { fitInParallel } from '../scripts/fit-parallel.js';
import { formatTable } from './measure.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '2' }, reuse: { type: 'string' } },
});

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
const keys: string[] = [];
const want = (key: string, request: FitRequest) => {
  if (!keys.includes(key)) {
    keys.push(key);
    requests.push(request);
  }
};
const isFs = (request: FitRequest) => request.variant?.startsWith('fs-') ?? false;
for (const target of FITTED) {
  want(`mbe/${target}/${TARGETS[target].defaultN}/${T}`, { target, T });
  // A binary initialisation does not depend on the seed: one is enough.
  want(`fs-binary/${target}/${T}`, { target, T, variant: 'fs-binary', seeds: 1 });
  want(`fs-fair-binary/${target}/${T}`, { target, T, variant: 'fs-fair-binary', seeds: 1 });
  // Random initialisations: one seed per fit so each is reported on its own.
  for (let s = 0; s < RANDOM_SEEDS; s++) {
    want(`fs-random/${target}/${T}/${s}`, { target, T, variant: 'fs-random', seeds: 1, firstSeed: s });
    want(`fs-fair-random/${target}/${T}/${s}`, { target, T, variant: 'fs-fair-random', seeds: 1, firstSeed: s });
  }
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
// taken from it: the fitter is deterministic, so refitting would reproduce them. With --reuse, so are the
// non-FS figures of a previous run.
const previous = values.reuse === undefined ? {} : await previousMse(values.reuse);
const shipped = requests.map((r) =>
  r.variant === undefined && r.N === undefined ? findShippedNeuron({ target: r.target, T: r.T }) : undefined,
);
const reused = requests.map((r, i) => (!shipped[i] && !isFs(r) ? previous[keys[i] as string] : undefined));
const toFit = requests.filter((_, i) => !shipped[i] && reused[i] === undefined);
const reusedCount = reused.filter((v) => v !== undefined).length;
console.log(
  `ablations: ${toFit.length} fits in ${values.jobs} processes (${shipped.filter(Boolean).length} from the ` +
    `shipped table, ${reusedCount} reused from ${values.reuse ?? 'a previous run'})`,
);
const started = performance.now();
const fitted = await fitInParallel(toFit, Number(values.jobs));
const minutes = (performance.now() - started) / 60000;
/** The entry of every request that was fitted or shipped; undefined where a figure was reused. */
const entries = requests.map((_, i) =>
  reused[i] !== undefined ? undefined : (shipped[i] ?? (fitted.shift() as NeuronEntry)),
);
const heldOutMse: Record<string, number> = Object.fromEntries(
  keys.map((key, i) => [key, reused[i] ?? (entries[i] as NeuronEntry).heldOut.mse]),
);
const mse = (key: string) => heldOutMse[key] as number;
const e = (v: number) => v.toExponential(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Spikes per training sample of an FS fit, at its initialisation and fitted. */
const rates = (key: string): FsFiringRates => {
  const i = keys.indexOf(key);
  return fsFiringRates(requests[i] as FitRequest, entries[i] as NeuronEntry);
};

// 1 + 2: FS initialisations, and MBE against FS.
const fsRows = FITTED.map((target) => {
  const seeds = Array.from({ length: RANDOM_SEEDS }, (_, s) => s);
  const random = seeds.map((s) => mse(`fs-random/${target}/${T}/${s}`));
  const fairRandom = seeds.map((s) => mse(`fs-fair-random/${target}/${T}/${s}`));
  const randomRates = seeds.map((s) => rates(`fs-random/${target}/${T}/${s}`));
  const fairRandomRates = seeds.map((s) => rates(`fs-fair-random/${target}/${T}/${s}`));
  const medianRates = (list: FsFiringRates[]): FsFiringRates => ({
    initial: median(list.map((r) => r.initial)),
    fitted: median(list.map((r) => r.fitted)),
  });
  return {
    target,
    N: TARGETS[target].defaultN,
    mbe: mse(`mbe/${target}/${TARGETS[target].defaultN}/${T}`),
    fsBinary: mse(`fs-binary/${target}/${T}`),
    randomMedian: median(random),
    randomWorst: Math.max(...random),
    fairBinary: mse(`fs-fair-binary/${target}/${T}`),
    fairRandomMedian: median(fairRandom),
    fairRandomBest: Math.min(...fairRandom),
    fairRandomWorst: Math.max(...fairRandom),
    spikes: {
      fsBinary: rates(`fs-binary/${target}/${T}`),
      fsRandom: medianRates(randomRates),
      fairBinary: rates(`fs-fair-binary/${target}/${T}`),
      fairRandom: medianRates(fairRandomRates),
    },
  };
});
/** The best FS figure of a row, over every form, initialisation and seed. */
const bestFs = (r: (typeof fsRows)[number]) => Math.min(r.fsBinary, r.randomMedian, r.fairBinary, r.fairRandomBest);
const spikes = (r: FsFiringRates) => `${r.initial.toFixed(2)} → ${r.fitted.toFixed(2)}`;

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

const provenance =
  reusedCount > 0
    ? `${toFit.length} fits; ${reusedCount} non-FS figures reused from a previous run`
    : `${toFit.length} fits`;
const domainOf = (target: TargetName) => `[${TARGETS[target].defaultDomain.join(', ')}]`;
const lines: string[] = [
  '# Neuron ablations',
  '',
  `Generated by \`npm run ablations\` (bench/ablations.ts) on ${new Date().toISOString().slice(0, 10)} in ` +
    `${minutes.toFixed(0)} min (${provenance}). ` +
    'Every figure is the held-out MSE on 10,000 uniform samples ' +
    'of the domain, simulated by the float32 membrane kernel; every fit uses the default fitter settings ' +
    '(`mbe-snn fit --help`) unless a row says otherwise.',
  '',
  `## MBE against Few-Spikes at T = ${T}, and the FS initialisation (EDI)`,
  '',
  'Two FS forms, each from the binary code and from random initialisations ' +
    `(${RANDOM_SEEDS} seeds, each fitted once; median and worst, and for the fair form the best):`,
  '',
  '- **paper-literal** (`fs-binary`, `fs-random`): u[0] = x, y = sum_t d[t] s[t], every Vth, r, d learned by Adam; ' +
    'random init uniform on (0, alpha), alpha = max |x|. An input below every threshold never fires ' +
    '(x < 0 always; see the spikes per input below).',
  "- **fair** (`fs-fair-binary`, `fs-fair-random`): the input shifted by c (the domain's lower end, or where f stops " +
    "being flat) and a bias, u[1] = x - c, y = b + sum_{t>=1} d[t] s[t]: Vth', r learned as log-multipliers of the " +
    'binary envelope (hi - c) 2^-t in restart phases, (d, b) solved in closed form, as the MBE fit does. ' +
    'The FS record has no bias field, so step 0 carries b (it always fires) and T - 1 steps code x. ' +
    'Random init: the binary envelope times uniform factors in (1/2, 3/2), so every threshold lies inside the ' +
    'shifted range.',
  '',
  formatTable(
    [
      'function',
      'domain',
      'MBE (N)',
      'FS binary',
      'FS random (median / worst)',
      'fair FS binary',
      'fair FS random (median / best / worst)',
      'MBE better than every FS',
    ],
    fsRows.map((r) => [
      r.target,
      domainOf(r.target),
      `${e(r.mbe)} (${r.N})`,
      e(r.fsBinary),
      `${e(r.randomMedian)} / ${e(r.randomWorst)}`,
      e(r.fairBinary),
      `${e(r.fairRandomMedian)} / ${e(r.fairRandomBest)} / ${e(r.fairRandomWorst)}`,
      r.mbe <= bestFs(r) ? `yes (${(bestFs(r) / r.mbe).toFixed(0)}x)` : 'no',
    ]),
  ),
  '',
  `Spikes per input on each fit's own training samples (T = ${T}), at the initialisation → fitted; ` +
    'random inits: medians over the seeds. The fair form counts its bias spike (1 per input).',
  '',
  formatTable(
    ['function', 'FS binary', 'FS random', 'fair FS binary', 'fair FS random'],
    fsRows.map((r) => [
      r.target,
      spikes(r.spikes.fsBinary),
      spikes(r.spikes.fsRandom),
      spikes(r.spikes.fairBinary),
      spikes(r.spikes.fairRandom),
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
      { label: 'fair FS binary', points: fsRows.map((r, i) => [i + 1, r.fairBinary] as const), markers: true },
      {
        label: 'fair FS random (median)',
        points: fsRows.map((r, i) => [i + 1, r.fairRandomMedian] as const),
        markers: true,
      },
    ],
  },
];

const docs = new URL('../docs/', import.meta.url);
await mkdir(docs, { recursive: true });
await writeFile(new URL('ablations.md', docs), lines.join('\n'));
await writeFile(new URL('ablations.svg', docs), gridPlot({ title: 'MBE neuron ablations', panels, columns: 3 }));
await writeFile(new URL('ablations.json', docs), `${JSON.stringify({ fsRows, decayRows, heldOutMse }, null, 1)}\n`);
console.log(lines.join('\n'));
console.log('wrote docs/ablations.md, docs/ablations.svg, docs/ablations.json');

/** The held-out MSE of every figure of a previous run's ablations.json, by key. */
async function previousMse(path: string): Promise<Record<string, number>> {
  const json = JSON.parse(await readFile(path, 'utf8')) as { heldOutMse?: Record<string, number> };
  if (!json.heldOutMse) throw new Error(`${path} has no heldOutMse (written by bench/ablations.ts since issue 13)`);
  return json.heldOutMse;
}
