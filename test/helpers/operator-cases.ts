// Operator cases shared by the operator tests and bench/operators.ts: each applies one OpSet operation
// to an input, and REALISTIC pairs each with evaluation and (larger, disjoint) calibration inputs.
import type { OpSet } from '../../src/ops/opset.js';
import { gaussian, seededRandom } from '../../src/random.js';
import { activationInputs, attentionLogits, layerNormInputs, type RowsInput } from './operator-inputs.js';

/** One operator applied to one input: returns the output and its (rows, n) shape for the error. */
export interface OperatorCase {
  readonly name: string;
  run(ops: OpSet, input: RowsInput): { y: Float32Array; rows: number; n: number };
}

export function params(n: number, seed: number) {
  const random = seededRandom(seed);
  return {
    gamma: Float32Array.from({ length: n }, () => 1 + 0.2 * gaussian(random)),
    beta: Float32Array.from({ length: n }, () => 0.1 * gaussian(random)),
  };
}

export const CASES: OperatorCase[] = [
  {
    name: 'softmax',
    run: (ops, { x, rows, n }) => {
      const y = x.slice();
      ops.softmax('softmax', y, rows, n);
      return { y, rows, n };
    },
  },
  {
    name: 'causal softmax',
    run: (ops, { x, rows, n }) => {
      const y = x.slice();
      ops.softmax('causal', y, rows, n, { causalOffset: n - rows });
      return { y, rows, n };
    },
  },
  {
    name: 'layerNorm',
    run: (ops, { x, rows, n }) => {
      const { gamma, beta } = params(n, 11);
      const y = new Float32Array(rows * n);
      ops.layerNorm('ln', y, x, gamma, beta, rows, n, 1e-5);
      return { y, rows, n };
    },
  },
  {
    name: 'rmsNorm',
    run: (ops, { x, rows, n }) => {
      const { gamma } = params(n, 12);
      const y = new Float32Array(rows * n);
      ops.rmsNorm('rms', y, x, gamma, rows, n, 1e-5);
      return { y, rows, n };
    },
  },
  {
    name: 'mul',
    run: (ops, { x, rows, n }) => {
      const b = x.map((v, i) => Math.sin(i) * 2 + v * 0.5);
      const y = new Float32Array(rows * n);
      ops.mul('mul', y, x, b, rows * n);
      return { y, rows, n };
    },
  },
  {
    name: 'matmul (Q K^T, scaled)',
    run: (ops, { x, rows, n }) => {
      const y = new Float32Array(rows * rows);
      ops.matmul(
        'qk',
        y,
        x,
        x.map((v) => v * 0.7 - 0.1),
        rows,
        n,
        rows,
        { transposeB: true, scale: 1 / Math.sqrt(n) },
      );
      return { y, rows, n: rows };
    },
  },
  {
    name: 'linear (inputs encoded)',
    run: (ops, { x, rows, n }) => {
      const out = 19;
      const random = seededRandom(13);
      const w = Float32Array.from({ length: out * n }, () => gaussian(random) / Math.sqrt(n));
      const bias = Float32Array.from({ length: out }, () => 0.1 * gaussian(random));
      const layer = ops.prepareLinear(w, n, out, bias);
      const y = new Float32Array(rows * out);
      ops.linear('linear', y, x, layer, rows);
      layer.dispose();
      return { y, rows, n: out };
    },
  },
];

export const REALISTIC: Array<[OperatorCase['name'], () => RowsInput, () => RowsInput]> = [
  ['softmax', () => attentionLogits(1), () => attentionLogits(101)],
  ['causal softmax', () => attentionLogits(1), () => attentionLogits(101)],
  ['layerNorm', () => layerNormInputs(2), () => layerNormInputs(102)],
  ['rmsNorm', () => layerNormInputs(2), () => layerNormInputs(102)],
  ['mul', () => activationInputs(3), () => activationInputs(103)],
  // Calibration sees more rows than are evaluated, as a calibration pass over a few real inputs would.
  ['matmul (Q K^T, scaled)', () => layerNormInputs(4, 12, 16), () => layerNormInputs(104, 96, 16)],
  ['linear (inputs encoded)', () => layerNormInputs(5, 6, 37), () => layerNormInputs(105, 48, 37)],
];
