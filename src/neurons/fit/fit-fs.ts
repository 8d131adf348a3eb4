// Fits a Few-Spikes neuron (Eq. 1-3): free Vth[t], r[t], d[t], output sum_t d[t] s[t], with the same
// surrogate gradient and optimiser as the MBE fit. The parameters are optimised in units of alpha so one
// learning rate suits every domain.
import type { FsNeuron } from '../neuron.js';
import { Adam } from './adam.js';
import type { SampleSet } from './samples.js';
import { backward, basisOutputs, tableGradients, type Schedules } from './surrogate.js';
import { seededRandom } from '../../random.js';

/** `binary`: Vth = r = d = alpha 2^-(t+1), the exact quantiser; `random`: uniform on (0, alpha) (the EDI ablation). */
export type FsInit = 'binary' | 'random';

export interface FsFitSettings {
  readonly T: number;
  readonly domain: readonly [number, number];
  readonly init: FsInit;
  readonly signMagnitude: boolean;
  readonly epochs: number;
  readonly learningRate: number;
  readonly lrDecay: number;
  readonly seed: number;
}

export interface FsFitResult {
  readonly neuron: FsNeuron;
  readonly trainMse: number;
  readonly bestEpoch: number;
  readonly history: Float64Array;
}

export function fitFs(samples: SampleSet, settings: FsFitSettings): FsFitResult {
  const { T, epochs } = settings;
  const M = samples.x.length;
  const alpha = Math.max(Math.abs(settings.domain[0]), Math.abs(settings.domain[1])) || 1;
  const random = seededRandom(0xf5 + settings.seed);
  // theta = (vth, reset, intensity) / alpha: (3, T)
  const theta = new Float64Array(3 * T);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < 3; k++) theta[k * T + t] = settings.init === 'binary' ? 2 ** -(t + 1) : random();
  }
  const adam = new Adam(theta.length);
  const o = new Float64Array(M); // (1, M)
  const gradOut = new Float64Array(M); // (1, M)
  const grads = tableGradients(1, T);
  const gradTheta = new Float64Array(3 * T);
  const history = new Float64Array(epochs + 1);
  let best = { mse: Infinity, theta: theta.slice(), epoch: 0 };
  let lr = settings.learningRate;
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const s = schedules(theta, T, alpha);
    basisOutputs(s, samples.x, o);
    let mse = 0;
    for (let m = 0; m < M; m++) {
      const e = (o[m] as number) - (samples.f[m] as number);
      mse += e * e;
      gradOut[m] = (2 / M) * e;
    }
    mse /= M;
    history[epoch] = mse;
    if (mse < best.mse) best = { mse, theta: theta.slice(), epoch };
    if (epoch === epochs) break;
    backward(s, samples.x, gradOut, grads);
    for (let t = 0; t < T; t++) {
      gradTheta[t] = (grads.vth[t] as number) * alpha;
      gradTheta[T + t] = (grads.reset[t] as number) * alpha;
      gradTheta[2 * T + t] = (grads.intensity[t] as number) * alpha;
    }
    adam.update(theta, gradTheta, lr);
    lr *= settings.lrDecay;
  }
  const scaled = (k: number) => Array.from(best.theta.subarray(k * T, (k + 1) * T), (v) => v * alpha);
  const neuron: FsNeuron = {
    kind: 'fs',
    T,
    vth: scaled(0),
    reset: scaled(1),
    intensity: scaled(2),
    signMagnitude: settings.signMagnitude,
  };
  return { neuron, trainMse: best.mse, bestEpoch: best.epoch, history };
}

function schedules(theta: Float64Array, T: number, alpha: number): Schedules {
  const scaled = (k: number) => theta.subarray(k * T, (k + 1) * T).map((v) => v * alpha);
  return {
    N: 1,
    T,
    polarity: Float64Array.of(1),
    shift: Float64Array.of(0),
    vth: scaled(0),
    reset: scaled(1),
    intensity: scaled(2),
  };
}
