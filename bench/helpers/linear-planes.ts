// The spike planes a spike-driven linear layer really consumes: its input through the identity code
// Q(x) (src/ops/spiking/context.ts encodeFixed), then split by sign into 2T planes (signedPlanes in
// src/ops/spiking/products.ts), the same functions the spiking OpSet calls. Inputs are Gaussian; the
// code's range is a power of two, as the models' static ranges are.
import { readFile } from 'node:fs/promises';
import type { Kernels, SpikePlanes } from '../../src/index.js';
import { identityNeuron, neuronTables } from '../../src/neurons/neuron.js';
import { signedPlanes } from '../../src/ops/spiking/products.js';
import { Scratch } from '../../src/ops/spiking/scratch.js';
import { fire } from '../../src/ops/spiking/spike-train.js';
import { gaussian, seededRandom } from '../../src/random.js';

export interface LinearPlanesCase {
  readonly label: string;
  /** Identity-code timesteps. */
  readonly T: number;
  /** The code's range, in standard deviations of the input (a power of two). */
  readonly alpha: number;
  /** true: the 2T sign-split planes of a signed input (what the models run); false: T planes of |x|. */
  readonly signed: boolean;
}

export interface LinearPlanes {
  readonly planes: SpikePlanes;
  /** (planes) value of one spike in each plane. */
  readonly scale: Float32Array;
  /** (M, K) the decoded input Q(x), to check the planes against a dense product. */
  readonly decoded: Float32Array;
  /** Spikes over all planes, per input element. */
  readonly spikesPerInput: number;
  /** Share of the (planes, M, K) bits that are set. */
  readonly rate: number;
}

/** (n) standard normal, seeded. */
function gaussianInput(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => gaussian(random));
}

/** The planes of one case for an (M, K) input: copies, so they outlive the scratch buffers. */
export function linearPlanes(kernels: Kernels, c: LinearPlanesCase, M: number, K: number, seed: number): LinearPlanes {
  const normal = gaussianInput(M * K, seed); // (M, K)
  const x = c.signed ? normal : normal.map(Math.abs); // (M, K)
  const scratch = new Scratch();
  const train = fire(kernels, neuronTables(identityNeuron(c.T, c.alpha)), x, M, true, scratch, 'bench');
  const { planes, scale } = c.signed
    ? signedPlanes(train, 1, scratch)
    : { planes: train.spikes.planes, scale: Float32Array.from(train.planeValue) };
  const copy: SpikePlanes = { ...planes, bits: planes.bits.slice() };
  return {
    planes: copy,
    scale: scale.slice(),
    decoded: train.y.slice(),
    spikesPerInput: train.total / (M * K),
    rate: train.total / (planes.planes * M * K),
  };
}

/**
 * Spikes per input of the linear layers' inputs in a recorded model evaluation (its energy sites of the
 * family "linearInputs"), or undefined when the file is missing: the figure bench/kernels.ts's cases bracket.
 */
export async function recordedLinearSpikes(file: URL): Promise<{ T: number; spikesPerInput: number } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const report = JSON.parse(text) as {
    energy?: { sites?: Array<{ family: string; spikes: number; neuronInputs: number; neuronSteps: number }> };
  };
  const sites = (report.energy?.sites ?? []).filter((s) => s.family === 'linearInputs' && s.neuronInputs > 0);
  if (sites.length === 0) return undefined;
  const inputs = sites.reduce((n, s) => n + s.neuronInputs, 0);
  const spikes = sites.reduce((n, s) => n + s.spikes, 0);
  const steps = sites.reduce((n, s) => n + s.neuronSteps, 0);
  return { T: Math.round(steps / inputs), spikesPerInput: spikes / inputs };
}

/** Spikes of one plane set (its set bits), by popcount. */
export function setBits(planes: SpikePlanes): number {
  let count = 0;
  for (const word of planes.bits) {
    for (let v = word >>> 0; v !== 0; v &= v - 1) count++;
  }
  return count;
}
