// The spiking OpSet: activations through fitted MBE neurons, products of activations through identity
// codes and D (.) S, softmax and the norms composed from exp2/reciprocal/rsqrt neurons and exponent
// arithmetic (ALGORITHM.md section 2). Families can be left float one by one (options.spiking). Every call
// starts in `begin`, which counts it from the op table and runs the float op when its family is off.
import type { Kernels, PackedDtype } from '../../kernels/index.js';
import { describeValue } from '../../describe.js';
import { InvalidArgumentError } from '../../errors.js';
import { TARGETS } from '../../neurons/targets.js';
import type { Calibration, SiteOps } from '../calibration.js';
import { checkWeightDtype, FloatOpSet, denseLinear } from '../float-opset.js';
import { Instrumentation, OP_FAMILIES, type SiteCounters } from '../instrumentation.js';
import { prepareDenseLinear, type DenseLinearLayer } from '../linear.js';
import { NeuronProvider, type NeuronProviderOptions } from '../neuron-provider.js';
import { OP_TABLE, type OpArgs, type OpName, type SitePlan } from '../op-table.js';
import { prepareConv } from '../conv.js';
import type { ConvGeometry, ConvLayer, LinearLayer, OpSet } from '../opset.js';
import { spikingConv } from './conv.js';
import { spikingMaxPool } from './pooling.js';
import { SpikingContext } from './context.js';
import { spikingNorm } from './norms.js';
import { resolveSpikingOptions, type ResolvedSpikingOptions, type SpikingOptions } from './options.js';
import { spikeMatmul, spikingMatmul, spikingMul } from './products.js';
import { spikingSoftmax } from './softmax.js';
import { channelWeights, inputWeights, type InputWeighted } from './sparse-rounding.js';

export interface SpikingOpSetInit {
  readonly kernels: Kernels;
  readonly calibration: Calibration;
  readonly options: SpikingOptions;
  /** Where neurons come from (default: the shipped table, then in-memory fits). */
  readonly neurons?: NeuronProvider;
  readonly neuronOptions?: NeuronProviderOptions;
  /** How linear and convolution weights are held (default f32; bf16: half the memory, widened in gemm). */
  readonly weights?: PackedDtype;
}

export class SpikingOpSet implements OpSet {
  readonly kind = 'spiking';
  readonly options: ResolvedSpikingOptions;
  readonly counters = new Instrumentation();
  readonly context: SpikingContext;
  private readonly float: FloatOpSet;
  private readonly weights: PackedDtype;

  constructor(init: SpikingOpSetInit) {
    this.options = resolveSpikingOptions(init.options);
    const neurons = init.neurons ?? new NeuronProvider(init.kernels, init.neuronOptions);
    this.context = new SpikingContext(init.kernels, this.options, init.calibration, neurons, this.counters);
    this.weights = checkWeightDtype(init.weights);
    this.float = new FloatOpSet(init.kernels, { weights: this.weights });
  }

  private get kernels(): Kernels {
    return this.context.kernels;
  }

  /**
   * Chooses every spiking site's neurons and identity ranges now (fits happen here, not during a forward
   * pass), and returns what each site was resolved to. Sites of families left float get no plan.
   */
  resolve(siteOps: SiteOps): Map<string, SitePlan> {
    checkSiteT(this.options.siteT, siteOps);
    const plans = new Map<string, SitePlan>();
    for (const [site, siteOp] of siteOps) {
      const { family } = OP_TABLE[siteOp.op];
      if (family !== 'residual' && this.options.spiking[family]) plans.set(site, this.context.plan(site, siteOp));
    }
    return plans;
  }

  /** Counts the call; runs it in float and returns undefined when its family is not spiking. */
  private begin<K extends OpName>(op: K, args: OpArgs<K>): SiteCounters | undefined {
    const record = OP_TABLE[op];
    record.check(args);
    const counters = this.counters.site(args[0], record.siteOp(args));
    counters.calls++;
    const macs = record.floatMacs(args);
    counters.floatMacs += macs;
    const moved = record.moved(args);
    counters.weightElements += moved.weights;
    counters.inputElements += moved.inputs;
    counters.outputElements += moved.outputs;
    if (record.family !== 'residual' && this.options.spiking[record.family]) return counters;
    if (record.family !== 'residual') counters.residualMacs += macs;
    (this.float[op] as (...call: OpArgs<K>) => void)(...args);
    return undefined;
  }

  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer {
    // one copy of W^T, packed: gemm reads it in equivalent mode, spikemm adds its rows in spike-driven mode
    const dense = prepareDenseLinear(this.kernels, weight, inFeatures, outFeatures, bias, this.weights);
    if (this.options.spikeCost === 0) return dense;
    // spike-aware rounding weighs each input's coding error by its weight column (in floats, not a weight copy)
    const layer: DenseLinearLayer & InputWeighted = {
      ...dense,
      inputWeights: inputWeights(weight, inFeatures, outFeatures),
    };
    return layer;
  }

