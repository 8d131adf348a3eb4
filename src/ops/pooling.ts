// Max pooling as torchvision's MaxPool2d(kernel_size, stride, padding), channels-last: out (OH, OW, C) of
// x (H, W, C), OH = floor((H + 2 padding - kernel) / stride) + 1 (ceil_mode off). PyTorch pads with -inf, so
// padding never wins: a window is the maximum of its in-image values. Spiking, it is a tournament of
// max(a, b) = a + ReLU(b - a) (ALGORITHM.md's ReLU neuron on the differences): m - 1 neurons for a window of m
// in-image values. The tournament is written once here, so the differences calibration records are exactly the
// ReLU inputs the spiking op computes (in float).
import { InvalidArgumentError } from '../errors.js';
import { checkIntegerFields } from './checks.js';

/** MaxPool2d's arguments; defaults kernel 2, stride = kernel (as PyTorch), padding 0. */
export interface MaxPoolOptions {
  readonly kernelSize?: number;
  readonly stride?: number;
  readonly padding?: number;
}

/** A max pool's resolved geometry (square windows). */
export interface PoolGeometry {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
}

/** The options with their defaults filled in. */
export function poolGeometry(options: MaxPoolOptions = {}): PoolGeometry {
  const kernelSize = options.kernelSize ?? 2;
  return { kernelSize, stride: options.stride ?? kernelSize, padding: options.padding ?? 0 };
}

/** Integers in range, and padding at most half the kernel (PyTorch's rule: every window then has a pixel). */
export function checkPoolGeometry(site: string, g: PoolGeometry): void {
  checkIntegerFields(`${site}: max pool`, g, [
    ['kernelSize', 1],
    ['stride', 1],
    ['padding', 0],
  ]);
  if (2 * g.padding > g.kernelSize) {
    throw new InvalidArgumentError(
      `${site}: max pool padding ${g.padding} is more than half the kernel size ${g.kernelSize}`,
    );
  }
}

/** Output height or width of the pool over `size` pixels (0 when the window does not fit). */
export function pooledSize(size: number, g: PoolGeometry = poolGeometry()): number {
  return Math.max(0, Math.floor((size + 2 * g.padding - g.kernelSize) / g.stride) + 1);
}

/** Window tables by geometry, reused: a ResNet stem's is 7 MB, too much to rebuild on every forward pass. */
const WINDOWS = new Map<string, Int32Array>();
const MAX_CACHED_WINDOWS = 32;

/**
 * The windows by output element: (OH * OW * C, k * k) indices into x, row-major over the window (for 2x2: a b
 * on the top row, c d below), -1 where the window reaches into the padding. Shared between calls: read only.
 */
export function poolWindows(H: number, W: number, C: number, g: PoolGeometry = poolGeometry()): Int32Array {
  const key = `${H},${W},${C},${g.kernelSize},${g.stride},${g.padding}`;
  let windows = WINDOWS.get(key);
  if (!windows) {
    if (WINDOWS.size >= MAX_CACHED_WINDOWS) WINDOWS.clear();
    windows = buildWindows(H, W, C, g);
    WINDOWS.set(key, windows);
  }
  return windows;
}

function buildWindows(H: number, W: number, C: number, g: PoolGeometry): Int32Array {
  const { kernelSize: K, stride, padding } = g;
  const OH = pooledSize(H, g);
  const OW = pooledSize(W, g);
  const windows = new Int32Array(OH * OW * C * K * K); // (OH * OW * C, K * K)
  let k = 0;
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      for (let c = 0; c < C; c++) {
        for (let kh = 0; kh < K; kh++) {
          const h = oh * stride - padding + kh;
          for (let kw = 0; kw < K; kw++) {
            const w = ow * stride - padding + kw;
            windows[k++] = h < 0 || h >= H || w < 0 || w >= W ? -1 : (h * W + w) * C + c;
          }
        }
      }
    }
  }
  return windows;
}

/** Rectifies the first `count` differences of one tournament level: ReLU of each, (count). */
export type Rectifier = (differences: Float32Array, count: number) => ArrayLike<number>;

/** Working buffers of the tournament: (n * k * k) candidates and (n * k * k / 2) differences at least. */
export interface TournamentBuffers {
  readonly candidates: Float32Array;
  readonly differences: Float32Array;
}

/**
 * out (n) = the maximum of each window, by levels: every window's candidates are paired (v0, v1), (v2, v3), ...
 * and each pair becomes v_even + ReLU(v_odd - v_even), an odd one out passing on; all windows' differences of a
 * level go through `relu` at once (m - 1 of them for a window of m in-image values). With an exact ReLU it is
 * the max.
 */
export function poolTournament(
  x: Float32Array,
  windows: Int32Array,
  window: number,
  out: Float32Array,
  relu: Rectifier,
  buffers: TournamentBuffers,
): void {
  const n = windows.length / window;
  const { candidates, differences } = buffers; // (n, window), (n * floor(window / 2))
  const sizes = new Int32Array(n); // (n) candidates left per window
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < window; j++) {
      const at = windows[i * window + j] as number;
      if (at >= 0) candidates[i * window + m++] = x[at] as number;
    }
    sizes[i] = m;
  }
  for (let left = window; left > 1; left = Math.ceil(left / 2)) {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const base = i * window;
      for (let j = 0; 2 * j + 1 < (sizes[i] as number); j++) {
        differences[count++] = (candidates[base + 2 * j + 1] as number) - (candidates[base + 2 * j] as number);
      }
    }
    if (count === 0) continue;
    const rectified = relu(differences, count);
    count = 0;
    for (let i = 0; i < n; i++) {
      const base = i * window;
      const m = sizes[i] as number;
      // in place: candidate j is written after 2j and 2j + 1 are read
      for (let j = 0; 2 * j + 1 < m; j++) {
        candidates[base + j] = (candidates[base + 2 * j] as number) + (rectified[count++] as number);
      }
      if (m % 2 === 1) candidates[base + (m - 1) / 2] = candidates[base + m - 1] as number;
      sizes[i] = Math.ceil(m / 2);
    }
  }
  for (let i = 0; i < n; i++) out[i] = candidates[i * window] as number;
}

/** Differences a tournament over windows of `window` values needs at most at one level: (n * floor(window / 2)). */
export const tournamentWidth = (n: number, window: number): number => n * Math.floor(window / 2);

/**
 * Every ReLU input of the spiking max pool, computed in float with an exact ReLU: each tournament level's
 * differences in turn, (sum over windows of in-image values - 1).
 */
export function poolDifferences(
  x: Float32Array,
  H: number,
  W: number,
  C: number,
  g: PoolGeometry = poolGeometry(),
): Float32Array {
  const window = g.kernelSize * g.kernelSize;
  const windows = poolWindows(H, W, C, g);
  const n = windows.length / window;
  const levels: Float32Array[] = [];
  const relu: Rectifier = (differences, count) => {
    const level = differences.slice(0, count); // (count)
    levels.push(level);
    return level.map((d) => Math.max(0, d));
  };
  const buffers = {
    candidates: new Float32Array(n * window),
    differences: new Float32Array(tournamentWidth(n, window)),
  };
  poolTournament(x, windows, window, new Float32Array(n), relu, buffers);
  const all = new Float32Array(levels.reduce((s, l) => s + l.length, 0)); // (neurons)
  let at = 0;
  for (const level of levels) {
    all.set(level, at);
    at += level.length;
  }
  return all;
}
