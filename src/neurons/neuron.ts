// Neurons as immutable parameter records, and the pure functions that turn them into the tables the
// membrane kernel runs (ALGORITHM.md section 1).
//
//   MBE basis n:  Vth_n[t] = aV_n exp(-lamV_n t),  r_n[t] = aR_n exp(-lamR_n t),  d_n[t] = exp(-lamD_n t)
//                 u_n[0] = p_n (x - c_n);  y = sum_n w_n o_n[T] + b
//   FS:           one basis with free Vth[t], r[t], d[t] and y = sum_t d[t] s[t] (Eq. 1-3)
import { InvalidArgumentError } from '../errors.js';
import { MAX_BASES, MAX_TIMESTEPS, type Kernels, type MembraneTables } from '../kernels/index.js';

/** A multi-basis exponential-decay neuron: 6N + 1 numbers plus the fixed polarity and shift of each basis. */
export interface MbeNeuron {
  readonly kind: 'mbe';
  readonly N: number;
  readonly T: number;
  /** (N) +1 or -1 */
  readonly polarity: readonly number[];
  /** (N) fixed input shift c_n */
  readonly shift: readonly number[];
  /** (N) threshold and reset amplitudes */
  readonly aV: readonly number[];
  readonly aR: readonly number[];
  /** (N) decay rates (dt / tau); 0 means no decay */
  readonly lamV: readonly number[];
  readonly lamR: readonly number[];
  readonly lamD: readonly number[];
  /** (N) readout weights */
  readonly weight: readonly number[];
  readonly bias: number;
  /** The neuron sees |x| and its output takes the sign of x (odd functions, the identity code). */
  readonly signMagnitude: boolean;
}

/** A Few-Spikes neuron: free per-step threshold, reset and intensity, no readout. */
export interface FsNeuron {
  readonly kind: 'fs';
  readonly T: number;
  /** (T) each */
  readonly vth: readonly number[];
  readonly reset: readonly number[];
  readonly intensity: readonly number[];
  readonly signMagnitude: boolean;
}

export type Neuron = MbeNeuron | FsNeuron;

/** Bases of a neuron (FS has one). */
export function basesOf(neuron: Neuron): number {
  return neuron.kind === 'mbe' ? neuron.N : 1;
}

/** Checks a neuron record; throws InvalidArgumentError naming the first bad field. */
export function checkNeuron(neuron: Neuron, where = 'neuron'): void {
  const T = neuron.T;
  if (!Number.isInteger(T) || T < 1 || T > MAX_TIMESTEPS) {
    throw new InvalidArgumentError(`${where}.T must be an integer in [1, ${MAX_TIMESTEPS}], got ${String(T)}`);
  }
  const vector = (field: string, values: readonly number[], length: number) => {
    if (!Array.isArray(values) || values.length !== length) {
      throw new InvalidArgumentError(`${where}.${field} must be an array of ${length} numbers`);
    }
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new InvalidArgumentError(`${where}.${field}[${i}] must be a finite number, got ${String(v)}`);
      }
    });
  };
  if (neuron.kind === 'fs') {
    vector('vth', neuron.vth, T);
    vector('reset', neuron.reset, T);
    vector('intensity', neuron.intensity, T);
    return;
  }
  const N = neuron.N;
  if (!Number.isInteger(N) || N < 1 || N > MAX_BASES) {
    throw new InvalidArgumentError(`${where}.N must be an integer in [1, ${MAX_BASES}], got ${String(N)}`);
  }
  for (const field of ['polarity', 'shift', 'aV', 'aR', 'lamV', 'lamR', 'lamD', 'weight'] as const) {
    vector(field, neuron[field], N);
  }
  neuron.polarity.forEach((p, i) => {
    if (p !== 1 && p !== -1) throw new InvalidArgumentError(`${where}.polarity[${i}] must be +1 or -1, got ${p}`);
  });
  for (const field of ['lamV', 'lamR', 'lamD'] as const) {
    neuron[field].forEach((v, i) => {
      if (v < 0) throw new InvalidArgumentError(`${where}.${field}[${i}] must be >= 0 (a decay rate), got ${v}`);
    });
  }
  if (!Number.isFinite(neuron.bias)) throw new InvalidArgumentError(`${where}.bias must be a finite number`);
}