  linear(...args: OpArgs<'linear'>): void {
    const counters = this.begin('linear', args);
    if (!counters) return;
    const [site, out, x, layer, rows] = args;
    const { inFeatures: K, outFeatures: Nout } = layer;
    const weights = (layer as InputWeighted).inputWeights;
    const q = this.context.encode(counters, site, 'x', x, rows, K, { weights });
    if (this.options.mode === 'equivalent') {
      denseLinear(this.kernels, out, q.y, layer, rows);
      counters.sops += q.total * Nout;
      return;
    }
    const target = out.subarray(0, rows * Nout); // (rows, Nout)
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < Nout; j++) target[r * Nout + j] = layer.bias ? (layer.bias[j] as number) : 0;
    }
    const { packed } = layer as Partial<DenseLinearLayer>;
    if (!packed) throw new Error(`${site}: linear layer was not prepared by a float or spiking OpSet`);
    counters.sops += spikeMatmul(this.kernels, this.context.scratch, q, 1, packed, K, Nout, target);
  }

  prepareConv(weight: Float32Array, geometry: ConvGeometry, bias?: Float32Array): ConvLayer {
    const layer = prepareConv(this.kernels, weight, geometry, bias, this.weights);
    if (this.options.spikeCost === 0) return layer;
    // spike-aware rounding weighs each input channel's coding error by its kernels' squared norm
    const channels = channelWeights(weight, geometry.outChannels, geometry.inChannels);
    const spiking: ConvLayer & InputWeighted = { ...layer, inputWeights: channels };
    return spiking;
  }

  conv2d(...args: OpArgs<'conv2d'>): void {
    const counters = this.begin('conv2d', args);
    if (!counters) return;
    spikingConv(this.context, counters, args);
  }

  maxPool(...args: OpArgs<'maxPool'>): void {
    const counters = this.begin('maxPool', args);
    if (!counters) return;
    spikingMaxPool(this.context, counters, args);
  }

  activation(...args: OpArgs<'activation'>): void {
    const counters = this.begin('activation', args);
    if (!counters) return;
    const [site, kind, out, x, n] = args;
    if (kind === 'relu') {
      // piecewise linear: the identity code on one polarity is ReLU itself, to alpha 2^-T (nothing to fit)
      const train = this.context.rectify(counters, site, 'x', x, n);
      out.set(train.y.subarray(0, n));
      counters.sops += train.total;
      return;
    }
    const entry = this.context.activationNeuron(
      site,
      TARGETS[kind].name,
      this.context.timesteps(site, counters.family),
    );
    const train = this.context.fireNeuron(counters, entry, x, 1, n, 'neuron.activation');
    out.set(train.y);
    counters.sops += train.total; // each spike adds its intensity into the output once
  }

  mul(...args: OpArgs<'mul'>): void {
    const counters = this.begin('mul', args);
    if (!counters) return;
    spikingMul(this.context, counters, args);
  }

  matmul(...args: OpArgs<'matmul'>): void {
    const counters = this.begin('matmul', args);
    if (!counters) return;
    spikingMatmul(this.context, counters, args);
  }

  softmax(...args: OpArgs<'softmax'>): void {
    const counters = this.begin('softmax', args);
    if (!counters) return;
    const [, x, rows, n, options = {}] = args;
    spikingSoftmax(this.context, counters, x, rows, n, options);
  }

  layerNorm(...args: OpArgs<'layerNorm'>): void {
    const counters = this.begin('layerNorm', args);
    if (!counters) return;
    const [site, out, x, gamma, beta, rows, n, eps] = args;
    spikingNorm(this.context, counters, site, { out, x, gamma, beta, rows, n, eps, centre: true });
  }

  rmsNorm(...args: OpArgs<'rmsNorm'>): void {
    const counters = this.begin('rmsNorm', args);
    if (!counters) return;
    const [site, out, x, gamma, rows, n, eps] = args;
    spikingNorm(this.context, counters, site, { out, x, gamma, beta: undefined, rows, n, eps, centre: false });
  }

  add(...args: OpArgs<'add'>): void {
    this.begin('add', args);
  }
}

/** Every siteT key names an op family or a site of the model (a typo would silently change nothing). */
function checkSiteT(siteT: Readonly<Record<string, number>>, siteOps: SiteOps): void {
  for (const key of Object.keys(siteT)) {
    if ((OP_FAMILIES as readonly string[]).includes(key) || siteOps.has(key)) continue;
    const some = [...siteOps.keys()].slice(0, 4).join(', ');
    throw new InvalidArgumentError(
      `option siteT names ${describeValue(key, 60)}, which is neither an op family (${OP_FAMILIES.join(', ')}) ` +
        `nor a site of this model (${siteOps.size} sites, e.g. ${some})`,
    );
  }
}
