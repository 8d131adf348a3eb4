// The op table: one record per OpSet operation, the single place that says what an op is for everything
// that is not its arithmetic. Calibration records the operands listed here, the instrumentation counts float
// MACs and op families from here, and the conversion report is worded from here; adding an op to the OpSet
// interface without a record here fails the type-check (the table is a mapped type over the op names).
import { checkActivation, checkLength, checkRowBlock, checkRows } from './checks.js';
import { bBlock, bExtent, checkMatmulBatch, matmulBatch, type MatmulBatch } from './matmul-batch.js';
import { MAC_CONVENTIONS, type OpFamily, type OpName, type SiteOp } from './conventions.js';
import { visibleCount } from './masks.js';
import { convOutputSize, patchLength, type ConvLayer } from './conv.js';
import { checkPoolGeometry, poolDifferences, pooledSize, poolGeometry } from './pooling.js';
import type { OpSet } from './opset.js';
import type { NeuronEntry } from '../neurons/entry.js';

export type { OpName } from './conventions.js';

/** The arguments of one call of an op, exactly as the OpSet method takes them. */
export type OpArgs<K extends OpName> = Parameters<OpSet[K]>;

/** The neurons of the operators, always on their default domains. */
export type OperatorTarget = 'exp2' | 'reciprocal' | 'rsqrt';

/** An operand the calibration pass measures. */
export interface CalibratedOperand<K extends OpName> {
  readonly name: string;
  /**
   * `code`: identity-coded in the spiking op, its range alpha chosen from calibration;
   * `domain`: the input of a fitted activation neuron, its domain chosen from calibration.
   */
  readonly use: 'code' | 'domain';
  /** The operand's values in a call (exactly its elements). */
  readonly values: (args: OpArgs<K>) => ArrayLike<number>;
}

/** What a spiking site was resolved to at conversion time: the input of the report's wording. */
export interface SitePlan {
  /** Identity-code range per calibrated operand ('dynamic' when chosen per tensor at run time). */
  readonly alphas: ReadonlyMap<string, number | 'dynamic'>;
  /** The fitted activation neuron (activation sites). */
  readonly neuron: NeuronEntry | undefined;
  readonly operatorNeurons: ReadonlyMap<OperatorTarget, NeuronEntry>;
  readonly T: number;
  /** Activation sites: the neuron's MSE weighted by the calibrated inputs' histogram (where the inputs are). */
  readonly weightedMse?: number;
}

export interface OpRecord<K extends OpName> {
  /** The option family that makes it spiking; 'residual': spike-friendly as it is (additions). */
  readonly family: OpFamily | 'residual';
  /** Shape and argument checks shared by every OpSet, so a bad call fails the same way in each. */
  readonly check: (args: OpArgs<K>) => void;
  /** The site's operation as data (with the activation kind where there is one). */
  readonly siteOp: (args: OpArgs<K>) => SiteOp;
  readonly calibrated: readonly CalibratedOperand<K>[];
  readonly operatorNeurons: readonly OperatorTarget[];
  /** Multiply-accumulates the float model spends on one call (see MAC_CONVENTIONS). */
  readonly floatMacs: (args: OpArgs<K>) => number;
  /** Elements one call reads and writes: weights (and biases, norm gains), input and output activations. */
  readonly moved: (args: OpArgs<K>) => MovedElements;
  /**
   * The activation buffers one call reads and the one it writes, exactly their elements (a prepared layer's
   * weights are not among them): what a replay compares and restores (ops/replay.ts).
   */
  readonly buffers: (args: OpArgs<K>) => CallBuffers;
  /** How the report words the site when it is spiking. */
  readonly describe: (plan: SitePlan) => string;
  /** What stays non-spiking by design inside the spiking op, for the report. */
  readonly nonSpikingParts: readonly string[];
}

export type OpTable = { readonly [K in OpName]: OpRecord<K> };

/** What one call moves, in elements: the memory-access term of the energy estimate counts these. */
export interface MovedElements {
  readonly weights: number;
  readonly inputs: number;
  readonly outputs: number;
}

