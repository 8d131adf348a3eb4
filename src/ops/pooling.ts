// 2x2 max pooling with stride 2, channels-last: out (floor(H / 2), floor(W / 2), C) of x (H, W, C). Spiking, it
// is max(a, b) = a + ReLU(b - a) three times per window (ALGORITHM.md's ReLU neuron on the differences); these
// helpers give the windows and those differences, the ReLU neurons' inputs, so calibration sees exactly them.

/** Output height or width of 2x2 pooling with stride 2. */
export const pooledSize = (size: number): number => Math.floor(size / 2);

/** The four values of each window, by output element: (OH * OW * C, 4) indices into x, order a b c d. */
export function poolWindows(H: number, W: number, C: number): Int32Array {
  const OH = pooledSize(H);
  const OW = pooledSize(W);
  const windows = new Int32Array(OH * OW * C * 4); // (OH * OW * C, 4)
  let k = 0;
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      const top = (2 * oh * W + 2 * ow) * C;
      const bottom = top + W * C;
      for (let c = 0; c < C; c++) {
        windows[k++] = top + c;
        windows[k++] = top + C + c;
        windows[k++] = bottom + c;
        windows[k++] = bottom + C + c;
      }
    }
  }
  return windows;
}

/** Every ReLU input of the spiking max pool, computed in float: (b - a, d - c) then max(c, d) - max(a, b). */
export function poolDifferences(x: Float32Array, H: number, W: number, C: number): Float32Array {
  const windows = poolWindows(H, W, C);
  const n = windows.length / 4;
  const differences = new Float32Array(3 * n); // (3, n)
  for (let i = 0; i < n; i++) {
    const [a, b, c, d] = [0, 1, 2, 3].map((j) => x[windows[4 * i + j] as number] as number) as [
      number,
      number,
      number,
      number,
    ];
    differences[2 * i] = b - a;
    differences[2 * i + 1] = d - c;
    differences[2 * n + i] = Math.max(c, d) - Math.max(a, b);
  }
  return differences;
}
