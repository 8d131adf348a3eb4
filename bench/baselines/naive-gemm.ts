// Baseline: the textbook triple loop in plain JavaScript, C (M, N) = A (M, K) @ B (K, N).
export function naiveGemm(c: Float32Array, a: Float32Array, b: Float32Array, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += (a[i * K + k] as number) * (b[k * N + j] as number);
      c[i * N + j] = sum;
    }
  }
}