/** What one call reads and writes, as views of exactly the elements. */
export interface CallBuffers {
  readonly reads: readonly Float32Array[];
  readonly writes: Float32Array;
}

const elementwise = (inputs: number, outputs: number): MovedElements => ({ weights: 0, inputs, outputs });

const fmt = (v: number) => v.toExponential(1);
const alpha = (plan: SitePlan, operand: string) => {
  const value = plan.alphas.get(operand);
  return typeof value === 'number' ? String(Number(value.toPrecision(4))) : String(value);
};
const bases = (plan: SitePlan, target: OperatorTarget) => plan.operatorNeurons.get(target)?.N;

function checkNorm(site: string, out: Float32Array, x: Float32Array, gamma: Float32Array, rows: number, n: number) {
  checkRows(site, x, rows, n);
  checkRows(site, out, rows, n);
  checkLength(site, 'gamma', gamma, n);
}

const NORM_MACS = (rows: number, n: number) =>
  rows * (n * MAC_CONVENTIONS.normalisePerElement + MAC_CONVENTIONS.transcendental);

const NORM_WORDING = (plan: SitePlan, operand: string) =>
  `identity code (alpha ${alpha(plan, operand)}), square as D (.) S with 1/n folded in, rsqrt by the even-exponent ` +
  `split and MBE 1/sqrt(M) (N = ${bases(plan, 'rsqrt')}), product as D (.) S`;

