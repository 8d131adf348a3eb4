// The spiking OpSet: activations through fitted MBE neurons, products of activations through identity
// codes and D (.) S, softmax and the norms composed from exp2/reciprocal/rsqrt neurons and exponent
// arithmetic (ALGORITHM.md section 2). Families can be left float one by one (options.spiking); every
// call updates the site's counters.
import type { Kernels, ResidentMatrix } from '../../kernels/index.js';
import { TARGETS } from '../../neurons/targets.js';
import type { Calibration } from '../calibration.js';
import { checkActivation, checkLength, checkRows } from '../checks.js';
import { FloatOpSet, denseLinear } from '../float-opset.js';
import { Instrumentation, MAC_CONVENTIONS, type OpFamily, type SiteCounters } from '../instrumentation.js';
import { prepareDenseLinear, type DenseLinearLayer } from '../linear.js';
import { NeuronProvider, type NeuronProviderOptions } from '../neuron-provider.js';
import type { ActivationKind, LinearLayer, MatmulOptions, OpSet, SoftmaxOptions } from '../opset.js';
import { SpikingContext } from './context.js';
import { spikingNorm } from './norms.js';
import { resolveSpikingOptions, type ResolvedSpikingOptions, type SpikingOptions } from './options.js';
import { spikeMatmul, spikingMatmul, spikingMul } from './products.js';
import { spikingSoftmax } from './softmax.js';

export interface SpikingOpSetInit {
  readonly kernels: Kernels;
  readonly calibration: Calibration;
  readonly options: SpikingOptions;
  /** Where neurons come from (default: the shipped table, then in-memory fits). */
  readonly neurons?: NeuronProvider;
  readonly neuronOptions?: NeuronProviderOptions;
}

interface SpikingLinearLayer extends DenseLinearLayer {
  /** W^T (in, out) row-major in wasm memory, for spike-plane products (spike-driven mode only). */
  readonly resident: ResidentMatrix | undefined;
}

export class SpikingOpSet implements OpSet {
  readonly kind = 'spiking';
  readonly options: ResolvedSpikingOptions;
  readonly counters = new Instrumentation();
  readonly context: SpikingContext;
  private readonly float: FloatOpSet;

  constructor(init: SpikingOpSetInit) {
    this.options = resolveSpikingOptions(init.options);
    const neurons = init.neurons ?? new NeuronProvider(init.kernels, init.neuronOptions);
    this.context = new SpikingContext(init.kernels, this.options, init.calibration, neurons, this.counters);
    this.float = new FloatOpSet(init.kernels);
  }

  private get kernels(): Kernels {
    return this.context.kernels;
  }

  private site(site: string, op: string, family: SiteCounters['family']): SiteCounters {
    const counters = this.counters.site(site, op, family);
    counters.calls++;
    return counters;
  }

  private on(family: OpFamily): boolean {
    return this.options.spiking[family];
  }

  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer {
    const dense = prepareDenseLinear(this.kernels, weight, inFeatures, outFeatures, bias);
    if (this.options.mode !== 'spike-driven') {
      const layer: SpikingLinearLayer = { ...dense, resident: undefined };
      return layer;
    }
    const transposed = new Float32Array(inFeatures * outFeatures); // (in, out)
    for (let o = 0; o < outFeatures; o++) {
      for (let i = 0; i < inFeatures; i++) transposed[i * outFeatures + o] = weight[o * inFeatures + i] as number;
    }
    const resident = this.kernels.upload(transposed, inFeatures, outFeatures);
    const layer: SpikingLinearLayer = {
      ...dense,
      resident,
      dispose: () => {
        dense.dispose();
        resident.free();
      },
    };
    return layer;
  }