/** Vth, r and d of one MBE basis at every step, in float64: (3, T). */
export function mbeSchedules(neuron: MbeNeuron, n: number): { vth: number[]; reset: number[]; intensity: number[] } {
  const vth: number[] = [];
  const reset: number[] = [];
  const intensity: number[] = [];
  for (let t = 0; t < neuron.T; t++) {
    vth.push((neuron.aV[n] as number) * Math.exp(-(neuron.lamV[n] as number) * t));
    reset.push((neuron.aR[n] as number) * Math.exp(-(neuron.lamR[n] as number) * t));
    intensity.push(Math.exp(-(neuron.lamD[n] as number) * t));
  }
  return { vth, reset, intensity };
}

const tablesCache = new WeakMap<Neuron, MembraneTables>();

/** The derived float32 tables the membrane kernel runs (computed once per neuron record). */
export function neuronTables(neuron: Neuron): MembraneTables {
  const cached = tablesCache.get(neuron);
  if (cached) return cached;
  checkNeuron(neuron);
  const T = neuron.T;
  let tables: MembraneTables;
  if (neuron.kind === 'fs') {
    tables = {
      N: 1,
      T,
      polarity: Float32Array.of(1),
      shift: Float32Array.of(0),
      vth: Float32Array.from(neuron.vth),
      reset: Float32Array.from(neuron.reset),
      intensity: Float32Array.from(neuron.intensity),
      weight: Float32Array.of(1),
      bias: 0,
    };
  } else {
    const N = neuron.N;
    const vth = new Float32Array(N * T); // (N, T)
    const reset = new Float32Array(N * T); // (N, T)
    const intensity = new Float32Array(N * T); // (N, T)
    for (let n = 0; n < N; n++) {
      const s = mbeSchedules(neuron, n);
      vth.set(s.vth, n * T);
      reset.set(s.reset, n * T);
      intensity.set(s.intensity, n * T);
    }
    tables = {
      N,
      T,
      polarity: Float32Array.from(neuron.polarity),
      shift: Float32Array.from(neuron.shift),
      vth,
      reset,
      intensity,
      weight: Float32Array.from(neuron.weight),
      bias: neuron.bias,
    };
  }
  tablesCache.set(neuron, tables);
  return tables;
}

/** Runs the neuron on every element of x through the membrane kernel: y (n). */
export function simulate(kernels: Kernels, neuron: Neuron, x: Float32Array, out?: Float32Array): Float32Array {
  const options = out ? { signMagnitude: neuron.signMagnitude, out } : { signMagnitude: neuron.signMagnitude };
  return kernels.membrane(x, neuronTables(neuron), options);
}

/**
 * The fixed identity code of ALGORITHM.md section 2: Vth = r = d = alpha 2^-(t+1) on |x|, sign carried. It floors
 * |x| to its grid of alpha 2^-T steps (the paper's code); `nearest` starts the membrane half a step higher, so it
 * rounds to the nearest step instead: half the worst-case error, and no bias towards 0.
 */
export function identityNeuron(T: number, alpha = 1, rounding: 'floor' | 'nearest' = 'floor'): MbeNeuron {
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new InvalidArgumentError(`identity range alpha must be a positive finite number, got ${alpha}`);
  }
  // d_n[t] = exp(-lamD t) starts at 1, so the first intensity alpha / 2 lives in the readout weight.
  return {
    kind: 'mbe',
    N: 1,
    T,
    polarity: [1],
    shift: [rounding === 'nearest' ? -alpha * 2 ** -(T + 1) : 0], // u[0] = |x| - shift
    aV: [alpha / 2],
    aR: [alpha / 2],
    lamV: [Math.LN2],
    lamR: [Math.LN2],
    lamD: [Math.LN2],
    weight: [alpha / 2],
    bias: 0,
    signMagnitude: true,
  };
}
