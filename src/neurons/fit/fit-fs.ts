// Fits a Few-Spikes neuron (Eq. 1-3) with the same surrogate gradient as the MBE fit, in two forms.
//
//   literal (fs-binary, fs-random), the paper's FS:  u[0] = x,  y = sum_t d[t] s[t];  Vth, r, d all learned by
//     Adam in units of alpha = max |x|. An input below every threshold (x < 0 here) never fires.
//   fair (fs-fair-binary, fs-fair-random): the input shifted by c, so every input from c up is >= 0 and can
//     fire, and a bias b; inputs below c read b.
//       u[1] = x - c;  s[t] = H(u[t] - Vth'[t]);  u[t+1] = u[t] - r[t] s[t];  y = b + sum_{t=1}^{T-1} d[t] s[t]
//     c is the domain's lower end lo, or where f stops being flat (GELU's left tail: coding it would spend the
//     largest steps on f = 0). Fitted like the MBE neuron: Vth', r as log-multipliers of the binary envelope
//     R 2^-t (R = hi - c) by Adam in restart phases, (d, b) solved in closed form at every step.
//     FsNeuron has no shift and no bias field, so the record carries both as plain FS tables: the shift folds
//     exactly into the thresholds (Vth[t] = Vth'[t] + c: a reset moves u and x - c alike), and step 0 holds
//     the bias (Vth[0] below the domain, so it always fires; r[0] = 0, d[0] = b), leaving T - 1 coding steps.
//
// Initialisations: `binary` is Vth = r = alpha 2^-(t+1) (the exact quantiser; literal also d = alpha 2^-(t+1));
// `random` is uniform on (0, alpha) for literal (the paper's EDI ablation; silent on most of a wide domain),
// and the binary envelope times uniform factors in (1/2, 3/2) for fair, so every threshold lies inside the
// shifted range and the neuron fires from the start.
import type { FsNeuron } from '../neuron.js';
import { Adam } from './adam.js';
import { projectedFit, type ProjectedProblem } from './projected-fit.js';
import { solveReadout } from './ridge.js';
import type { SampleSet } from './samples.js';
import { backward, basisOutputs, tableGradients, type Schedules } from './surrogate.js';
import { seededRandom } from '../../random.js';

export type FsInit = 'binary' | 'random';
/** `literal`: u[0] = x, no bias (the paper's FS); `fair`: the input shifted by c and a bias (see the header). */
export type FsForm = 'literal' | 'fair';

export interface FsFitSettings {
  readonly T: number;
  /** The fitting domain, after sign-magnitude folding. */
  readonly domain: readonly [number, number];
  readonly form: FsForm;
  readonly init: FsInit;
  readonly signMagnitude: boolean;
  readonly epochs: number;
  readonly learningRate: number;
  readonly lrDecay: number;
  /** Fair form: restart phases from the best parameters, each at half the rate (the literal form has none). */
  readonly phases: number;
  readonly seed: number;
}

export interface FsFitResult {
  readonly neuron: FsNeuron;
  readonly trainMse: number;
  readonly bestEpoch: number;
  readonly history: Float64Array;
}

type InitSettings = Pick<FsFitSettings, 'T' | 'domain' | 'form' | 'init' | 'signMagnitude' | 'seed'>;

/** Fits one FS neuron from one initialisation. `samples` must already be folded for sign-magnitude. */
export function fitFs(samples: SampleSet, f: (x: number) => number, settings: FsFitSettings): FsFitResult {
  return settings.form === 'fair' ? fitFair(samples, f, settings) : fitLiteral(samples, settings);
}

/** The neuron a fit starts from (for diagnostics such as its firing rate). */
export function initialFsNeuron(samples: SampleSet, f: (x: number) => number, settings: InitSettings): FsNeuron {
  if (settings.form === 'literal') {
    const alpha = literalScale(settings.domain);
    return literalNeuron(literalTheta(settings), settings.T, alpha, settings.signMagnitude);
  }
  const code = fairCode(settings.domain, f);
  const theta = fairTheta(settings);
  const s = fairSchedules(theta, code, settings.T - 1);
  const spikes = spikeTrains(s, samples.x, new Float64Array(s.T * samples.x.length));
  const readout = solveReadout(spikes, samples.f, s.T, true);
  return fairNeuron(theta, code, readout.weight, readout.bias, settings);
}