  linear(site: string, out: Float32Array, x: Float32Array, layer: LinearLayer, rows: number): void {
    const counters = this.site(site, 'linear', 'linearInputs');
    const { inFeatures: K, outFeatures: N } = layer;
    checkRows(site, x, rows, K);
    checkRows(site, out, rows, N);
    counters.floatMacs += rows * K * N;
    if (!this.on('linearInputs')) {
      counters.residualMacs += rows * K * N;
      denseLinear(this.kernels, site, out, x, layer, rows);
      return;
    }
    const q = this.context.encode(counters, site, 'x', x, rows, K);
    if (this.options.mode === 'equivalent') {
      denseLinear(this.kernels, site, out, q.y, layer, rows);
      counters.sops += q.total * N;
      return;
    }
    const target = out.subarray(0, rows * N);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < N; j++) target[r * N + j] = layer.bias ? (layer.bias[j] as number) : 0;
    }
    const resident = (layer as SpikingLinearLayer).resident;
    if (!resident) throw new Error(`${site}: linear layer was prepared by another OpSet`);
    counters.sops += spikeMatmul(this.kernels, q, 1, resident, K, N, target);
  }

  activation(site: string, kind: ActivationKind, out: Float32Array, x: Float32Array, n: number): void {
    checkActivation(site, kind);
    checkLength(site, 'x', x, n);
    checkLength(site, 'out', out, n);
    const counters = this.site(site, `activation:${kind}`, 'activations');
    const macs = kind === 'relu' ? MAC_CONVENTIONS.relu : MAC_CONVENTIONS.transcendental;
    counters.floatMacs += n * macs;
    if (!this.on('activations')) {
      counters.residualMacs += n * macs;
      this.float.activation(site, kind, out, x, n);
      return;
    }
    const entry = this.context.activationNeuron(site, TARGETS[kind].name);
    const train = this.context.fireNeuron(counters, entry, x, 1, n);
    out.set(train.y);
    counters.sops += train.total; // each spike adds its intensity into the output once
  }

  mul(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
    checkLength(site, 'a', a, n);
    checkLength(site, 'b', b, n);
    checkLength(site, 'out', out, n);
    const counters = this.site(site, 'mul', 'multiplications');
    counters.floatMacs += n * MAC_CONVENTIONS.perProduct;
    if (!this.on('multiplications')) {
      counters.residualMacs += n * MAC_CONVENTIONS.perProduct;
      this.float.mul(site, out, a, b, n);
      return;
    }
    spikingMul(this.context, counters, site, out, a, b, n);
  }

  matmul(
    site: string,
    out: Float32Array,
    a: Float32Array,
    b: Float32Array,
    M: number,
    K: number,
    N: number,
    options: MatmulOptions = {},
  ): void {
    const transposeB = options.transposeB ?? false;
    checkRows(site, a, M, K);
    checkRows(site, b, transposeB ? N : K, transposeB ? K : N);
    checkRows(site, out, M, N);
    const counters = this.site(site, 'matmul', 'multiplications');
    counters.floatMacs += M * K * N;
    if (!this.on('multiplications')) {
      counters.residualMacs += M * K * N;
      this.float.matmul(site, out, a, b, M, K, N, options);
      return;
    }
    spikingMatmul(this.context, counters, site, out, a, b, M, K, N, transposeB, options.scale ?? 1);
  }

  softmax(site: string, x: Float32Array, rows: number, n: number, options: SoftmaxOptions = {}): void {
    checkRows(site, x, rows, n);
    const counters = this.site(site, 'softmax', 'softmax');
    if (!this.on('softmax')) {
      const macs = rows * n * (MAC_CONVENTIONS.transcendental + MAC_CONVENTIONS.perProduct);
      counters.floatMacs += macs;
      counters.residualMacs += macs;
      this.float.softmax(site, x, rows, n, options);
      return;
    }
    spikingSoftmax(this.context, counters, x, rows, n, options);
  }

  layerNorm(
    site: string,
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    rows: number,
    n: number,
    eps: number,
  ): void {
    this.norm(site, 'layerNorm', out, x, gamma, beta, rows, n, eps);
  }

  rmsNorm(
    site: string,
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    rows: number,
    n: number,
    eps: number,
  ): void {
    this.norm(site, 'rmsNorm', out, x, gamma, undefined, rows, n, eps);
  }

  private norm(
    site: string,
    op: 'layerNorm' | 'rmsNorm',
    out: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array | undefined,
    rows: number,
    n: number,
    eps: number,
  ): void {
    checkRows(site, x, rows, n);
    checkRows(site, out, rows, n);
    checkLength(site, 'gamma', gamma, n);
    if (beta) checkLength(site, 'beta', beta, n);
    const counters = this.site(site, op, 'norms');
    if (!this.on('norms')) {
      const macs = rows * (n * MAC_CONVENTIONS.normalisePerElement + MAC_CONVENTIONS.transcendental);
      counters.floatMacs += macs;
      counters.residualMacs += macs;
      if (beta) this.float.layerNorm(site, out, x, gamma, beta, rows, n, eps);
      else this.float.rmsNorm(site, out, x, gamma, rows, n, eps);
      return;
    }
    spikingNorm(this.context, counters, site, out, x, gamma, beta, rows, n, eps, op === 'layerNorm');
  }

  add(site: string, out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
    this.site(site, 'add', 'residual');
    this.float.add(site, out, a, b, n);
  }
}
