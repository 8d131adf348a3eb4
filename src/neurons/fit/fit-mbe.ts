// Fits an MBE neuron to a target function (ALGORITHM.md "Fitting"): the training loop. Surrogate-gradient
// Adam on the log-parameters, in phases that each restart from the best parameters so far; the readout
// (w, b) solved in closed form at every step; the parameters with the best true (Heaviside) loss kept.
// Deterministic for a given seed. Where it starts: mbe-init.ts; what the parameters mean: mbe-params.ts.
import type { MbeNeuron } from '../neuron.js';
import { Adam } from './adam.js';
import { initialLayout, type MbeInitSettings } from './mbe-init.js';
import { chainToTheta, schedulesOf, toNeuron } from './mbe-params.js';
import { solveReadout } from './ridge.js';
import type { SampleSet } from './samples.js';
import { backward, basisOutputs, tableGradients } from './surrogate.js';

export { effectiveDomain } from './mbe-init.js';
export type { MbeMode } from './mbe-params.js';

export interface MbeFitSettings extends MbeInitSettings {
  readonly epochs: number;
  readonly learningRate: number;
  /** Learning rate multiplier per epoch. */
  readonly lrDecay: number;
  /**
   * The epochs are split into this many phases; each later phase restarts Adam from the best parameters
   * so far at half the previous phase's starting rate (it escapes the oscillation a single decay leaves).
   */
  readonly phases: number;
}

export interface MbeFitResult {
  readonly neuron: MbeNeuron;
  /** Training MSE (float64 simulation) of the kept parameters. */
  readonly trainMse: number;
  /** Epoch at which the kept parameters were seen. */
  readonly bestEpoch: number;
  /** Training MSE per epoch, for plots. */
  readonly history: Float64Array;
}

/** Fits one neuron from one initialisation. `samples` must already be folded for sign-magnitude. */
export function fitMbe(samples: SampleSet, f: (x: number) => number, settings: MbeFitSettings): MbeFitResult {
  const { N, T, mode, epochs } = settings;
  const M = samples.x.length;
  const layout = initialLayout(settings, f);
  const theta = layout.theta.slice();
  let adam = new Adam(theta.length);
  const withBias = mode !== 'paper';
  const phaseLength = Math.ceil(epochs / settings.phases);
  const o = new Float64Array(N * M); // (N, M) basis outputs
  const gradOut = new Float64Array(N * M); // (N, M) dL/do
  const grads = tableGradients(N, T);
  const gradTheta = new Float64Array(theta.length);
  const history = new Float64Array(epochs + 1);
  interface Kept {
    mse: number;
    theta: Float64Array;
    weight: Float64Array;
    bias: number;
    epoch: number;
  }
  let best: Kept = { mse: Infinity, theta: theta.slice(), weight: new Float64Array(N), bias: 0, epoch: 0 };
  let lr = settings.learningRate;
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const s = schedulesOf(layout, theta, settings);
    basisOutputs(s, samples.x, o);
    const readout = solveReadout(o, samples.f, N, withBias);
    history[epoch] = readout.mse;
    if (readout.mse < best.mse) {
      best = { mse: readout.mse, theta: theta.slice(), weight: readout.weight, bias: readout.bias, epoch };
    }
    if (epoch === epochs) break;
    if (epoch > 0 && epoch % phaseLength === 0) {
      // A new phase: restart from the best parameters seen, with a fresh optimiser and half the rate.
      theta.set(best.theta);
      adam = new Adam(theta.length);
      lr = settings.learningRate * 0.5 ** (epoch / phaseLength);
      continue;
    }
    // dL/do_n(m) = 2/M (y_m - f_m) w_n, with (w, b) held at their optimum (variable projection).
    for (let m = 0; m < M; m++) {
      const e = (2 / M) * (readout.residual[m] as number);
      for (let n = 0; n < N; n++) gradOut[n * M + m] = e * (readout.weight[n] as number);
    }
    backward(s, samples.x, gradOut, grads);
    chainToTheta(s, theta, layout.learned, grads, gradTheta, mode);
    adam.update(theta, gradTheta, lr);
    lr *= settings.lrDecay;
  }
  const neuron = toNeuron(layout, best.theta, best.weight, best.bias, settings);
  return { neuron, trainMse: best.mse, bestEpoch: best.epoch, history };
}
