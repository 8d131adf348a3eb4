// A torchvision VGG (vgg11 .. vgg19, with or without batch norm) written once against an OpSet, channels-last:
// features (3x3 convolutions, norms folded in when the builder is made, ReLU, MaxPool2d(2, 2)), then
// AdaptiveAvgPool2d((7, 7)), flatten in PyTorch's (C, H, W) order, classifier.0 -> ReLU -> classifier.3 -> ReLU
// -> classifier.6 (the dropouts are the identity at inference). Its input is an RGB image normalised as
// torchvision's ImageNet models are (torchvision.ts).
import { InvalidArgumentError } from '../errors.js';
import type { WeightOptions } from '../io/finite.js';
import { convOutputSize, type ConvGeometry } from '../ops/conv.js';
import type { ConvLayer, LinearLayer, OpSet } from '../ops/opset.js';
import { pooledSize } from '../ops/pooling.js';
import type { TensorMap } from '../tensor.js';
import { adaptiveAveragePool } from './average-pool.js';
import { foldConvBatchNorm, type FoldedConv, type FoldedLayer } from './batch-norm.js';
import type { ModelBuilder } from './builder.js';
import type { ImageClassifier, ImageShape } from './interfaces.js';
import { FOLDED_BATCH_NORM, IMAGENET_NON_SPIKING, normaliseImageNet } from './torchvision.js';
import { VGG_POOLED, vggConfig, type VggConfig } from './vgg-config.js';
import { Weights } from './weights.js';

/** A VGG ready to build: its structure, input shape, convolutions by features index and the three linears. */
export interface FoldedVgg {
  readonly config: VggConfig;
  readonly image: ImageShape;
  readonly convs: ReadonlyMap<number, FoldedConv>;
  /** classifier.0, .3 and .6: weight (out, in), bias (out). */
  readonly classifier: readonly [FoldedLayer, FoldedLayer, FoldedLayer];
}

/** Reads the structure and folds the norms of a _bn variant (new arrays; the tensors are not modified). */
export function foldVgg(tensors: TensorMap, image: ImageShape, source: string, options: WeightOptions = {}): FoldedVgg {
  const w = new Weights(tensors, source, options);
  const config = vggConfig(tensors, source);
  const convs = new Map<number, FoldedConv>();
  for (const layer of config.layers) {
    if (layer.kind !== 'conv') continue;
    const { index, inChannels, outChannels } = layer;
    const geometry: ConvGeometry = { inChannels, outChannels, kernelSize: 3, stride: 1, padding: 1 };
    const name = `features.${index}`;
    convs.set(
      index,
      layer.batchNorm
        ? foldConvBatchNorm(w, name, `features.${index + 1}`, geometry)
        : {
            weight: w.tensor(`${name}.weight`, [outChannels, inChannels, 3, 3]),
            bias: w.tensor(`${name}.bias`, [outChannels]),
            geometry,
          },
    );
  }
  const [first, second] = config.hidden;
  const linear = (index: number, out: number, inFeatures: number): FoldedLayer => ({
    weight: w.tensor(`classifier.${index}.weight`, [out, inFeatures]),
    bias: w.tensor(`classifier.${index}.bias`, [out]),
  });
  const classifier = [
    linear(0, first, config.features * VGG_POOLED * VGG_POOLED),
    linear(3, second, first),
    linear(6, config.classes, second),
  ] as const;
  return { config, image, convs, classifier };
}

export class VggModel implements ImageClassifier {
  readonly image: ImageShape;
  readonly classes: number;
  private readonly convs = new Map<number, ConvLayer>();
  private readonly linears: readonly [LinearLayer, LinearLayer, LinearLayer];
  private readonly input: Float32Array; // (H, W, 3) normalised
  /** Two activation buffers, each (largest H * W * C of the features): layers alternate between them. */
  private readonly work: readonly [Float32Array, Float32Array];
  private readonly pooled: Float32Array; // (7, 7, C)
  private readonly flat: Float32Array; // (C * 7 * 7), PyTorch's (C, H, W) order
  private readonly hidden: readonly [Float32Array, Float32Array]; // (hidden[0]), (hidden[1])
  private readonly logits: Float32Array; // (classes)

  constructor(
    private readonly net: FoldedVgg,
    private readonly ops: OpSet,
  ) {
    const { config, image } = net;
    this.image = image;
    this.classes = config.classes;
    for (const [index, conv] of net.convs)
      this.convs.set(index, ops.prepareConv(conv.weight, conv.geometry, conv.bias));
    const [c0, c3, c6] = net.classifier;
    const [first, second] = config.hidden;
    const pooled = config.features * VGG_POOLED * VGG_POOLED;
    this.linears = [
      ops.prepareLinear(c0.weight, pooled, first, c0.bias),
      ops.prepareLinear(c3.weight, first, second, c3.bias),
      ops.prepareLinear(c6.weight, second, config.classes, c6.bias),
    ];
    this.input = new Float32Array(image.height * image.width * 3);
    const largest = this.largestActivation();
    this.work = [new Float32Array(largest), new Float32Array(largest)];
    this.pooled = new Float32Array(pooled);
    this.flat = new Float32Array(pooled);
    this.hidden = [new Float32Array(first), new Float32Array(second)];
    this.logits = new Float32Array(config.classes);
  }

