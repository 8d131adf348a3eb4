// Calibration: the float OpSet run over a few inputs while, at every site, the op table's calibrated
// operands are measured (activation inputs for neuron domains, identity-coded operands for their
// power-of-two ranges) and the site's operation is recorded. Every method is the same two steps, so no op
// can be computed without being recorded.
import type { Kernels } from '../kernels/index.js';
import type { SiteOp } from './conventions.js';
import { FloatOpSet, type FloatOpSetOptions } from './float-opset.js';
import { MagnitudeHistogram } from './histogram.js';
import { OP_TABLE, type OpArgs, type OpName } from './op-table.js';
import type { ConvGeometry, ConvLayer, LinearLayer, OpSet } from './opset.js';

/** Range of the values an operand took at one site. */
export interface OperandRange {
  min: number;
  max: number;
  /** Elements seen. */
  count: number;
  /** Their magnitudes, for distribution-aware ranges and errors. */
  readonly histogram: MagnitudeHistogram;
}

/** What calibration saw at each site: operand name -> range (e.g. "x", "a", "b", "centred"). */
export type Calibration = Map<string, Map<string, OperandRange>>;

/** The operation of every site calibration saw, in first-call order. */
export type SiteOps = Map<string, SiteOp>;

/** The float OpSet plus range recording. Results are exactly the float OpSet's. */
export class CalibratingOpSet implements OpSet {
  readonly kind = 'float';
  readonly calibration: Calibration = new Map();
  readonly siteOps: SiteOps = new Map();
  private readonly float: FloatOpSet;

  /** `options.weights`: as the float model will hold its weights, so the calibration sees its activations. */
  constructor(kernels: Kernels, options: FloatOpSetOptions = {}) {
    this.float = new FloatOpSet(kernels, options);
  }

  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer {
    return this.float.prepareLinear(weight, inFeatures, outFeatures, bias);
  }

  linear(...args: OpArgs<'linear'>): void {
    this.observe('linear', args);
    this.float.linear(...args);
  }

  prepareConv(weight: Float32Array, geometry: ConvGeometry, bias?: Float32Array): ConvLayer {
    return this.float.prepareConv(weight, geometry, bias);
  }

  conv2d(...args: OpArgs<'conv2d'>): void {
    this.observe('conv2d', args);
    this.float.conv2d(...args);
  }

  maxPool(...args: OpArgs<'maxPool'>): void {
    this.observe('maxPool', args);
    this.float.maxPool(...args);
  }

  activation(...args: OpArgs<'activation'>): void {
    this.observe('activation', args);
    this.float.activation(...args);
  }

  mul(...args: OpArgs<'mul'>): void {
    this.observe('mul', args);
    this.float.mul(...args);
  }

  matmul(...args: OpArgs<'matmul'>): void {
    this.observe('matmul', args);
    this.float.matmul(...args);
  }

  softmax(...args: OpArgs<'softmax'>): void {
    this.observe('softmax', args);
    this.float.softmax(...args);
  }

  layerNorm(...args: OpArgs<'layerNorm'>): void {
    this.observe('layerNorm', args);
    this.float.layerNorm(...args);
  }

  rmsNorm(...args: OpArgs<'rmsNorm'>): void {
    this.observe('rmsNorm', args);
    this.float.rmsNorm(...args);
  }

  add(...args: OpArgs<'add'>): void {
    this.observe('add', args);
    this.float.add(...args);
  }

  /** Records the site's op and its calibrated operands, as the op table lists them. */
  private observe<K extends OpName>(op: K, args: OpArgs<K>): void {
    const record = OP_TABLE[op];
    record.check(args);
    const site = args[0];
    if (!this.siteOps.has(site)) this.siteOps.set(site, record.siteOp(args));
    for (const operand of record.calibrated) this.record(site, operand.name, operand.values(args));
  }

  private record(site: string, operand: string, values: ArrayLike<number>): void {
    let ranges = this.calibration.get(site);
    if (!ranges) {
      ranges = new Map();
      this.calibration.set(site, ranges);
    }
    let range = ranges.get(operand);
    if (!range) {
      range = { min: Infinity, max: -Infinity, count: 0, histogram: new MagnitudeHistogram() };
      ranges.set(operand, range);
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v < range.min) range.min = v;
      if (v > range.max) range.max = v;
    }
    range.count += values.length;
    range.histogram.record(values);
  }
}
