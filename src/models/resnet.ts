// A torchvision ResNet (BasicBlock or Bottleneck, any number of stages and blocks) written once against an OpSet,
// channels-last, with every batch norm folded into its convolution when the builder is made (batch-norm.ts):
//   conv1 -> ReLU -> MaxPool2d(3, 2, 1) -> blocks -> global average pool -> fc
//   BasicBlock: relu(conv2(relu(conv1(x))) + shortcut(x)); Bottleneck: relu(conv3(relu(conv2(relu(conv1(x)))))
//   + shortcut(x)), the shortcut x itself or downsample (1x1 convolution with stride, then its norm).
// Its input is an RGB image normalised as torchvision's ImageNet models are (torchvision.ts).
import type { WeightOptions } from '../io/finite.js';
import { convOutputSize, type ConvGeometry } from '../ops/conv.js';
import type { ConvLayer, LinearLayer, OpSet } from '../ops/opset.js';
import { pooledSize, poolGeometry, type MaxPoolOptions } from '../ops/pooling.js';
import type { TensorMap } from '../tensor.js';
import { globalAveragePool } from './average-pool.js';
import { foldConvBatchNorm, type FoldedConv } from './batch-norm.js';
import type { ModelBuilder } from './builder.js';
import type { ImageClassifier, ImageShape } from './interfaces.js';
import { resnetConfig, type ResNetBlock, type ResNetConfig } from './resnet-config.js';
import { FOLDED_BATCH_NORM, IMAGENET_NON_SPIKING, normaliseImageNet } from './torchvision.js';
import { Weights } from './weights.js';

const STEM_POOL: MaxPoolOptions = { kernelSize: 3, stride: 2, padding: 1 };
const STEM_POOL_GEOMETRY = poolGeometry(STEM_POOL);

/** The convolutions of a block's main path, in order. */
const mainPath = (config: ResNetConfig): readonly string[] =>
  config.bottleneck ? ['conv1', 'conv2', 'conv3'] : ['conv1', 'conv2'];

/** A ResNet ready to build: its structure, input shape, folded convolutions by name and fc. */
export interface FoldedResNet {
  readonly config: ResNetConfig;
  readonly image: ImageShape;
  /** By convolution name: "conv1", "layer1.0.conv1", ..., "layer2.0.downsample.0" */
  readonly convs: ReadonlyMap<string, FoldedConv>;
  /** fc.weight (classes, features) and fc.bias (classes). */
  readonly fc: { readonly weight: Float32Array; readonly bias: Float32Array };
}

const conv3x3 = (inChannels: number, outChannels: number, stride: number): ConvGeometry => ({
  inChannels,
  outChannels,
  kernelSize: 3,
  stride,
  padding: 1,
});
const conv1x1 = (inChannels: number, outChannels: number, stride: number): ConvGeometry => ({
  inChannels,
  outChannels,
  kernelSize: 1,
  stride,
  padding: 0,
});

/** A block's convolutions as torchvision builds them, by name, with the norms that follow them. */
function blockConvs(block: ResNetBlock, bottleneck: boolean): Array<[string, string, ConvGeometry]> {
  const { prefix: p, inChannels: c, width, outChannels: out, stride } = block;
  const convs: Array<[string, string, ConvGeometry]> = bottleneck
    ? [
        [`${p}.conv1`, `${p}.bn1`, conv1x1(c, width, 1)],
        [`${p}.conv2`, `${p}.bn2`, conv3x3(width, width, stride)],
        [`${p}.conv3`, `${p}.bn3`, conv1x1(width, out, 1)],
      ]
    : [
        [`${p}.conv1`, `${p}.bn1`, conv3x3(c, width, stride)],
        [`${p}.conv2`, `${p}.bn2`, conv3x3(width, out, 1)],
      ];
  if (block.downsample) convs.push([`${p}.downsample.0`, `${p}.downsample.1`, conv1x1(c, out, stride)]);
  return convs;
}

/** Reads the structure and folds every norm (new arrays; the tensors are not modified). */
export function foldResNet(
  tensors: TensorMap,
  image: ImageShape,
  source: string,
  options: WeightOptions = {},
): FoldedResNet {
  const w = new Weights(tensors, source, options);
  const config = resnetConfig(tensors, source);
  const { channels, kernelSize } = config.stem;
  const stem: ConvGeometry = { inChannels: 3, outChannels: channels, kernelSize, stride: 2, padding: kernelSize >> 1 };
  const convs = new Map<string, FoldedConv>([['conv1', foldConvBatchNorm(w, 'conv1', 'bn1', stem)]]);
  for (const block of config.blocks) {
    for (const [conv, norm, g] of blockConvs(block, config.bottleneck))
      convs.set(conv, foldConvBatchNorm(w, conv, norm, g));
  }
  const fc = {
    weight: w.tensor('fc.weight', [config.classes, config.features]),
    bias: w.tensor('fc.bias', [config.classes]),
  };
  return { config, image, convs, fc };
}

/** Height and width after a convolution. */
const convSize = (h: number, w: number, g: ConvGeometry): [number, number] => [
  convOutputSize(h, g),
  convOutputSize(w, g),
];

export class ResNetModel implements ImageClassifier {
  readonly image: ImageShape;
  readonly classes: number;
  private readonly layers = new Map<string, ConvLayer>();
  private readonly fc: LinearLayer;
  private readonly input: Float32Array; // (H, W, 3) normalised
  /** Four activation buffers, each (largest H * W * C of the network): a block reads one, writes the others. */
  private readonly work: Float32Array[];
  private readonly pooled: Float32Array; // (features)
  private readonly logits: Float32Array; // (classes)

