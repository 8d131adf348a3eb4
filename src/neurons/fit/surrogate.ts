// The float64 membrane simulation used for fitting, and its backward pass through a surrogate gradient of
// the Heaviside step (ALGORITHM.md "Fitting"): triangle max(0, 1 - |v| / h) / h with h = max(0.5 |Vth|, 1e-3).
// The forward pass is the true (Heaviside) one; only the backward pass uses the surrogate.

/** Per-basis schedules in float64. */
export interface Schedules {
  readonly N: number;
  readonly T: number;
  /** (N) */
  readonly polarity: Float64Array;
  readonly shift: Float64Array;
  /** (N, T) */
  readonly vth: Float64Array;
  readonly reset: Float64Array;
  readonly intensity: Float64Array;
}

/** Gradients of the loss with respect to every table entry: (N, T) each. */
export interface TableGradients {
  readonly vth: Float64Array;
  readonly reset: Float64Array;
  readonly intensity: Float64Array;
}

/** Zeroed gradient tables for N bases and T timesteps. */
export function tableGradients(N: number, T: number): TableGradients {
  return { vth: new Float64Array(N * T), reset: new Float64Array(N * T), intensity: new Float64Array(N * T) };
}

/** o[n * M + m] = spike output sum_t s_n[t] d_n[t] of basis n for sample m: (N, M). */
export function basisOutputs(s: Schedules, x: Float64Array, out: Float64Array): Float64Array {
  const { N, T } = s;
  const M = x.length;
  for (let n = 0; n < N; n++) {
    const p = s.polarity[n] as number;
    const c = s.shift[n] as number;
    const row = n * T;
    for (let m = 0; m < M; m++) {
      let u = p * ((x[m] as number) - c);
      let o = 0;
      for (let t = 0; t < T; t++) {
        if (u >= (s.vth[row + t] as number)) {
          u -= s.reset[row + t] as number;
          o += s.intensity[row + t] as number;
        }
      }
      out[n * M + m] = o;
    }
  }
  return out;
}

/**
 * Accumulates dL/dVth, dL/dr, dL/dd given gradOut[n * M + m] = dL/do_n(m), replaying each sample's
 * membrane forward (T steps) and then walking back through time.
 */
export function backward(s: Schedules, x: Float64Array, gradOut: Float64Array, grads: TableGradients): void {
  const { N, T } = s;
  const M = x.length;
  grads.vth.fill(0);
  grads.reset.fill(0);
  grads.intensity.fill(0);
  const v = new Float64Array(T); // (T) u[t] - Vth[t] of the current sample
  const spiked = new Uint8Array(T); // (T)
  for (let n = 0; n < N; n++) {
    const p = s.polarity[n] as number;
    const c = s.shift[n] as number;
    // This basis' tables, and the surrogate's 1 / h with h = max(0.5 |Vth|, 1e-3): (T) each.
    const vth = s.vth.subarray(n * T, (n + 1) * T);
    const reset = s.reset.subarray(n * T, (n + 1) * T);
    const intensity = s.intensity.subarray(n * T, (n + 1) * T);
    const invWidth = vth.map((th) => 1 / Math.max(0.5 * Math.abs(th), 1e-3));
    const gVth = grads.vth.subarray(n * T, (n + 1) * T);
    const gReset = grads.reset.subarray(n * T, (n + 1) * T);
    const gIntensity = grads.intensity.subarray(n * T, (n + 1) * T);
    for (let m = 0; m < M; m++) {
      const go = gradOut[n * M + m] as number;
      if (go === 0) continue;
      let u = p * ((x[m] as number) - c);
      for (let t = 0; t < T; t++) {
        const th = vth[t] as number;
        v[t] = u - th;
        const fire = u >= th ? 1 : 0;
        spiked[t] = fire;
        if (fire) u -= reset[t] as number;
      }
      let gu = 0; // dL/du[t+1]
      for (let t = T - 1; t >= 0; t--) {
        if (spiked[t]) {
          gReset[t]! -= gu;
          gIntensity[t]! += go;
        }
        const iw = invWidth[t] as number;
        const slope = 1 - Math.abs(v[t] as number) * iw;
        if (slope > 0) {
          // s[t] feeds o (through d[t]) and u[t+1] (through -r[t]); v[t] = u[t] - Vth[t].
          const gv = (go * (intensity[t] as number) - gu * (reset[t] as number)) * slope * iw; // dL/dv[t]
          gVth[t]! -= gv;
          gu += gv; // u[t] reaches u[t+1] directly and through v[t]
        }
      }
    }
  }
}
