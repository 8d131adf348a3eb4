// Average pooling, which is linear (window sums and constant scales, no neuron), so it runs outside the OpSet on
// the decoded values in both models; the models that use it declare it in their non-spiking list. Channels-last.

/** out (C) = the mean over the positions of x (H, W, C): AdaptiveAvgPool2d(1) and flatten. */
export function globalAveragePool(out: Float32Array, x: Float32Array, H: number, W: number, C: number): void {
  const sums = new Float64Array(C); // (C)
  for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) sums[c]! += x[p * C + c] as number;
  for (let c = 0; c < C; c++) out[c] = (sums[c] as number) / (H * W);
}

/** PyTorch's adaptive window of output index i of `out` over `size`: [floor(i size / out), ceil((i + 1) size / out)). */
export function adaptiveWindow(i: number, size: number, out: number): readonly [number, number] {
  return [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
}

/**
 * out (OH, OW, C) = AdaptiveAvgPool2d((OH, OW)) of x (H, W, C): each output the mean of its adaptive window,
 * which overlaps its neighbours' when the sizes do not divide and repeats pixels when the output is larger.
 */
export function adaptiveAveragePool(
  out: Float32Array,
  x: Float32Array,
  H: number,
  W: number,
  C: number,
  OH: number,
  OW: number,
): void {
  const sums = new Float64Array(C); // (C)
  for (let oh = 0; oh < OH; oh++) {
    const [h0, h1] = adaptiveWindow(oh, H, OH);
    for (let ow = 0; ow < OW; ow++) {
      const [w0, w1] = adaptiveWindow(ow, W, OW);
      sums.fill(0);
      for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) for (let c = 0; c < C; c++) sums[c]! += x[(h * W + w) * C + c] as number;
      }
      const count = (h1 - h0) * (w1 - w0);
      for (let c = 0; c < C; c++) out[(oh * OW + ow) * C + c] = (sums[c] as number) / count;
    }
  }
}