  constructor(
    private readonly net: FoldedResNet,
    private readonly ops: OpSet,
  ) {
    const { config, image } = net;
    this.image = image;
    this.classes = config.classes;
    for (const [name, conv] of net.convs) this.layers.set(name, ops.prepareConv(conv.weight, conv.geometry, conv.bias));
    this.fc = ops.prepareLinear(net.fc.weight, config.features, config.classes, net.fc.bias);
    this.input = new Float32Array(image.height * image.width * 3);
    const largest = this.largestActivation();
    this.work = Array.from({ length: 4 }, () => new Float32Array(largest));
    this.pooled = new Float32Array(config.features);
    this.logits = new Float32Array(config.classes);
  }

  /** Logits (classes) of one RGB image (H * W * 3 bytes); the view is reused by the next call. */
  forward(pixels: Uint8Array): Float32Array {
    const { height, width } = this.image;
    const ops = this.ops;
    normaliseImageNet(this.input, pixels, this.image);
    const [stem, pooled] = this.work as [Float32Array, Float32Array];
    const conv1 = this.conv('conv1');
    let [h, w] = convSize(height, width, conv1.geometry);
    const c = conv1.geometry.outChannels;
    ops.conv2d('conv1', stem, this.input, conv1, height, width);
    ops.activation('relu', 'relu', stem, stem, h * w * c);
    ops.maxPool('maxpool', pooled, stem, h, w, c, STEM_POOL);
    [h, w] = [pooledSize(h, STEM_POOL_GEOMETRY), pooledSize(w, STEM_POOL_GEOMETRY)];
    let x = pooled;
    for (const block of this.net.config.blocks) [x, h, w] = this.block(block, x, h, w);
    globalAveragePool(this.pooled, x, h, w, this.net.config.features);
    ops.linear('fc', this.logits, this.pooled, this.fc, 1);
    return this.logits;
  }

  /** One block on x (h, w, inChannels): the work buffer holding its output (h', w', outChannels), h' and w'. */
  private block(block: ResNetBlock, x: Float32Array, h: number, w: number): [Float32Array, number, number] {
    const ops = this.ops;
    const p = block.prefix;
    const [a, b, shortcut] = this.work.filter((buffer) => buffer !== x) as [Float32Array, Float32Array, Float32Array];
    const names = mainPath(this.net.config);
    // the main path: conv1 into a, conv2 into b, conv3 (Bottleneck) into a again; ReLU between them
    const targets = [a, b, a];
    let current = x;
    let [ch, cw] = [h, w];
    names.forEach((name, i) => {
      const layer = this.conv(`${p}.${name}`);
      const target = targets[i] as Float32Array;
      ops.conv2d(`${p}.${name}`, target, current, layer, ch, cw);
      [ch, cw] = convSize(ch, cw, layer.geometry);
      const n = ch * cw * layer.geometry.outChannels;
      if (i < names.length - 1) ops.activation(`${p}.relu${i + 1}`, 'relu', target, target, n);
      current = target;
    });
    let identity = x;
    if (block.downsample) {
      ops.conv2d(`${p}.downsample`, shortcut, x, this.conv(`${p}.downsample.0`), h, w);
      identity = shortcut;
    }
    const n = ch * cw * block.outChannels;
    ops.add(`${p}.add`, current, current, identity, n);
    ops.activation(`${p}.relu`, 'relu', current, current, n);
    return [current, ch, cw];
  }

  private conv(name: string): ConvLayer {
    const layer = this.layers.get(name);
    if (!layer) throw new Error(`ResNet has no convolution ${name}`);
    return layer;
  }

  /** The largest activation (H * W * C) any step writes, walked as forward walks it, so the work buffers fit. */
  private largestActivation(): number {
    const conv1 = this.conv('conv1').geometry;
    let [h, w] = convSize(this.image.height, this.image.width, conv1);
    let largest = h * w * conv1.outChannels;
    [h, w] = [pooledSize(h, STEM_POOL_GEOMETRY), pooledSize(w, STEM_POOL_GEOMETRY)];
    for (const block of this.net.config.blocks) {
      const names = mainPath(this.net.config).map((name) => `${block.prefix}.${name}`);
      let [ch, cw] = [h, w];
      for (const name of names) {
        const g = this.conv(name).geometry;
        [ch, cw] = convSize(ch, cw, g);
        largest = Math.max(largest, ch * cw * g.outChannels);
      }
      [h, w] = [ch, cw]; // the shortcut's output has the main path's size
    }
    return largest;
  }

  dispose(): void {
    for (const layer of this.layers.values()) layer.dispose();
    this.fc.dispose();
  }
}

export const RESNET_NON_SPIKING = [
  IMAGENET_NON_SPIKING,
  FOLDED_BATCH_NORM,
  'global average pooling (linear: sums and one constant scale, no neuron)',
];

/** Builds a torchvision ResNet over any OpSet; its norms are folded once, here. */
export function resnetBuilder(
  tensors: TensorMap,
  image: ImageShape,
  source = 'ResNet checkpoint',
  options: WeightOptions = {},
): ModelBuilder<ResNetModel> & { readonly classes: number } {
  const net = foldResNet(tensors, image, source, options);
  return {
    architecture: 'resnet',
    build: (ops) => new ResNetModel(net, ops),
    nonSpiking: RESNET_NON_SPIKING,
    classes: net.config.classes,
  };
}
