// What torchvision's ImageNet classifiers share: RGB input normalised with the ImageNet statistics on pixel / 255
// (transforms.Normalize after ToTensor), an input size (224 unless the safetensors `__metadata__` says otherwise
// under `input_size`), and class indices for labels.
import { FormatError, InvalidArgumentError } from '../errors.js';
import { describeValue } from '../describe.js';
import { MAX_IMAGE_SIDE } from '../io/images/image.js';
import type { ImageShape } from './interfaces.js';

/** torchvision's ImageNet normalisation, per RGB channel. */
export const IMAGENET_NORMALISATION = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

/** The input size torchvision's ImageNet models are evaluated at (Resize(256), CenterCrop(224)). */
export const DEFAULT_INPUT_SIZE = 224;

/** The metadata key that gives the input size: "224" (square) or "224,192" / "224x192" (height, width). */
export const INPUT_SIZE_KEY = 'input_size';

/** The RGB image shape of a checkpoint, from its metadata's input_size or the default. */
export function imageShapeOf(metadata: Readonly<Record<string, string>>, source: string): ImageShape {
  const given = metadata[INPUT_SIZE_KEY];
  if (given === undefined) return { height: DEFAULT_INPUT_SIZE, width: DEFAULT_INPUT_SIZE, channels: 3 };
  const sides = given.split(/[,x]/).map((s) => s.trim());
  const ok = sides.length <= 2 && sides.every((s) => /^[0-9]+$/.test(s) && +s >= 1 && +s <= MAX_IMAGE_SIDE);
  if (!ok) {
    throw new FormatError(
      source,
      `__metadata__.${INPUT_SIZE_KEY} is ${describeValue(given)}: expected a size ("224") or height,width in ` +
        `1..${MAX_IMAGE_SIDE}`,
    );
  }
  const [height, width = height] = sides.map(Number) as [number, number?];
  return { height, width, channels: 3 };
}

/** out (H * W * 3) = (pixel / 255 - mean) / std per channel of an (H, W, 3) RGB image. */
export function normaliseImageNet(out: Float32Array, pixels: Uint8Array, image: ImageShape): void {
  if (pixels.length !== image.height * image.width * 3) {
    throw new InvalidArgumentError(
      `image must have ${image.height * image.width * 3} bytes (${image.height}x${image.width} RGB), got ${pixels.length}`,
    );
  }
  const { mean, std } = IMAGENET_NORMALISATION;
  for (let i = 0; i < pixels.length; i++) {
    const c = i % 3;
    out[i] = ((pixels[i] as number) / 255 - (mean[c] as number)) / (std[c] as number);
  }
}

/** Class names of a classifier without its own: the indices as strings. */
export const classIndexLabels = (classes: number): string[] => Array.from({ length: classes }, (_, i) => String(i));

export const IMAGENET_NON_SPIKING = 'pixel normalisation (a constant per-channel affine map of the input)';
export const FOLDED_BATCH_NORM =
  'batch normalisation: folded into the preceding convolution at load time (no operation at run time)';