export const OP_TABLE: OpTable = {
  linear: {
    family: 'linearInputs',
    check: ([site, out, x, layer, rows]) => {
      checkRows(site, x, rows, layer.inFeatures);
      checkRows(site, out, rows, layer.outFeatures);
    },
    siteOp: () => ({ op: 'linear' }),
    calibrated: [{ name: 'x', use: 'code', values: ([, , x, layer, rows]) => x.subarray(0, rows * layer.inFeatures) }],
    operatorNeurons: [],
    floatMacs: ([, , , layer, rows]) => rows * layer.inFeatures * layer.outFeatures,
    moved: ([, , , layer, rows]) => ({
      weights: layer.inFeatures * layer.outFeatures + (layer.bias ? layer.outFeatures : 0),
      inputs: rows * layer.inFeatures,
      outputs: rows * layer.outFeatures,
    }),
    buffers: ([, out, x, layer, rows]) => ({
      reads: [x.subarray(0, rows * layer.inFeatures)],
      writes: out.subarray(0, rows * layer.outFeatures),
    }),
    describe: (plan) => `inputs identity-coded (alpha ${alpha(plan, 'x')}), weights accumulated where spikes arrive`,
    nonSpikingParts: [],
  },
  conv2d: {
    family: 'linearInputs',
    check: ([site, out, x, layer, H, W]) => {
      const g = layer.geometry;
      checkRows(site, x, H * W, g.inChannels);
      checkRows(site, out, convOutputSize(H, g) * convOutputSize(W, g), g.outChannels);
    },
    siteOp: () => ({ op: 'conv2d' }),
    calibrated: [
      { name: 'x', use: 'code', values: ([, , x, layer, H, W]) => x.subarray(0, H * W * layer.geometry.inChannels) },
    ],
    operatorNeurons: [],
    floatMacs: ([, , , layer, H, W]) => convMacs(layer, H, W),
    moved: ([, , , layer, H, W]) => {
      const g = layer.geometry;
      const outputs = convOutputSize(H, g) * convOutputSize(W, g) * g.outChannels;
      const weights = layer.linear.inFeatures * layer.linear.outFeatures + (layer.linear.bias ? g.outChannels : 0);
      return { weights, inputs: H * W * g.inChannels, outputs };
    },
    buffers: ([, out, x, layer, H, W]) => {
      const g = layer.geometry;
      const outputs = convOutputSize(H, g) * convOutputSize(W, g) * g.outChannels;
      return { reads: [x.subarray(0, H * W * g.inChannels)], writes: out.subarray(0, outputs) };
    },
    describe: (plan) =>
      `inputs identity-coded (alpha ${alpha(plan, 'x')}), weights accumulated where spikes arrive (each spike reaches ` +
      'every window that reads it)',
    nonSpikingParts: [],
  },
  maxPool: {
    family: 'pooling',
    check: ([site, out, x, H, W, C, options]) => {
      const g = poolGeometry(options);
      checkPoolGeometry(site, g);
      checkRows(site, x, H * W, C);
      checkRows(site, out, pooledSize(H, g) * pooledSize(W, g), C);
    },
    siteOp: () => ({ op: 'maxPool' }),
    // the spiking pool's ReLU neurons see these differences, not x itself
    calibrated: [
      {
        name: 'differences',
        use: 'code',
        values: ([, , x, H, W, C, options]) => poolDifferences(x, H, W, C, poolGeometry(options)),
      },
    ],
    operatorNeurons: [],
    floatMacs: () => 0, // comparisons, not multiply-accumulates (in both models)
    moved: ([, , , H, W, C, options]) => {
      const g = poolGeometry(options);
      return elementwise(H * W * C, pooledSize(H, g) * pooledSize(W, g) * C);
    },
    buffers: ([, out, x, H, W, C, options]) => {
      const g = poolGeometry(options);
      return { reads: [x.subarray(0, H * W * C)], writes: out.subarray(0, pooledSize(H, g) * pooledSize(W, g) * C) };
    },
    describe: (plan) =>
      `max(a, b) = a + ReLU(b - a) as a tournament over each k x k window, k*k - 1 ReLU neurons per window (fewer ` +
      `where it overlaps the padding; one-polarity binary codes, alpha ${alpha(plan, 'differences')}: no spike ` +
      'below 0), additions otherwise',
    nonSpikingParts: [],
  },
  activation: {
    family: 'activations',
    check: ([site, kind, out, x, n]) => {
      checkActivation(site, kind);
      checkLength(site, 'x', x, n);
      checkLength(site, 'out', out, n);
    },
    siteOp: ([, kind]) => ({ op: 'activation', activation: kind }),
    calibrated: [{ name: 'x', use: 'domain', values: ([, , , x, n]) => x.subarray(0, n) }],
    operatorNeurons: [],
    floatMacs: ([, kind, , , n]) => n * (kind === 'relu' ? MAC_CONVENTIONS.relu : MAC_CONVENTIONS.transcendental),
    moved: ([, , , , n]) => elementwise(n, n),
    buffers: ([, , out, x, n]) => ({ reads: [x.subarray(0, n)], writes: out.subarray(0, n) }),
    describe: (plan) => {
      if (plan.neuron === undefined) {
        return `ReLU as the one-polarity binary code (alpha ${alpha(plan, 'x')}, T = ${plan.T}): no spike below 0, exact to alpha 2^-T`;
      }
      const entry = plan.neuron;
      const weighted =
        plan.weightedMse === undefined ? '' : `; ${fmt(plan.weightedMse)} weighted by the calibrated inputs`;
      const fitted = entry.fit?.fromDistribution ? ', fitted half on the calibrated inputs' : '';
      return (
        `MBE neuron ${entry.target}, N = ${entry.N}, T = ${plan.T}, on [${entry.domain.join(', ')}]${fitted} ` +
        `(held-out MSE ${fmt(entry.heldOut.mse)} uniform on the domain${weighted})`
      );
    },
    nonSpikingParts: [],
  },
  mul: {
    family: 'multiplications',
    check: ([site, out, a, b, n]) => {
      checkLength(site, 'a', a, n);
      checkLength(site, 'b', b, n);
      checkLength(site, 'out', out, n);
    },
    siteOp: () => ({ op: 'mul' }),
    calibrated: [
      { name: 'a', use: 'code', values: ([, , a, , n]) => a.subarray(0, n) },
      { name: 'b', use: 'code', values: ([, , , b, n]) => b.subarray(0, n) },
    ],
    operatorNeurons: [],
    floatMacs: ([, , , , n]) => n * MAC_CONVENTIONS.perProduct,
    moved: ([, , , , n]) => elementwise(2 * n, n),
    buffers: ([, out, a, b, n]) => ({ reads: [a.subarray(0, n), b.subarray(0, n)], writes: out.subarray(0, n) }),
    describe: (plan) => `identity codes (alpha ${alpha(plan, 'a')} and ${alpha(plan, 'b')}), products as D (.) S`,
    nonSpikingParts: [],
  },
  matmul: {
    family: 'multiplications',
    check: ([site, out, a, b, M, K, N, options]) => {
      checkMatmulBatch(site, options);
      const geometry = matmulBatch(options, K, N);
      checkRows(site, a, geometry.batch * M, K);
      checkRows(site, out, geometry.batch * M, N);
      if (geometry.batch === 1) checkRows(site, b, options?.transposeB ? N : K, options?.transposeB ? K : N);
      else checkLength(site, `b (${geometry.blocks} blocks of ${K * N})`, b, bExtent(geometry, K, N));
    },
    siteOp: () => ({ op: 'matmul' }),
    calibrated: [
      { name: 'a', use: 'code', values: ([, , a, , M, K, , options]) => a.subarray(0, (options?.batch ?? 1) * M * K) },
      {
        name: 'b',
        use: 'code',
        values: ([, , , b, , K, N, options]) => productBlocks(b, matmulBatch(options, K, N), K, N),
      },
    ],
    operatorNeurons: [],
    floatMacs: ([, , , , M, K, N, options]) => (options?.batch ?? 1) * M * K * N,
    moved: ([, , , , M, K, N, options]) => {
      const batch = options?.batch ?? 1;
      return elementwise(batch * (M * K + K * N), batch * M * N); // each product reads its b block
    },
    buffers: ([, out, a, b, M, K, N, options]) => {
      const geometry = matmulBatch(options, K, N);
      const blocks = Array.from({ length: geometry.blocks }, (_, j) => bBlock(b, geometry, j, K, N));
      return {
        reads: [a.subarray(0, geometry.batch * M * K), ...blocks],
        writes: out.subarray(0, geometry.batch * M * N),
      };
    },
    describe: (plan) => `identity codes (alpha ${alpha(plan, 'a')} and ${alpha(plan, 'b')}), products as D (.) S`,
    nonSpikingParts: [],
  },
  softmax: {
    family: 'softmax',
    check: ([site, x, rows, n, options]) => {
      checkRows(site, x, rows, n);
      if (options?.keyMask !== undefined) checkLength(site, 'keyMask', options.keyMask, n);
      if (options?.rowBlock !== undefined) checkRowBlock(site, options.rowBlock, rows);
    },
    siteOp: () => ({ op: 'softmax' }),
    calibrated: [],
    operatorNeurons: ['exp2', 'reciprocal'],
    moved: ([, , rows, n]) => elementwise(rows * n, rows * n),
    // Per visible element an exp and a product by the reciprocal; per row one reciprocal.
    floatMacs: ([, , rows, n, options = {}]) => {
      let macs = 0;
      for (let r = 0; r < rows; r++) {
        macs +=
          visibleCount(options, r, n) * (MAC_CONVENTIONS.transcendental + MAC_CONVENTIONS.perProduct) +
          MAC_CONVENTIONS.transcendental;
      }
      return macs;
    },
    buffers: ([, x, rows, n]) => ({ reads: [x.subarray(0, rows * n)], writes: x.subarray(0, rows * n) }),
    describe: (plan) =>
      `row max (comparison), exp = 2^floor(z) x MBE 2^frac (N = ${bases(plan, 'exp2')}), sum, reciprocal by the ` +
      `IEEE-754 split and MBE 1/M (N = ${bases(plan, 'reciprocal')}), product as D (.) S`,
    nonSpikingParts: ['softmax row maxima: comparisons, not multiplications'],
  },
  layerNorm: {
    family: 'norms',
    check: ([site, out, x, gamma, beta, rows, n]) => {
      checkNorm(site, out, x, gamma, rows, n);
      checkLength(site, 'beta', beta, n);
    },
    siteOp: () => ({ op: 'layerNorm' }),
    // The spiking LayerNorm encodes the centred input x - mean.
    calibrated: [{ name: 'centred', use: 'code', values: ([, , x, , , rows, n]) => centredRows(x, rows, n) }],
    operatorNeurons: ['rsqrt'],
    floatMacs: ([, , , , , rows, n]) => NORM_MACS(rows, n),
    moved: ([, , , , , rows, n]) => ({ weights: 2 * n, inputs: rows * n, outputs: rows * n }),
    buffers: ([, out, x, gamma, beta, rows, n]) => ({
      reads: [x.subarray(0, rows * n), gamma.subarray(0, n), beta.subarray(0, n)],
      writes: out.subarray(0, rows * n),
    }),
    describe: (plan) => `mean by additions, ${NORM_WORDING(plan, 'centred')}`,
    nonSpikingParts: [],
  },
  rmsNorm: {
    family: 'norms',
    check: ([site, out, x, gamma, rows, n]) => checkNorm(site, out, x, gamma, rows, n),
    siteOp: () => ({ op: 'rmsNorm' }),
    calibrated: [{ name: 'x', use: 'code', values: ([, , x, , rows, n]) => x.subarray(0, rows * n) }],
    operatorNeurons: ['rsqrt'],
    floatMacs: ([, , , , rows, n]) => NORM_MACS(rows, n),
    moved: ([, , , , rows, n]) => ({ weights: n, inputs: rows * n, outputs: rows * n }),
    buffers: ([, out, x, gamma, rows, n]) => ({
      reads: [x.subarray(0, rows * n), gamma.subarray(0, n)],
      writes: out.subarray(0, rows * n),
    }),
    describe: (plan) => NORM_WORDING(plan, 'x'),
    nonSpikingParts: [],
  },
  add: {
    family: 'residual',
    check: ([site, out, a, b, n]) => {
      checkLength(site, 'a', a, n);
      checkLength(site, 'b', b, n);
      checkLength(site, 'out', out, n);
    },
    siteOp: () => ({ op: 'add' }),
    calibrated: [],
    operatorNeurons: [],
    floatMacs: () => 0, // additions are not multiply-accumulates
    moved: ([, , , , n]) => elementwise(2 * n, n),
    buffers: ([, out, a, b, n]) => ({ reads: [a.subarray(0, n), b.subarray(0, n)], writes: out.subarray(0, n) }),
    describe: () => 'residual addition of two spike-decoded streams (additions only, no neuron)',
    nonSpikingParts: [],
  },
};

