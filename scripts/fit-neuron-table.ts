// Regenerates src/neurons/neuron-table.json: every target the operators need, at T in {8, 10, 12, 16}.
// Deterministic: the same machine and Node version give the same file.
// Usage: npm run fit-table [-- --jobs 2] [--only gelu,exp2] [--T 16] [--calibrated-only] [--domain -6,8]
//   [--vit-low-t] (only the MNIST ViT's low-T neurons below)
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { NeuronEntry } from '../src/neurons/entry.js';
import type { FitRequest } from '../src/neurons/fit/fit-neuron.js';
import { TARGET_NAMES, TARGETS } from '../src/neurons/targets.js';
import { fitInParallel } from './fit-parallel.js';

const TIMESTEPS = [8, 10, 12, 16];

/**
 * Activation domains that the calibration of the two fixture models produces (stories260K's SiLU sites,
 * the MNIST ViT's GELU sites: `activationDomain` of their calibrated ranges), shipped at the T of the
 * sweep so conversions of these models need no fit at run time.
 */
const CALIBRATED_DOMAINS: Array<{ target: 'silu' | 'gelu' | 'gelu_tanh' | 'tanh'; domain: [number, number] }> = [
  { target: 'silu', domain: [-5, 5] },
  { target: 'silu', domain: [-6, 5] },
  { target: 'silu', domain: [-6, 6] },
  { target: 'silu', domain: [-8, 8] },
  // stories260K calibrated data-free, on its own samples (src/tasks/causal-lm-fidelity.ts): `mbe-snn eval`.
  { target: 'silu', domain: [-6, 8] },
  { target: 'gelu', domain: [-12.5, 8] },
  { target: 'gelu', domain: [-15, 8] },
  { target: 'gelu', domain: [-15, 15] },
  { target: 'gelu', domain: [-20, 8] },
  { target: 'gelu', domain: [-20, 15] },
  { target: 'gelu', domain: [-150, 125] },
  // The hf-tiny -hot fixtures' domains (GPT-2's gelu_new, BERT's GELU and its pooler's tanh) as the page and
  // the tests calibrate them.
  { target: 'gelu_tanh', domain: [-6, 6] },
  { target: 'gelu_tanh', domain: [-8, 6] },
  { target: 'gelu', domain: [-6, 6] },
  { target: 'tanh', domain: [-4, 4] },
];
const SWEEP_TIMESTEPS = [6, 8, 10, 12, 16];
/**
 * The MNIST ViT's operating points below T = 6 (README: uniform T = 4, and allocations over the levels 6, 5, 4, 3):
 * its GELU sites' domains (those its folds calibrate, on 200 images and on 5,000) and the softmax and LayerNorm
 * operators, so those points fit nothing on a first run. `allocationGelu`: the domain that allocations calibrated on
 * 128 images per fold add (README: `--calibration 128`), at the levels 6, 5, 4 and 3 only.
 */
const VIT_LOW_T = {
  allocationGelu: { timesteps: [3, 4, 5, 6], domains: [[-15, 10]] as Array<[number, number]> },
  timesteps: [3, 4, 5],
  operators: ['exp2', 'reciprocal', 'rsqrt'] as const,
  gelu: [
    [-12.5, 8],
    [-15, 8],
    [-15, 15],
    [-20, 8],
    [-20, 15],
    [-150, 125],
  ] as Array<[number, number]>,
};
const TABLE = new URL('../src/neurons/neuron-table.json', import.meta.url);

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2' },
    only: { type: 'string' },
    T: { type: 'string' },
    'calibrated-only': { type: 'boolean' },
    'vit-low-t': { type: 'boolean' },
    /** Only this one of the calibrated domains (lo,hi). */
    domain: { type: 'string' },
  },
});
const only = values.only?.split(',');
const timesteps = values.T ? values.T.split(',').map(Number) : TIMESTEPS;

const requests: FitRequest[] = [];
const vitOnly = values['vit-low-t'] ?? false;
for (const target of values['calibrated-only'] || vitOnly ? [] : TARGET_NAMES) {
  if (only && !only.includes(target)) continue;
  for (const T of timesteps) {
    requests.push(
      target === 'identity' ? { target, T, variant: 'identity' } : { target, T, N: TARGETS[target].defaultN },
    );
  }
}
for (const { target, domain } of vitOnly ? [] : CALIBRATED_DOMAINS) {
  if (only && !only.includes(target)) continue;
  if (values.domain !== undefined && domain.join(',') !== values.domain) continue;
  for (const T of values.T ? timesteps : SWEEP_TIMESTEPS) {
    const isDefault = domain.join(',') === TARGETS[target].defaultDomain.join(',');
    if (isDefault && TIMESTEPS.includes(T)) continue; // a default entry already
    requests.push({ target, T, N: TARGETS[target].defaultN, domain });
  }
}

for (const T of VIT_LOW_T.timesteps.filter((t) => values.T === undefined || timesteps.includes(t))) {
  for (const target of values['calibrated-only'] ? [] : VIT_LOW_T.operators) {
    if (!only || only.includes(target)) requests.push({ target, T, N: TARGETS[target].defaultN });
  }
  for (const domain of VIT_LOW_T.gelu) {
    if ((!only || only.includes('gelu')) && (values.domain === undefined || domain.join(',') === values.domain)) {
      requests.push({ target: 'gelu', T, N: TARGETS.gelu.defaultN, domain });
    }
  }
}

for (const T of VIT_LOW_T.allocationGelu.timesteps.filter((t) => values.T === undefined || timesteps.includes(t))) {
  for (const domain of VIT_LOW_T.allocationGelu.domains) {
    if ((!only || only.includes('gelu')) && (values.domain === undefined || domain.join(',') === values.domain)) {
      requests.push({ target: 'gelu', T, N: TARGETS.gelu.defaultN, domain });
    }
  }
}

console.log(`fitting ${requests.length} neurons in ${values.jobs} processes`);
const started = performance.now();
const fitted = await fitInParallel(requests, Number(values.jobs));
// Entries not refitted this time (--only, --T) are kept from the current table.
const key = (e: { target: string; T: number; variant?: string; domain?: readonly number[] }) =>
  `${e.target}/${e.T}/${e.variant ?? 'mbe'}/${(e.domain ?? TARGETS[e.target as keyof typeof TARGETS].defaultDomain).join(',')}`;
const refitted = new Set(requests.map(key));
const current = JSON.parse(await readFile(TABLE, 'utf8')) as NeuronEntry[];
const merged = [...current.filter((e) => !refitted.has(key(e))), ...fitted];
// By target, then default domain first and other domains by width, then T.
const isDefault = (e: NeuronEntry) => e.domain.join(',') === TARGETS[e.target].defaultDomain.join(',');
const order = (e: NeuronEntry) =>
  TARGET_NAMES.indexOf(e.target) * 1e9 +
  (isDefault(e) ? 0 : 1e8 + (e.domain[1] - e.domain[0]) * 1e3 + e.domain[0]) +
  e.T;
merged.sort((a, b) => order(a) - order(b));
await writeFile(TABLE, `${JSON.stringify(merged, null, 1)}\n`);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`wrote ${merged.length} entries to src/neurons/neuron-table.json in ${seconds} s`);
