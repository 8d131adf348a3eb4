// A fitted neuron with the record of how it was made and how well it does: one entry of the neuron table.
import type { Neuron } from './neuron.js';
import type { TargetName } from './targets.js';

/**
 * - `mbe`: the MBE neuron of ALGORITHM.md; `mbe-no-decay`: the same with lam = 0; `mbe-paper`: the paper-literal
 *   neuron (u[0] = x, one fixed alpha, no bias);
 * - `fs-binary` / `fs-random`: the paper's Few-Spikes neuron (u[0] = x, no bias) from the binary or a random
 *   initialisation;
 * - `fs-fair-binary` / `fs-fair-random`: Few-Spikes with the input shifted by the domain's lower end (every
 *   input can fire) and a bias, from the binary code or a random one inside the shifted range (fit-fs.ts);
 * - `identity`: the fixed binary code (not fitted).
 */
export type NeuronVariant =
  'mbe' | 'mbe-no-decay' | 'mbe-paper' | 'fs-binary' | 'fs-random' | 'fs-fair-binary' | 'fs-fair-random' | 'identity';

export const NEURON_VARIANTS: readonly NeuronVariant[] = [
  'mbe',
  'mbe-no-decay',
  'mbe-paper',
  'fs-binary',
  'fs-random',
  'fs-fair-binary',
  'fs-fair-random',
  'identity',
];

/** Error on uniform held-out samples, simulated by the float32 membrane kernel. */
export interface HeldOutError {
  readonly mse: number;
  readonly maxError: number;
  readonly samples: number;
  /** Seed of the held-out sample generator (see heldOutInputs). */
  readonly seed: number;
}

/** How a neuron was fitted. */
export interface FitRecord {
  readonly trainMse: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly lrDecay: number;
  /** Restart phases (MBE fits; 1 for FS). */
  readonly phases: number;
  /** Initialisation seeds tried (0 .. seeds - 1); the best training loss was kept. */
  readonly seeds: number;
  readonly bestSeed: number;
  readonly bestEpoch: number;
  readonly samples: number;
  readonly nearZero: { readonly count: number; readonly scale: number } | null;
  /** Training samples drawn from the inputs' distribution (FitRequest.distribution), the others uniform. */
  readonly fromDistribution?: number;
  readonly seconds: number;
}

export interface NeuronEntry {
  readonly target: TargetName;
  readonly variant: NeuronVariant;
  readonly N: number;
  readonly T: number;
  /** The input domain the neuron was fitted on (before sign-magnitude folding). */
  readonly domain: readonly [number, number];
  readonly neuron: Neuron;
  readonly heldOut: HeldOutError;
  /** null for the identity code, which is not fitted. */
  readonly fit: FitRecord | null;
  /** What produced the entry, e.g. "mbe-snn 0.1.0 fitNeuron". */
  readonly producedBy: string;
}