export const OP_NAMES = Object.keys(OP_TABLE) as readonly OpName[];

/** A convolution's multiply-accumulates: every output position times its full window (padding taps too). */
function convMacs(layer: ConvLayer, H: number, W: number): number {
  const g = layer.geometry;
  return convOutputSize(H, g) * convOutputSize(W, g) * g.outChannels * patchLength(g);
}

/** x (rows, n) minus each row's mean, (rows, n). */
export function centredRows(x: Float32Array, rows: number, n: number): Float32Array {
  const centred = new Float32Array(rows * n); // (rows, n)
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += x[r * n + j] as number;
    mean /= n;
    for (let j = 0; j < n; j++) centred[r * n + j] = (x[r * n + j] as number) - mean;
  }
  return centred;
}

/**
 * The b values a call's products read, each product's block once (a shared block once per product that reads it),
 * as separate one-product calls would show them to calibration; one product's block is a view, not a copy.
 */
function productBlocks(b: Float32Array, geometry: MatmulBatch, K: number, N: number): ArrayLike<number> {
  if (geometry.batch === 1) return bBlock(b, geometry, 0, K, N);
  const values = new Float32Array(geometry.batch * K * N); // (batch, K * N)
  for (let i = 0; i < geometry.batch; i++) {
    values.set(bBlock(b, geometry, Math.floor(i / geometry.share), K, N), i * K * N);
  }
  return values;
}
