// LeNet-5 as the fixture's checkpoint has it (khushbujpatel/lenet_mnist, tensor names `convnet.*` and `fc.*`),
// written once against an OpSet, channels-last: a 32x32 grey image normalised as in training, then
// c1 Conv2d(1, 6, 5) -> ReLU -> MaxPool 2x2, c3 Conv2d(6, 16, 5) -> ReLU -> MaxPool 2x2, c5 Conv2d(16, 120, 5)
// -> ReLU (1x1), f6 Linear(120, 84) -> ReLU, f7 Linear(84, 10). The checkpoint's final log_softmax is left out:
// it does not change the argmax, and logits are what the other classifiers return.
import { InvalidArgumentError } from '../errors.js';
import type { ConvLayer, LinearLayer, OpSet } from '../ops/opset.js';
import type { TensorMap } from '../tensor.js';
import type { ModelBuilder } from './builder.js';
import type { ImageClassifier, ImageShape } from './interfaces.js';
import { Weights } from './weights.js';

/** The input size and normalisation the network was trained with: (pixel / 255 - mean) / std. */
export const LENET_INPUT = { size: 32, mean: 0.1307, std: 0.3081 } as const;

/** Tensor names only this layout has (how the registry recognises it). */
export const LENET_TENSORS = ['convnet.c1.weight', 'convnet.c3.weight', 'convnet.c5.weight', 'fc.f6.weight'];

const CLASSES = 10;

export class LeNetModel implements ImageClassifier {
  readonly image: ImageShape = { height: LENET_INPUT.size, width: LENET_INPUT.size, channels: 1 };
  readonly classes = CLASSES;
  private readonly c1: ConvLayer;
  private readonly c3: ConvLayer;
  private readonly c5: ConvLayer;
  private readonly f6: LinearLayer;
  private readonly f7: LinearLayer;
  // Activations, preallocated, channels-last.
  private readonly input = new Float32Array(32 * 32); // (32, 32, 1)
  private readonly a1 = new Float32Array(28 * 28 * 6); // (28, 28, 6)
  private readonly p1 = new Float32Array(14 * 14 * 6); // (14, 14, 6)
  private readonly a3 = new Float32Array(10 * 10 * 16); // (10, 10, 16)
  private readonly p3 = new Float32Array(5 * 5 * 16); // (5, 5, 16)
  private readonly a5 = new Float32Array(120); // (1, 1, 120)
  private readonly a6 = new Float32Array(84); // (84)
  private readonly logits = new Float32Array(CLASSES); // (10)

  constructor(
    tensors: TensorMap,
    private readonly ops: OpSet,
    source = 'LeNet-5 checkpoint',
  ) {
    const weights = new Weights(tensors, source);
    const conv = (name: string, inChannels: number, outChannels: number) =>
      ops.prepareConv(
        weights.tensor(`convnet.${name}.weight`, [outChannels, inChannels, 5, 5]),
        { inChannels, outChannels, kernelSize: 5, stride: 1, padding: 0 },
        weights.tensor(`convnet.${name}.bias`, [outChannels]),
      );
    this.c1 = conv('c1', 1, 6);
    this.c3 = conv('c3', 6, 16);
    this.c5 = conv('c5', 16, 120);
    this.f6 = weights.linear(ops, 'fc.f6', 84, 120);
    this.f7 = weights.linear(ops, 'fc.f7', CLASSES, 84);
  }

  /** Class logits (10) of one 32x32 grey image (1024 bytes); the view is reused by the next call. */
  forward(image: Uint8Array): Float32Array {
    if (image.length !== 32 * 32) throw new InvalidArgumentError(`image must have 1024 pixels, got ${image.length}`);
    const ops = this.ops;
    for (let i = 0; i < image.length; i++) {
      this.input[i] = ((image[i] as number) / 255 - LENET_INPUT.mean) / LENET_INPUT.std;
    }
    ops.conv2d('c1', this.a1, this.input, this.c1, 32, 32);
    ops.activation('c1.relu', 'relu', this.a1, this.a1, this.a1.length);
    ops.maxPool('s2', this.p1, this.a1, 28, 28, 6);
    ops.conv2d('c3', this.a3, this.p1, this.c3, 14, 14);
    ops.activation('c3.relu', 'relu', this.a3, this.a3, this.a3.length);
    ops.maxPool('s4', this.p3, this.a3, 10, 10, 16);
    ops.conv2d('c5', this.a5, this.p3, this.c5, 5, 5);
    ops.activation('c5.relu', 'relu', this.a5, this.a5, 120);
    ops.linear('f6', this.a6, this.a5, this.f6, 1);
    ops.activation('f6.relu', 'relu', this.a6, this.a6, 84);
    ops.linear('f7', this.logits, this.a6, this.f7, 1);
    return this.logits;
  }

  dispose(): void {
    for (const layer of [this.c1, this.c3, this.c5, this.f6, this.f7]) layer.dispose();
  }
}

export const LENET_NON_SPIKING = [
  'pixel normalisation (a constant affine map of the input)',
  'the final log_softmax (not computed: it does not change the argmax)',
];

/** Builds the fixture's LeNet-5 over any OpSet. */
export function lenetBuilder(tensors: TensorMap, source?: string): ModelBuilder<LeNetModel> {
  return {
    architecture: 'lenet5',
    build: (ops) => new LeNetModel(tensors, ops, source),
    nonSpiking: LENET_NON_SPIKING,
  };
}
