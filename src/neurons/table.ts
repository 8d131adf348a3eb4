// The shipped neuron table: fitted neurons for every target the operators need, at several T, with their
// held-out errors and fitting records. Regenerate with `npm run fit-table` (scripts/fit-neuron-table.ts).
import { InvalidArgumentError } from '../errors.js';
import type { NeuronEntry, NeuronVariant } from './entry.js';
import { checkNeuron } from './neuron.js';
import { TARGETS, type TargetName } from './targets.js';
import shipped from './neuron-table.json' with { type: 'json' };

let entries: readonly NeuronEntry[] | undefined;

/** Every shipped entry (checked once, on first use). */
export function shippedNeurons(): readonly NeuronEntry[] {
  if (!entries) {
    const list = shipped as unknown as NeuronEntry[];
    list.forEach((entry, i) =>
      checkNeuron(entry.neuron, `neuron-table.json[${i}] (${entry.target}, T=${entry.T}).neuron`),
    );
    entries = Object.freeze(list);
  }
  return entries;
}

export interface NeuronQuery {
  readonly target: TargetName;
  readonly T: number;
  /** Default: any N (the table holds each target's default N). */
  readonly N?: number;
  /** Default 'mbe'. */
  readonly variant?: NeuronVariant;
  /** Default: the target's default domain. */
  readonly domain?: readonly [number, number];
}

/** The shipped entry matching the query, or undefined. */
export function findShippedNeuron(query: NeuronQuery): NeuronEntry | undefined {
  const variant = query.variant ?? 'mbe';
  const domain = query.domain ?? TARGETS[query.target].defaultDomain;
  return shippedNeurons().find(
    (e) =>
      e.target === query.target &&
      e.T === query.T &&
      e.variant === variant &&
      (query.N === undefined || e.N === query.N) &&
      e.domain[0] === domain[0] &&
      e.domain[1] === domain[1],
  );
}

/** Like findShippedNeuron, but a missing entry is an error that says how to make one. */
export function shippedNeuron(query: NeuronQuery): NeuronEntry {
  const entry = findShippedNeuron(query);
  if (!entry) {
    const n = query.N === undefined ? '' : ` --N ${query.N}`;
    throw new InvalidArgumentError(
      `no shipped ${query.variant ?? 'mbe'} neuron for ${query.target} at T = ${query.T}${n}; ` +
        `fit one with: mbe-snn fit ${query.target} --T ${query.T}${n}`,
    );
  }
  return entry;
}
