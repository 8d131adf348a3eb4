// Fits an MBE neuron to a target function (ALGORITHM.md "Fitting"): surrogate-gradient Adam on the
// log-parameterised schedules, the readout (w, b) solved in closed form at every step, and the
// parameters with the best true (Heaviside) loss kept. Deterministic for a given seed.
import type { MbeNeuron } from '../neuron.js';
import { Adam } from './adam.js';
import { solveReadout } from './ridge.js';
import type { SampleSet } from './samples.js';
import { backward, basisOutputs, type Schedules } from './surrogate.js';
import { gaussian, seededRandom } from '../../random.js';

/**
 * - `mbe`: the neuron of ALGORITHM.md (polarity split, per-basis amplitudes and decays, bias);
 * - `no-decay`: lam = 0, constant Vth, r, d (the ablation of Fig. 6c);
 * - `paper`: the paper-literal neuron: u[0] = x, one fixed alpha for every amplitude, no bias.
 */
export type MbeMode = 'mbe' | 'no-decay' | 'paper';

export interface MbeFitSettings {
  readonly N: number;
  readonly T: number;
  readonly domain: readonly [number, number];
  readonly mode: MbeMode;
  /** Fit f on |x| and carry the sign (odd functions); the domain is then [0, max |a|, |b|]. */
  readonly signMagnitude: boolean;
  readonly epochs: number;
  readonly learningRate: number;
  /** Learning rate multiplier per epoch. */
  readonly lrDecay: number;
  /**
   * The epochs are split into this many phases; each later phase restarts Adam from the best parameters
   * so far at half the previous phase's starting rate (it escapes the oscillation a single decay leaves).
   */
  readonly phases: number;
  /** Initialisation seed: 0 is the deterministic spread, others jitter it. */
  readonly seed: number;
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

/** ln 2 times these spread the bases' decay rates around the binary halving code. */
const SPREAD = [1, 0.75, 1.25, 0.5, 1.5, 0.625, 1.375, 0.875];

/** Slots of the parameter vector, per basis. */
const SLOTS = 5; // log aV, log aR, log lamV, log lamR, log lamD

interface Layout {
  readonly polarity: Float64Array;
  readonly shift: Float64Array;
  /** (N * SLOTS) initial log-values */
  readonly theta: Float64Array;
  /** (N * SLOTS) whether the optimiser moves each slot */
  readonly learned: Uint8Array;
}

/** The fitting domain after sign-magnitude folding. */
export function effectiveDomain(domain: readonly [number, number], signMagnitude: boolean): [number, number] {
  return signMagnitude ? [0, Math.max(Math.abs(domain[0]), Math.abs(domain[1]))] : [domain[0], domain[1]];
}

/** Initial parameters: polarity split around the shift, amplitudes from each side's span, spread decays. */
function initialLayout(settings: MbeFitSettings, f: (x: number) => number): Layout {
  const { N, mode, seed } = settings;
  const [a, b] = effectiveDomain(settings.domain, settings.signMagnitude);
  const random = seededRandom(0x5eed + seed);
  const jitter = (scale: number) => (seed === 0 ? 0 : scale * gaussian(random));
  const polarity = new Float64Array(N);
  const shift = new Float64Array(N);
  const theta = new Float64Array(N * SLOTS);
  const learned = new Uint8Array(N * SLOTS);
  // The shift is where the domain crosses 0, or its nearest end: each side's bases code distance from it.
  const c = mode === 'paper' ? 0 : a > 0 ? a : b < 0 ? b : 0;
  const positive = mode === 'paper' || c === a ? N : c === b ? 0 : Math.ceil(N / 2);
  let maxAbsF = 0;
  for (let i = 0; i <= 1000; i++) maxAbsF = Math.max(maxAbsF, Math.abs(f(a + ((b - a) * i) / 1000)));
  const spans = { positive: b - c, negative: c - a };
  const bends = { positive: curvatureSpan(f, c, b), negative: curvatureSpan(f, c, a) };
  for (let n = 0; n < N; n++) {
    const isPositive = n < positive;
    const k = isPositive ? n : n - positive; // rank within its side
    polarity[n] = isPositive ? 1 : -1;
    shift[n] = c;
    // The first basis of a side codes its whole span (linear parts need it); the others start on the
    // stretch where f bends, which is where the error concentrates (GELU's dip spans 5 of 120 units).
    const side = isPositive ? 'positive' : 'negative';
    const span = k === 0 ? spans[side] : bends[side];
    const alpha = mode === 'paper' ? maxAbsF || 1 : Math.max(span, 1e-6) / 2;
    const lam = Math.LN2 * (SPREAD[k % SPREAD.length] as number);
    const slot = n * SLOTS;
    theta[slot] = Math.log(alpha) + jitter(0.1);
    theta[slot + 1] = Math.log(alpha) + jitter(0.1);
    theta[slot + 2] = Math.log(lam) + jitter(0.15);
    theta[slot + 3] = Math.log(lam) + jitter(0.15);
    theta[slot + 4] = Math.log(lam) + jitter(0.15);
    const learnAmplitudes = mode !== 'paper';
    const learnDecays = mode !== 'no-decay';
    learned[slot] = learned[slot + 1] = learnAmplitudes ? 1 : 0;
    learned[slot + 2] = learned[slot + 3] = learned[slot + 4] = learnDecays ? 1 : 0;
  }
  return { polarity, shift, theta, learned };
}

/**
 * Distance from `from` towards `to` that holds 99% of |f''| (second differences on a grid): where f bends.
 * A side on which f is straight gets its full length.
 */
function curvatureSpan(f: (x: number) => number, from: number, to: number): number {
  const length = Math.abs(to - from);
  if (length === 0) return 0;
  const steps = 2000;
  const h = (to - from) / steps;
  const bend = new Float64Array(steps);
  let total = 0;
  for (let i = 1; i < steps; i++) {
    const x = from + i * h;
    const value = Math.abs(f(x + h) - 2 * f(x) + f(x - h));
    bend[i] = Number.isFinite(value) ? value : 0;
    total += bend[i] as number;
  }
  if (!(total > 0)) return length;
  let sum = 0;
  for (let i = 1; i < steps; i++) {
    sum += bend[i] as number;
    if (sum >= 0.99 * total) return Math.max((i + 1) * Math.abs(h), length / 256);
  }
  return length;
}

/** Vth, r, d tables from the parameter vector. */
function schedulesOf(layout: Layout, theta: Float64Array, N: number, T: number, mode: MbeMode): Schedules {
  const vth = new Float64Array(N * T);
  const reset = new Float64Array(N * T);
  const intensity = new Float64Array(N * T);
  for (let n = 0; n < N; n++) {
    const slot = n * SLOTS;
    const aV = Math.exp(theta[slot] as number);
    const aR = Math.exp(theta[slot + 1] as number);
    const decay = mode !== 'no-decay';
    const lamV = decay ? Math.exp(theta[slot + 2] as number) : 0;
    const lamR = decay ? Math.exp(theta[slot + 3] as number) : 0;
    const lamD = decay ? Math.exp(theta[slot + 4] as number) : 0;
    for (let t = 0; t < T; t++) {
      vth[n * T + t] = aV * Math.exp(-lamV * t);
      reset[n * T + t] = aR * Math.exp(-lamR * t);
      intensity[n * T + t] = Math.exp(-lamD * t);
    }
  }
  return { N, T, polarity: layout.polarity, shift: layout.shift, vth, reset, intensity };
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
  const grads = { vth: new Float64Array(N * T), reset: new Float64Array(N * T), intensity: new Float64Array(N * T) };
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
    const s = schedulesOf(layout, theta, N, T, mode);
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
      let y = readout.bias;
      for (let n = 0; n < N; n++) y += (readout.weight[n] as number) * (o[n * M + m] as number);
      const e = (2 / M) * (y - (samples.f[m] as number));
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

/** dL/dtheta from the table gradients: d Vth_t / d log aV = Vth_t, d Vth_t / d log lamV = -t lamV Vth_t. */
function chainToTheta(
  s: Schedules,
  theta: Float64Array,
  learned: Uint8Array,
  grads: { vth: Float64Array; reset: Float64Array; intensity: Float64Array },
  out: Float64Array,
  mode: MbeMode,
): void {
  const { N, T } = s;
  out.fill(0);
  for (let n = 0; n < N; n++) {
    const slot = n * SLOTS;
    const decay = mode !== 'no-decay';
    const lamV = decay ? Math.exp(theta[slot + 2] as number) : 0;
    const lamR = decay ? Math.exp(theta[slot + 3] as number) : 0;
    const lamD = decay ? Math.exp(theta[slot + 4] as number) : 0;
    let gAV = 0;
    let gAR = 0;
    let gLV = 0;
    let gLR = 0;
    let gLD = 0;
    for (let t = 0; t < T; t++) {
      const i = n * T + t;
      const gv = (grads.vth[i] as number) * (s.vth[i] as number);
      const gr = (grads.reset[i] as number) * (s.reset[i] as number);
      gAV += gv;
      gAR += gr;
      gLV -= t * lamV * gv;
      gLR -= t * lamR * gr;
      gLD -= t * lamD * (grads.intensity[i] as number) * (s.intensity[i] as number);
    }
    const values = [gAV, gAR, gLV, gLR, gLD];
    for (let k = 0; k < SLOTS; k++) out[slot + k] = learned[slot + k] ? (values[k] as number) : 0;
  }
}

function toNeuron(
  layout: Layout,
  theta: Float64Array,
  weight: Float64Array,
  bias: number,
  settings: MbeFitSettings,
): MbeNeuron {
  const { N, T, mode } = settings;
  const pick = (k: number, isDecay: boolean) =>
    Array.from({ length: N }, (_, n) =>
      isDecay && mode === 'no-decay' ? 0 : Math.exp(theta[n * SLOTS + k] as number),
    );
  return {
    kind: 'mbe',
    N,
    T,
    polarity: Array.from(layout.polarity),
    shift: Array.from(layout.shift),
    aV: pick(0, false),
    aR: pick(1, false),
    lamV: pick(2, true),
    lamR: pick(3, true),
    lamD: pick(4, true),
    weight: Array.from(weight),
    bias,
    signMagnitude: settings.signMagnitude,
  };
}
