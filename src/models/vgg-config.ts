// A torchvision VGG's structure read from its tensor names and shapes. torchvision's make_layers numbers the
// `features` modules in order: a Conv2d(3x3, padding 1) at i, its BatchNorm2d at i + 1 in the _bn variants, then a
// ReLU, and MaxPool2d(2, 2) where the configuration has 'M'. ReLUs and pools hold no tensors, so they are the gaps
// between the numbered convolutions: after a convolution (and its norm) comes a ReLU, and every further index before
// the next convolution is a pool. Every torchvision configuration ends with 'M', so the last ReLU is followed by one
// pool. Then AdaptiveAvgPool2d((7, 7)), flatten, and classifier.0, .3, .6 linears (ReLU and dropout between).
import { FormatError } from '../errors.js';
import { describeText } from '../describe.js';
import type { TensorMap } from '../tensor.js';

/** Tensor names every torchvision VGG has (how the registry recognises it). */
export const VGG_TENSORS = ['features.0.weight', 'classifier.0.weight', 'classifier.3.weight', 'classifier.6.weight'];

/** The size AdaptiveAvgPool2d brings the features to before the classifier. */
export const VGG_POOLED = 7;

export type VggLayer =
  | {
      readonly kind: 'conv';
      /** Its index in `features`. */
      readonly index: number;
      readonly inChannels: number;
      readonly outChannels: number;
      /** Whether features.<index + 1> is its BatchNorm2d. */
      readonly batchNorm: boolean;
    }
  | { readonly kind: 'relu' | 'pool'; readonly index: number };

export interface VggConfig {
  readonly layers: readonly VggLayer[];
  /** Channels of the last convolution. */
  readonly features: number;
  /** Output sizes of classifier.0 and classifier.3. */
  readonly hidden: readonly [number, number];
  readonly classes: number;
}

/** The structure of the VGG whose tensors these are; a FormatError naming `source` if it is not one. */
export function vggConfig(tensors: TensorMap, source: string): VggConfig {
  const shape = (name: string): readonly number[] | undefined => tensors.get(name)?.shape;
  // every numbered feature module with tensors, and which of them are convolutions (4-D weights)
  const indices = new Set<number>();
  for (const name of tensors.keys()) {
    const match = /^features\.(\d+)\./.exec(name);
    if (match) indices.add(Number(match[1]));
  }
  const convs = [...indices].filter((i) => shape(`features.${i}.weight`)?.length === 4).sort((a, b) => a - b);
  if (convs[0] !== 0) throw new FormatError(source, 'features.0 is not a convolution (not a torchvision VGG)');
  const layers: VggLayer[] = [];
  let channels = 3;
  convs.forEach((index, k) => {
    const [outChannels = 0, inChannels] = shape(`features.${index}.weight`) ?? [];
    if (inChannels !== channels) {
      throw new FormatError(
        source,
        `features.${index} takes ${inChannels} channels, the layer before gives ${channels}`,
      );
    }
    const batchNorm = tensors.has(`features.${index + 1}.running_var`);
    layers.push({ kind: 'conv', index, inChannels, outChannels, batchNorm });
    const relu = index + (batchNorm ? 2 : 1);
    if (indices.has(relu)) throw new FormatError(source, `features.${relu} has tensors where a ReLU belongs`);
    layers.push({ kind: 'relu', index: relu });
    const next = convs[k + 1] ?? relu + 2; // the last: one pool, as every configuration ends
    if (next <= relu) throw new FormatError(source, `features.${index} is followed by convolution features.${next}`);
    for (let pool = relu + 1; pool < next; pool++) {
      if (indices.has(pool)) {
        throw new FormatError(source, `features.${pool} has tensors but is neither a convolution nor its norm`);
      }
      layers.push({ kind: 'pool', index: pool });
    }
    channels = outChannels;
  });
  const linear = (name: string, inFeatures: number): number => {
    const s = shape(`${name}.weight`);
    if (!s || s.length !== 2 || s[1] !== inFeatures) {
      throw new FormatError(
        source,
        `${describeText(name)}.weight must be (out, ${inFeatures}), got ${s ? `(${s.join(', ')})` : 'none'}`,
      );
    }
    return s[0] as number;
  };
  const first = linear('classifier.0', channels * VGG_POOLED * VGG_POOLED);
  const second = linear('classifier.3', first);
  const classes = linear('classifier.6', second);
  return { layers, features: channels, hidden: [first, second], classes };
}