  /** Logits (classes) of one RGB image (H * W * 3 bytes); the view is reused by the next call. */
  forward(pixels: Uint8Array): Float32Array {
    const { height, width } = this.image;
    const ops = this.ops;
    normaliseImageNet(this.input, pixels, this.image);
    let [h, w, c] = [height, width, 3];
    let x = this.input;
    let next = 0; // the work buffer the next convolution or pool writes
    for (const layer of this.net.config.layers) {
      const site = `features.${layer.index}`;
      if (layer.kind === 'relu') {
        ops.activation(site, 'relu', x, x, h * w * c);
        continue;
      }
      const out = this.work[next] as Float32Array;
      if (layer.kind === 'conv') {
        const conv = this.conv(layer.index);
        ops.conv2d(site, out, x, conv, h, w);
        [h, w, c] = [convOutputSize(h, conv.geometry), convOutputSize(w, conv.geometry), layer.outChannels];
      } else {
        ops.maxPool(site, out, x, h, w, c);
        [h, w] = [pooledSize(h), pooledSize(w)];
      }
      x = out;
      next = 1 - next;
    }
    adaptiveAveragePool(this.pooled, x, h, w, c, VGG_POOLED, VGG_POOLED);
    toChannelsFirst(this.flat, this.pooled, VGG_POOLED * VGG_POOLED, c);
    const [first, second] = this.hidden;
    const [l0, l3, l6] = this.linears;
    ops.linear('classifier.0', first, this.flat, l0, 1);
    ops.activation('classifier.1', 'relu', first, first, first.length);
    ops.linear('classifier.3', second, first, l3, 1);
    ops.activation('classifier.4', 'relu', second, second, second.length);
    ops.linear('classifier.6', this.logits, second, l6, 1);
    return this.logits;
  }

  private conv(index: number): ConvLayer {
    const layer = this.convs.get(index);
    if (!layer) throw new Error(`VGG has no convolution features.${index}`);
    return layer;
  }

  /** The largest activation (H * W * C) a convolution or pool writes, walked as forward walks them. */
  private largestActivation(): number {
    let [h, w, c] = [this.image.height, this.image.width, 3];
    let largest = 0;
    for (const layer of this.net.config.layers) {
      if (layer.kind === 'conv')
        c = layer.outChannels; // 3x3, padding 1: the same size
      else if (layer.kind === 'pool') [h, w] = [pooledSize(h), pooledSize(w)];
      if (h === 0 || w === 0) {
        throw new InvalidArgumentError(
          `VGG input ${this.image.height}x${this.image.width} is too small: features.${layer.index} leaves no pixel`,
        );
      }
      largest = Math.max(largest, h * w * c);
    }
    return largest;
  }

  dispose(): void {
    for (const layer of this.convs.values()) layer.dispose();
    for (const layer of this.linears) layer.dispose();
  }
}

/** out (C, P) = x (P, C) transposed: channels-last positions to PyTorch's flatten order. */
function toChannelsFirst(out: Float32Array, x: Float32Array, positions: number, C: number): void {
  for (let p = 0; p < positions; p++) for (let c = 0; c < C; c++) out[c * positions + p] = x[p * C + c] as number;
}

export const VGG_NON_SPIKING = [
  IMAGENET_NON_SPIKING,
  'adaptive average pooling to 7x7 (linear: window sums and constant scales, no neuron)',
  "flatten in PyTorch's (C, H, W) order (a reindexing of the channels-last features)",
  'dropout (the identity at inference)',
];

/** Builds a torchvision VGG over any OpSet; the norms of a _bn variant are folded once, here. */
export function vggBuilder(
  tensors: TensorMap,
  image: ImageShape,
  source = 'VGG checkpoint',
  options: WeightOptions = {},
): ModelBuilder<VggModel> & { readonly classes: number } {
  const net = foldVgg(tensors, image, source, options);
  const batchNorm = net.config.layers.some((l) => l.kind === 'conv' && l.batchNorm);
  return {
    architecture: 'vgg',
    build: (ops) => new VggModel(net, ops),
    nonSpiking: batchNorm ? [...VGG_NON_SPIKING, FOLDED_BATCH_NORM] : VGG_NON_SPIKING,
    classes: net.config.classes,
  };
}
