// The optimisation loop the MBE and the fair FS fits share: variable projection (the linear readout solved in
// closed form at every epoch, Adam on the schedule parameters theta only), restart phases (each from the best
// parameters seen, with a fresh optimiser and half the rate), and the parameters of the best true loss kept.
import { Adam } from './adam.js';
import { solveReadout, type Readout } from './ridge.js';

/** What a fit is over: the readout's columns at theta, and the gradient of the loss in theta. */
export interface ProjectedProblem {
  /** Columns of the readout. */
  readonly columns: number;
  /** Whether the readout has a bias. */
  readonly withBias: boolean;
  /** Fills and returns (columns, samples) the outputs the readout combines, at theta. */
  outputs(theta: Float64Array): Float64Array;
  /** Writes dL/dtheta into `gradTheta` at theta, the one `outputs` was last called with, and its readout. */
  gradient(theta: Float64Array, readout: Readout, gradTheta: Float64Array): void;
}

export interface ProjectedSettings {
  readonly epochs: number;
  readonly phases: number;
  readonly learningRate: number;
  readonly lrDecay: number;
}

export interface ProjectedFit {
  /** The kept parameters and their readout. */
  readonly theta: Float64Array;
  readonly weight: Float64Array;
  readonly bias: number;
  readonly mse: number;
  readonly epoch: number;
  /** Training MSE per epoch. */
  readonly history: Float64Array;
}

/** Fits theta (changed in place) to the targets f (samples) of `problem`. */
export function projectedFit(
  theta: Float64Array,
  f: Float64Array,
  problem: ProjectedProblem,
  settings: ProjectedSettings,
): ProjectedFit {
  const { epochs } = settings;
  let adam = new Adam(theta.length);
  const phaseLength = Math.ceil(epochs / settings.phases);
  const gradTheta = new Float64Array(theta.length);
  const history = new Float64Array(epochs + 1);
  let best: Omit<ProjectedFit, 'history'> = {
    mse: Infinity,
    theta: theta.slice(),
    weight: new Float64Array(problem.columns),
    bias: 0,
    epoch: 0,
  };
  let lr = settings.learningRate;
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const readout = solveReadout(problem.outputs(theta), f, problem.columns, problem.withBias);
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
    problem.gradient(theta, readout, gradTheta);
    adam.update(theta, gradTheta, lr);
    lr *= settings.lrDecay;
  }
  return { ...best, history };
}
