// Fits an MBE neuron to a target function (ALGORITHM.md "Fitting"): the training loop. Surrogate-gradient
// Adam on the log-parameters, in phases that each restart from the best parameters so far; the readout
// (w, b) solved in closed form at every step; the parameters with the best true (Heaviside) loss kept.
// Deterministic for a given seed. Where it starts: mbe-init.ts; what the parameters mean: mbe-params.ts.
import type { MbeNeuron } from '../neuron.js';
import { initialLayout, type MbeInitSettings } from './mbe-init.js';
import { chainToTheta, schedulesOf, toNeuron } from './mbe-params.js';
import { projectedFit, type ProjectedProblem } from './projected-fit.js';
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
  const { N, T, mode } = settings;
  const M = samples.x.length;
  const layout = initialLayout(settings, f);
  const o = new Float64Array(N * M); // (N, M) basis outputs
  const gradOut = new Float64Array(N * M); // (N, M) dL/do
  const grads = tableGradients(N, T);
  let s = schedulesOf(layout, layout.theta, settings); // the schedules of the theta last evaluated
  const problem: ProjectedProblem = {
    columns: N,
    withBias: mode !== 'paper',
    outputs: (theta) => {
      s = schedulesOf(layout, theta, settings);
      basisOutputs(s, samples.x, o);
      return o;
    },
    gradient: (theta, readout, gradTheta) => {
      // dL/do_n(m) = 2/M (y_m - f_m) w_n, with (w, b) held at their optimum (variable projection).
      for (let m = 0; m < M; m++) {
        const e = (2 / M) * (readout.residual[m] as number);
        for (let n = 0; n < N; n++) gradOut[n * M + m] = e * (readout.weight[n] as number);
      }
      backward(s, samples.x, gradOut, grads);
      chainToTheta(s, theta, layout.learned, grads, gradTheta, mode);
    },
  };
  const best = projectedFit(layout.theta.slice(), samples.f, problem, settings);
  const neuron = toNeuron(layout, best.theta, best.weight, best.bias, settings);
  return { neuron, trainMse: best.mse, bestEpoch: best.epoch, history: best.history };
}
