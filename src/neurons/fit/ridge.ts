// The closed-form readout of variable projection: for fixed schedules, (w, b) minimising
// mean((sum_n w_n o_n + b - f)^2) + lambda |w|^2, by the normal equations and a Cholesky solve.

export interface Readout {
  /** (N) */
  readonly weight: Float64Array;
  readonly bias: number;
  /** (M) y - f on the samples it was solved on, y = sum_n w_n o_n + b. */
  readonly residual: Float64Array;
  /** Mean squared error of the fit on the samples it was solved on. */
  readonly mse: number;
}

/**
 * Solves the readout for features o (N, M) and targets f (M). With `withBias` false the bias is 0
 * (the paper-literal neuron). A basis that never fires gives a zero column; the ridge keeps the
 * system solvable and its weight at 0.
 */
export function solveReadout(o: Float64Array, f: Float64Array, N: number, withBias: boolean, lambda = 1e-10): Readout {
  const M = f.length;
  const K = withBias ? N + 1 : N;
  // Column k of the design matrix: basis output o_k, or the constant 1 for the bias.
  const ones = new Float64Array(M).fill(1);
  const columns = Array.from({ length: K }, (_, k) => (k < N ? o.subarray(k * M, (k + 1) * M) : ones));
  const A = new Float64Array(K * K); // (K, K) normal matrix
  const rhs = new Float64Array(K); // (K)
  for (let i = 0; i < K; i++) {
    const ci = columns[i] as Float64Array;
    for (let j = 0; j <= i; j++) {
      const cj = columns[j] as Float64Array;
      let sum = 0;
      for (let m = 0; m < M; m++) sum += (ci[m] as number) * (cj[m] as number);
      A[i * K + j] = sum / M;
      A[j * K + i] = sum / M;
    }
    let sum = 0;
    for (let m = 0; m < M; m++) sum += (ci[m] as number) * (f[m] as number);
    rhs[i] = sum / M;
  }
  // Ridge on the weights only, scaled to the features so it is unit-free.
  let trace = 0;
  for (let i = 0; i < N; i++) trace += A[i * K + i] as number;
  const ridge = lambda * Math.max(trace / Math.max(N, 1), 1e-300);
  for (let i = 0; i < N; i++) A[i * K + i]! += ridge;
  const solution = choleskySolve(A, rhs, K);
  const weight = solution.slice(0, N);
  const bias = withBias ? (solution[N] as number) : 0;
  const residual = new Float64Array(M);
  let mse = 0;
  for (let m = 0; m < M; m++) {
    let y = bias;
    for (let n = 0; n < N; n++) y += (weight[n] as number) * (o[n * M + m] as number);
    const e = y - (f[m] as number);
    residual[m] = e;
    mse += e * e;
  }
  return { weight, bias, residual, mse: mse / M };
}

/** Solves A z = b for symmetric positive semi-definite A (K, K); pivots that vanish give z = 0 there. */
function choleskySolve(A: Float64Array, b: Float64Array, K: number): Float64Array {
  const L = new Float64Array(K * K); // (K, K) lower triangle
  for (let i = 0; i < K; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * K + j] as number;
      for (let k = 0; k < j; k++) sum -= (L[i * K + k] as number) * (L[j * K + k] as number);
      if (i === j) {
        L[i * K + i] = sum > 1e-300 ? Math.sqrt(sum) : 0;
      } else {
        const pivot = L[j * K + j] as number;
        L[i * K + j] = pivot > 0 ? sum / pivot : 0;
      }
    }
  }
  const y = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (L[i * K + k] as number) * (y[k] as number);
    const pivot = L[i * K + i] as number;
    y[i] = pivot > 0 ? sum / pivot : 0;
  }
  const z = new Float64Array(K);
  for (let i = K - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < K; k++) sum -= (L[k * K + i] as number) * (z[k] as number);
    const pivot = L[i * K + i] as number;
    z[i] = pivot > 0 ? sum / pivot : 0;
  }
  return z;
}