/** Mean number of spikes per input (every step counted, the fair form's bias step included). */
export function spikesPerInput(neuron: FsNeuron, x: ArrayLike<number>): number {
  let spikes = 0;
  for (let m = 0; m < x.length; m++) {
    const xm = x[m] as number;
    let u = neuron.signMagnitude ? Math.abs(xm) : xm;
    for (let t = 0; t < neuron.T; t++) {
      if (u >= (neuron.vth[t] as number)) {
        u -= neuron.reset[t] as number;
        spikes++;
      }
    }
  }
  return x.length > 0 ? spikes / x.length : 0;
}

// ---- literal: every table learned by Adam, in units of alpha ----

function literalScale(domain: readonly [number, number]): number {
  return Math.max(Math.abs(domain[0]), Math.abs(domain[1])) || 1;
}

/** theta = (vth, reset, intensity) / alpha: (3, T). */
function literalTheta({ T, init, seed }: InitSettings): Float64Array {
  const random = seededRandom(0xf5 + seed);
  const theta = new Float64Array(3 * T);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < 3; k++) theta[k * T + t] = init === 'binary' ? 2 ** -(t + 1) : random();
  }
  return theta;
}

function fitLiteral(samples: SampleSet, settings: FsFitSettings): FsFitResult {
  const { T, epochs } = settings;
  const M = samples.x.length;
  const alpha = literalScale(settings.domain);
  const theta = literalTheta(settings); // (3, T)
  const adam = new Adam(theta.length);
  const o = new Float64Array(M); // (1, M)
  const gradOut = new Float64Array(M); // (1, M)
  const grads = tableGradients(1, T);
  const gradTheta = new Float64Array(3 * T); // (3, T)
  const history = new Float64Array(epochs + 1);
  let best = { mse: Infinity, theta: theta.slice(), epoch: 0 };
  let lr = settings.learningRate;
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const s = literalSchedules(theta, T, alpha);
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
  const neuron = literalNeuron(best.theta, T, alpha, settings.signMagnitude);
  return { neuron, trainMse: best.mse, bestEpoch: best.epoch, history };
}

