// The MBE fit's parameterisation (ALGORITHM.md "Fitting"): five log-parameters per basis, the schedules they
// give (Vth_t = aV e^(-lamV t), r_t = aR e^(-lamR t), d_t = e^(-lamD t)), the chain rule from the schedules'
// gradients back to them, and the MbeNeuron record they become.
import type { MbeNeuron } from '../neuron.js';
import type { Schedules, TableGradients } from './surrogate.js';

/**
 * - `mbe`: the neuron of ALGORITHM.md (polarity split, per-basis amplitudes and decays, bias);
 * - `no-decay`: lam = 0, constant Vth, r, d (the ablation of Fig. 6c);
 * - `paper`: the paper-literal neuron: u[0] = x, one fixed alpha for every amplitude, no bias.
 */
export type MbeMode = 'mbe' | 'no-decay' | 'paper';

/** What fixes the meaning of the parameter vector and the record it becomes. */
export interface MbeForm {
  readonly N: number;
  readonly T: number;
  readonly mode: MbeMode;
  /** Fit f on |x| and carry the sign (odd functions); the domain is then [0, max |a|, |b|]. */
  readonly signMagnitude: boolean;
}

/** Slots of the parameter vector, per basis. */
export const SLOTS = 5; // log aV, log aR, log lamV, log lamR, log lamD

/** What the initialisation fixes: the bases' polarity and shift, the starting vector and which slots move. */
export interface Layout {
  readonly polarity: Float64Array;
  readonly shift: Float64Array;
  /** (N * SLOTS) initial log-values */
  readonly theta: Float64Array;
  /** (N * SLOTS) whether the optimiser moves each slot */
  readonly learned: Uint8Array;
}

/** The decay rate in slot k (2, 3 or 4) of basis n: e^theta, or 0 for the no-decay neuron. */
function decayRate(theta: Float64Array, n: number, k: number, mode: MbeMode): number {
  return mode !== 'no-decay' ? Math.exp(theta[n * SLOTS + k] as number) : 0;
}

/** Vth, r, d tables from the parameter vector. */
export function schedulesOf(layout: Layout, theta: Float64Array, form: MbeForm): Schedules {
  const { N, T, mode } = form;
  const vth = new Float64Array(N * T);
  const reset = new Float64Array(N * T);
  const intensity = new Float64Array(N * T);
  for (let n = 0; n < N; n++) {
    const slot = n * SLOTS;
    const aV = Math.exp(theta[slot] as number);
    const aR = Math.exp(theta[slot + 1] as number);
    const lamV = decayRate(theta, n, 2, mode);
    const lamR = decayRate(theta, n, 3, mode);
    const lamD = decayRate(theta, n, 4, mode);
    for (let t = 0; t < T; t++) {
      vth[n * T + t] = aV * Math.exp(-lamV * t);
      reset[n * T + t] = aR * Math.exp(-lamR * t);
      intensity[n * T + t] = Math.exp(-lamD * t);
    }
  }
  return { N, T, polarity: layout.polarity, shift: layout.shift, vth, reset, intensity };
}

/** dL/dtheta from the table gradients: d Vth_t / d log aV = Vth_t, d Vth_t / d log lamV = -t lamV Vth_t. */
export function chainToTheta(
  s: Schedules,
  theta: Float64Array,
  learned: Uint8Array,
  grads: TableGradients,
  out: Float64Array,
  mode: MbeMode,
): void {
  const { N, T } = s;
  out.fill(0);
  for (let n = 0; n < N; n++) {
    const slot = n * SLOTS;
    const lamV = decayRate(theta, n, 2, mode);
    const lamR = decayRate(theta, n, 3, mode);
    const lamD = decayRate(theta, n, 4, mode);
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

/** The neuron record of a parameter vector and its readout. */
export function toNeuron(
  layout: Layout,
  theta: Float64Array,
  weight: Float64Array,
  bias: number,
  form: MbeForm,
): MbeNeuron {
  const { N, T, mode } = form;
  const amplitude = (k: number) => Array.from({ length: N }, (_, n) => Math.exp(theta[n * SLOTS + k] as number));
  const decay = (k: number) => Array.from({ length: N }, (_, n) => decayRate(theta, n, k, mode));
  return {
    kind: 'mbe',
    N,
    T,
    polarity: Array.from(layout.polarity),
    shift: Array.from(layout.shift),
    aV: amplitude(0),
    aR: amplitude(1),
    lamV: decay(2),
    lamR: decay(3),
    lamD: decay(4),
    weight: Array.from(weight),
    bias,
    signMagnitude: form.signMagnitude,
  };
}
