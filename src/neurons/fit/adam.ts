// Adam (Kingma & Ba) on a flat parameter vector, with the learning rate set per step by the caller.

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private step = 0;

  constructor(
    size: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** theta -= lr * m_hat / (sqrt(v_hat) + eps), in place. Non-finite gradients are skipped. */
  update(theta: Float64Array, grad: Float64Array, lr: number): void {
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] as number;
      if (!Number.isFinite(g)) continue;
      const m = (this.m[i] = this.beta1 * (this.m[i] as number) + (1 - this.beta1) * g);
      const v = (this.v[i] = this.beta2 * (this.v[i] as number) + (1 - this.beta2) * g * g);
      theta[i]! -= (lr * (m / c1)) / (Math.sqrt(v / c2) + this.epsilon);
    }
  }
}
