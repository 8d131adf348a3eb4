// Operator inputs drawn like real ones, and the edge cases every operator must survive. Shared by the
// operator tests and bench/operators.ts (the README's operator error table).
import { gaussian, seededRandom } from '../../src/random.js';

export interface RowsInput {
  readonly name: string;
  /** (rows, n) */
  readonly x: Float32Array;
  readonly rows: number;
  readonly n: number;
}

function rowsOf(
  name: string,
  rows: number,
  n: number,
  value: (r: number, j: number, random: () => number) => number,
  seed: number,
): RowsInput {
  const random = seededRandom(seed);
  const x = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) x[r * n + j] = value(r, j, random);
  return { name, x, rows, n };
}

/** Attention logits: scaled dot products, spread ~3, a few peaked rows. */
export function attentionLogits(seed = 1, rows = 12, n = 77): RowsInput {
  return rowsOf('attention logits', rows, n, (r, j, random) => 2.5 * gaussian(random) + (j === r % n ? 6 : 0), seed);
}

/** LayerNorm inputs: residual-stream activations with a few outlier channels (x20), as in real Transformers. */
export function layerNormInputs(seed = 2, rows = 10, n = 96): RowsInput {
  return rowsOf(
    'layernorm inputs with outliers',
    rows,
    n,
    (_, j, random) => gaussian(random) * (j % 37 === 5 ? 20 : 1) + 0.3,
    seed,
  );
}

/** GELU/SiLU inputs: concentrated near 0 with heavier tails. */
export function activationInputs(seed = 3, n = 4099): RowsInput {
  return rowsOf(
    'activation inputs near 0',
    1,
    n,
    (_, __, random) => {
      const g = gaussian(random);
      return random() < 0.05 ? 4 * g : 1.2 * g;
    },
    seed,
  );
}

/** The edge cases of the issue: equal values, one huge value, all negative, zero variance, length 1, odd lengths. */
export function edgeRows(): RowsInput[] {
  return [
    rowsOf('a row of equal values', 3, 40, () => 1.5, 4),
    rowsOf('one huge value', 3, 33, (_, j, random) => (j === 7 ? 500 : gaussian(random)), 5),
    rowsOf('all negative', 3, 45, (_, __, random) => -1 - 3 * random(), 6),
    rowsOf('zero variance', 2, 31, () => 0, 7),
    rowsOf('length 1', 4, 1, (_, __, random) => gaussian(random), 8),
    rowsOf('length 97', 2, 97, (_, __, random) => 2 * gaussian(random), 9),
  ];
}

/** max over rows of max|y - ref| / max|ref| (rows whose reference is all zero use an absolute error). */
export function rowError(y: Float32Array, ref: Float32Array, rows: number, n: number): number {
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    let scale = 0;
    let diff = 0;
    for (let j = 0; j < n; j++) {
      scale = Math.max(scale, Math.abs(ref[r * n + j] as number));
      diff = Math.max(diff, Math.abs((y[r * n + j] as number) - (ref[r * n + j] as number)));
    }
    worst = Math.max(worst, scale > 0 ? diff / scale : diff);
  }
  return worst;
}
