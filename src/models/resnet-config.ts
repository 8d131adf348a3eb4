// A torchvision ResNet's structure read from its tensor names and shapes: BasicBlock or Bottleneck (whether
// layer1.0.conv3 exists), the stages layer1, layer2, ... and their blocks layerN.i, each block's widths from its
// convolutions, and the classes from fc. Strides are torchvision's: stage 1 keeps the size, every later stage
// halves it in its first block (on conv2 in a Bottleneck, ResNet v1.5); the stem is conv1 (stride 2, padding
// K / 2), bn1, ReLU and MaxPool2d(3, 2, 1).
import { FormatError } from '../errors.js';
import { describeText } from '../describe.js';
import type { TensorMap } from '../tensor.js';

/** Tensor names every torchvision ResNet has (how the registry recognises it). */
export const RESNET_TENSORS = [
  'conv1.weight',
  'bn1.running_var',
  'layer1.0.conv1.weight',
  'layer1.0.bn1.weight',
  'fc.weight',
];

export interface ResNetBlock {
  /** "layer2.0" */
  readonly prefix: string;
  readonly inChannels: number;
  /** Output channels of conv1 (and conv2 in a Bottleneck). */
  readonly width: number;
  readonly outChannels: number;
  readonly stride: number;
  /** Whether the shortcut is downsample.0 (1x1 convolution, stride) and downsample.1 (batch norm). */
  readonly downsample: boolean;
}

export interface ResNetConfig {
  readonly bottleneck: boolean;
  readonly stem: { readonly channels: number; readonly kernelSize: number };
  readonly blocks: readonly ResNetBlock[];
  /** Channels into the global average pool and fc. */
  readonly features: number;
  readonly classes: number;
}

/** The structure of the ResNet whose tensors these are; a FormatError naming `source` if it is not one. */
export function resnetConfig(tensors: TensorMap, source: string): ResNetConfig {
  const shape = (name: string, dims: number): readonly number[] => {
    const s = tensors.get(name)?.shape;
    if (!s) throw new FormatError(source, `missing tensor "${describeText(name)}" of a torchvision ResNet`);
    if (s.length !== dims) {
      throw new FormatError(source, `tensor "${describeText(name)}" has ${s.length} dimensions, expected ${dims}`);
    }
    return s;
  };
  const [stemChannels = 0, , stemKernel = 0] = shape('conv1.weight', 4);
  const bottleneck = tensors.has('layer1.0.conv3.weight');
  const blocks: ResNetBlock[] = [];
  let channels = stemChannels;
  for (let stage = 1; tensors.has(`layer${stage}.0.conv1.weight`); stage++) {
    for (let i = 0; tensors.has(`layer${stage}.${i}.conv1.weight`); i++) {
      const prefix = `layer${stage}.${i}`;
      const [width = 0] = shape(`${prefix}.conv1.weight`, 4);
      const [, groupWidth] = shape(`${prefix}.conv2.weight`, 4);
      if (groupWidth !== width) {
        throw new FormatError(source, `${prefix}.conv2 is a grouped convolution (ResNeXt): not supported`);
      }
      const [outChannels = 0] = shape(`${prefix}.${bottleneck ? 'conv3' : 'conv2'}.weight`, 4);
      const stride = stage > 1 && i === 0 ? 2 : 1;
      const downsample = tensors.has(`${prefix}.downsample.0.weight`);
      if (!downsample && (stride !== 1 || channels !== outChannels)) {
        throw new FormatError(source, `${prefix} changes the size or channels but has no downsample.0 shortcut`);
      }
      blocks.push({ prefix, inChannels: channels, width, outChannels, stride, downsample });
      channels = outChannels;
    }
  }
  const [classes = 0] = shape('fc.weight', 2);
  return { bottleneck, stem: { channels: stemChannels, kernelSize: stemKernel }, blocks, features: channels, classes };
}
