// Regenerates src/neurons/neuron-table.json: every target the operators need, at T in {8, 10, 12, 16}.
// Deterministic: the same machine and Node version give the same file.
// Usage: npm run fit-table [-- --jobs 2] [--only gelu,exp2] [--T 16]
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { NeuronEntry } from '../src/neurons/entry.js';
import type { FitRequest } from '../src/neurons/fit/fit-neuron.js';
import { TARGET_NAMES, TARGETS } from '../src/neurons/targets.js';
import { fitInParallel } from './fit-parallel.js';

const TIMESTEPS = [8, 10, 12, 16];
const TABLE = new URL('../src/neurons/neuron-table.json', import.meta.url);

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '2' }, only: { type: 'string' }, T: { type: 'string' } },
});
const only = values.only?.split(',');
const timesteps = values.T ? values.T.split(',').map(Number) : TIMESTEPS;

const requests: FitRequest[] = [];
for (const target of TARGET_NAMES) {
  if (only && !only.includes(target)) continue;
  for (const T of timesteps) {
    requests.push(
      target === 'identity' ? { target, T, variant: 'identity' } : { target, T, N: TARGETS[target].defaultN },
    );
  }
}

console.log(`fitting ${requests.length} neurons in ${values.jobs} processes`);
const started = performance.now();
const fitted = await fitInParallel(requests, Number(values.jobs));
// Entries not refitted this time (--only, --T) are kept from the current table.
const key = (e: { target: string; T: number; variant?: string }) => `${e.target}/${e.T}/${e.variant ?? 'mbe'}`;
const refitted = new Set(requests.map(key));
const current = JSON.parse(await readFile(TABLE, 'utf8')) as NeuronEntry[];
const merged = [...current.filter((e) => !refitted.has(key(e))), ...fitted];
const order = (e: NeuronEntry) => TARGET_NAMES.indexOf(e.target) * 100 + e.T;
merged.sort((a, b) => order(a) - order(b));
await writeFile(TABLE, `${JSON.stringify(merged, null, 1)}\n`);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`wrote ${merged.length} entries to src/neurons/neuron-table.json in ${seconds} s`);
