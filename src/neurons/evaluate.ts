// Held-out error of a neuron, simulated by the float32 membrane kernel the operators use.
import type { Kernels } from '../kernels/index.js';
import type { HeldOutError } from './entry.js';
import { heldOutInputs } from './fit/samples.js';
import { simulate, type Neuron } from './neuron.js';

export const HELD_OUT_SAMPLES = 10_000;
export const HELD_OUT_SEED = 0x4e1d;

/** MSE and max |error| against f on uniform samples of the domain (f evaluated in float64 at the float32 x). */
export function heldOutError(
  kernels: Kernels,
  neuron: Neuron,
  f: (x: number) => number,
  domain: readonly [number, number],
  samples = HELD_OUT_SAMPLES,
  seed = HELD_OUT_SEED,
): HeldOutError {
  const x = heldOutInputs(domain, samples, seed);
  const y = simulate(kernels, neuron, x);
  let sum = 0;
  let maxError = 0;
  for (let i = 0; i < samples; i++) {
    const e = Math.abs((y[i] as number) - f(x[i] as number));
    sum += e * e;
    maxError = Math.max(maxError, e);
  }
  return { mse: sum / samples, maxError, samples, seed };
}

/** MSE against f weighted by how often each input occurs (count[i] times x[i]): the error where inputs really are. */
export function weightedError(
  kernels: Kernels,
  neuron: Neuron,
  f: (x: number) => number,
  x: Float32Array,
  count: Float64Array,
): number {
  const y = simulate(kernels, neuron, x);
  let sum = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const c = count[i] as number;
    sum += c * ((y[i] as number) - f(x[i] as number)) ** 2;
    total += c;
  }
  return total > 0 ? sum / total : 0;
}