function literalSchedules(theta: Float64Array, T: number, alpha: number): Schedules {
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

function literalNeuron(theta: Float64Array, T: number, alpha: number, signMagnitude: boolean): FsNeuron {
  const scaled = (k: number) => Array.from(theta.subarray(k * T, (k + 1) * T), (v) => v * alpha);
  return { kind: 'fs', T, vth: scaled(0), reset: scaled(1), intensity: scaled(2), signMagnitude };
}

// ---- fair: shifted input, Vth' and r by Adam as log-multipliers of the binary envelope, (d, b) in closed form ----

/** The coding steps' membrane starts at x - shift and covers `range` = hi - shift; [lo, hi] is the domain. */
interface FairCode {
  readonly lo: number;
  readonly hi: number;
  readonly shift: number;
  readonly range: number;
}

/** Below this fraction of f's span, f counts as flat (its value there is the bias). */
const FLAT = 1e-4;
/** Cells of the grid on which fairCode looks for where f stops being flat. */
const GRID = 1000;

/**
 * The shift is where f starts to vary: the lower end of the domain unless f is flat there (GELU's left
 * tail), where coding would waste the largest steps; inputs below the shift do not fire and read b.
 */
function fairCode(domain: readonly [number, number], f: (x: number) => number): FairCode {
  const [lo, hi] = domain;
  const values = Array.from({ length: GRID + 1 }, (_, i) => f(lo + ((hi - lo) * i) / GRID));
  const span = Math.max(...values) - Math.min(...values);
  const first = values.findIndex((v) => Math.abs(v - (values[0] as number)) > FLAT * span);
  const shift = lo + ((hi - lo) * Math.max(first - 1, 0)) / GRID;
  return { lo, hi, shift, range: hi - shift || 1 };
}

/** theta = log(Vth' / e[k]), log(r / e[k]) of the K = T - 1 coding steps, e[k] = R 2^-(k+1): (2, K). */
function fairTheta({ T, init, seed }: InitSettings): Float64Array {
  const K = T - 1;
  const random = seededRandom(0xfa1 + seed);
  // A factor in (1/2, 3/2) keeps step k's threshold inside what is left of the shifted range after k steps.
  const logFactor = () => (init === 'binary' ? 0 : Math.log(0.5 + random()));
  const theta = new Float64Array(2 * K);
  for (let i = 0; i < 2 * K; i++) theta[i] = logFactor();
  return theta;
}

function fitFair(samples: SampleSet, f: (x: number) => number, settings: FsFitSettings): FsFitResult {
  const K = settings.T - 1;
  const M = samples.x.length;
  const code = fairCode(settings.domain, f);
  const spikes = new Float64Array(K * M); // (K, M) s[t] of each coding step and sample
  const gradOut = new Float64Array(M); // (1, M) dL/do
  const grads = tableGradients(1, K);
  let s: Schedules | undefined; // the schedules of the theta last evaluated
  const problem: ProjectedProblem = {
    columns: K,
    withBias: true,
    outputs: (theta) => {
      s = fairSchedules(theta, code, K);
      spikeTrains(s, samples.x, spikes);
      return spikes;
    },
    gradient: (_theta, readout, gradTheta) => {
      const at = s as Schedules;
      // Variable projection: (d, b) held at their optimum, the gradient reaches Vth' and r through d.
      for (let m = 0; m < M; m++) gradOut[m] = (2 / M) * (readout.residual[m] as number);
      backward({ ...at, intensity: readout.weight }, samples.x, gradOut, grads);
      for (let k = 0; k < K; k++) {
        gradTheta[k] = (grads.vth[k] as number) * (at.vth[k] as number); // dL/dlog(Vth') = Vth' dL/dVth'
        gradTheta[K + k] = (grads.reset[k] as number) * (at.reset[k] as number);
      }
    },
  };
  const best = projectedFit(fairTheta(settings), samples.f, problem, settings); // theta (2, K)
  const neuron = fairNeuron(best.theta, code, best.weight, best.bias, settings);
  return { neuron, trainMse: best.mse, bestEpoch: best.epoch, history: best.history };
}

/** The coding steps as one basis shifted by c (intensities unused: the spikes are read one by one). */
function fairSchedules(theta: Float64Array, code: FairCode, K: number): Schedules {
  const table = (k: number) =>
    Float64Array.from({ length: K }, (_, t) => fairScale(code, t) * Math.exp(theta[k * K + t] as number));
  return {
    N: 1,
    T: K,
    polarity: Float64Array.of(1),
    shift: Float64Array.of(code.shift),
    vth: table(0),
    reset: table(1),
    intensity: new Float64Array(K).fill(1),
  };
}

/** The binary envelope R 2^-(k+1) of coding step k. */
function fairScale(code: FairCode, k: number): number {
  return code.range * 2 ** -(k + 1);
}

/** The record: bias step 0, then the coding steps with the shift folded into their thresholds. */
function fairNeuron(
  theta: Float64Array,
  code: FairCode,
  d: Float64Array,
  b: number,
  settings: Pick<FsFitSettings, 'T' | 'signMagnitude'>,
): FsNeuron {
  const K = settings.T - 1;
  const s = fairSchedules(theta, code, K);
  // A domain's width below it, so step 0 fires on every input (float32 rounding included).
  const vth = [code.lo - (code.hi - code.lo)];
  const reset = [0];
  const intensity = [b];
  for (let k = 0; k < K; k++) {
    vth.push((s.vth[k] as number) + code.shift);
    reset.push(s.reset[k] as number);
    intensity.push(d[k] as number);
  }
  return { kind: 'fs', T: settings.T, vth, reset, intensity, signMagnitude: settings.signMagnitude };
}

/** out[t * M + m] = s[t] of sample m through the single basis of s: (T, M). */
function spikeTrains(s: Schedules, x: Float64Array, out: Float64Array): Float64Array {
  const M = x.length;
  const c = s.shift[0] as number;
  for (let m = 0; m < M; m++) {
    let u = (x[m] as number) - c;
    for (let t = 0; t < s.T; t++) {
      const fire = u >= (s.vth[t] as number);
      if (fire) u -= s.reset[t] as number;
      out[t * M + m] = fire ? 1 : 0;
    }
  }
  return out;
}
