// Independent JS reference of the multi-basis membrane equations (ALGORITHM.md section 1).
// `f32` mode rounds every operation to float32 with Math.fround, as the kernels do, so spike patterns
// must match exactly; `f64` mode is the plain float64 math, for tolerance checks.
import type { MembraneTables } from '../../src/kernels/index.js';

export interface ReferenceResult {
  /** (n) decoded outputs */
  y: Float64Array;
  /** spikes[(nb * T + t) * n + i] = 1 when basis nb of element i fired at step t */
  spikes: Uint8Array;
}

export function membraneReference(
  x: ArrayLike<number>,
  tables: MembraneTables,
  signMagnitude: boolean,
  precision: 'f32' | 'f64',
): ReferenceResult {
  const r = precision === 'f32' ? Math.fround : (v: number) => v;
  const { N, T } = tables;
  const n = x.length;
  const y = new Float64Array(n);
  const spikes = new Uint8Array(N * T * n);
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    if (Number.isNaN(xi)) {
      y[i] = NaN;
      continue;
    }
    const input = signMagnitude ? Math.abs(xi) : xi;
    let acc = 0;
    for (let nb = 0; nb < N; nb++) {
      let u = r((tables.polarity[nb] as number) * r(input - (tables.shift[nb] as number)));
      let o = 0;
      for (let t = 0; t < T; t++) {
        if (u >= (tables.vth[nb * T + t] as number)) {
          u = r(u - (tables.reset[nb * T + t] as number));
          o = r(o + (tables.intensity[nb * T + t] as number));
          spikes[(nb * T + t) * n + i] = 1;
        }
      }
      acc = r(acc + r((tables.weight[nb] as number) * o));
    }
    const value = r(acc + tables.bias);
    y[i] = signMagnitude && xi < 0 ? -value : value;
  }
  return { y, spikes };
}

/** Random but plausible tables: decaying thresholds/resets/intensities, mixed polarities. */
export function randomTables(random: () => number, N: number, T: number, alpha = 4): MembraneTables {
  const vth = new Float32Array(N * T);
  const reset = new Float32Array(N * T);
  const intensity = new Float32Array(N * T);
  const polarity = new Float32Array(N);
  const shift = new Float32Array(N);
  const weight = new Float32Array(N);
  for (let nb = 0; nb < N; nb++) {
    polarity[nb] = nb % 2 === 0 ? 1 : -1;
    shift[nb] = (random() - 0.5) * 0.5;
    weight[nb] = 0.5 + random();
    const lamV = Math.LN2 * (0.5 + random());
    const lamR = Math.LN2 * (0.5 + random());
    const lamD = Math.LN2 * (0.5 + random());
    const aV = alpha * (0.5 + random());
    const aR = alpha * (0.5 + random());
    for (let t = 0; t < T; t++) {
      vth[nb * T + t] = aV * Math.exp(-lamV * (t + 1));
      reset[nb * T + t] = aR * Math.exp(-lamR * (t + 1));
      intensity[nb * T + t] = Math.exp(-lamD * t);
    }
  }
  return { N, T, polarity, shift, vth, reset, intensity, weight, bias: random() - 0.5 };
}

/** The exact binary code on |x|: Vth = r = d = alpha * 2^-(t+1), one basis. */
export function binaryCodeTables(T: number, alpha: number): MembraneTables {
  const table = new Float32Array(T);
  for (let t = 0; t < T; t++) table[t] = alpha * 2 ** -(t + 1);
  return {
    N: 1,
    T,
    polarity: Float32Array.of(1),
    shift: Float32Array.of(0),
    vth: table,
    reset: table.slice(),
    intensity: table.slice(),
    weight: Float32Array.of(1),
    bias: 0,
  };
}
