// Channel conversions with Pillow's integer arithmetic, so that a converted image is byte-identical to what
// Pillow gives:
//   grey -> RGB: the value replicated (Image.convert('RGB') of an 'L' image);
//   RGB -> grey: ITU-R 601-2 luma in 16-bit fixed point, (19595 R + 38470 G + 7471 B + 0x8000) >> 16
//     (Image.convert('L'); the weights sum to 65536, so a grey pixel keeps its value);
//   alpha -> composited on opaque white, as Image.alpha_composite(white, image) does (7 fractional bits, rounded
//     divisions by 255): what transformers' convert_to_rgb does to images with transparency. A fully
//     transparent pixel is white whatever its colour, so decoders that zero or premultiply such pixels (pngjs's
//     tRNS handling, the browser's canvas) give the same result.
import { InvalidArgumentError } from '../../errors.js';
import { describeKind, describeValue } from '../../describe.js';
import { checkImage, checkImageSize, type DecodedImage } from './image.js';

/** The luma of one RGB pixel, as Pillow's convert('L'). */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/** A grey image as it is (the same object), an RGB one reduced to its luma. */
export function toGrey(image: DecodedImage): DecodedImage {
  checkImage(image);
  if (image.channels === 1) return image;
  const { width, height, data } = image;
  const n = width * height;
  const out = new Uint8Array(n); // (height, width)
  for (let i = 0; i < n; i++) out[i] = luma(data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!);
  return { width, height, channels: 1, data: out };
}

/** An RGB image as it is (the same object), a grey one with its value in all three channels. */
export function toRgb(image: DecodedImage): DecodedImage {
  checkImage(image);
  if (image.channels === 3) return image;
  const { width, height, data } = image;
  const n = width * height;
  const out = new Uint8Array(3 * n); // (height, width, 3)
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    out[3 * i] = v;
    out[3 * i + 1] = v;
    out[3 * i + 2] = v;
  }
  return { width, height, channels: 3, data: out };
}

/** The image with `channels` channels (1: grey, 3: RGB). */
export function convertChannels(image: DecodedImage, channels: 1 | 3): DecodedImage {
  return channels === 1 ? toGrey(image) : toRgb(image);
}

/**
 * One 8-bit value v with alpha a composited on white: Pillow's alpha_composite(white, (v, a)) in its integer
 * arithmetic, which for an opaque white background is ((128 (v a + 255 (255 - a)) + 2^14) / 255 rounded by
 * shifts) >> 7.
 */
export function overWhite(v: number, a: number): number {
  if (a === 0) return 255;
  const t = 128 * (v * a + 255 * (255 - a)) + (0x80 << 7);
  return (((t >>> 8) + t) >>> 8) >>> 7;
}

/**
 * An image with alpha, (height, width, channels) with channels 2 (grey, alpha) or 4 (RGBA) and alpha last, as a
 * DecodedImage composited on white: grey + alpha gives grey, RGBA gives RGB. Opaque pixels keep their values.
 */
export function compositeOnWhite(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: 2 | 4,
  what = 'image',
): DecodedImage {
  checkImageSize(width, height, what);
  const n = width * height;
  if (typeof data !== 'object' || data === null || data.length !== n * channels) {
    throw new InvalidArgumentError(
      `${what}: expected ${height} x ${width} x ${channels} = ${n * channels} values, got ` +
        (typeof data === 'object' && data !== null ? describeValue(data.length) : describeKind(data)),
    );
  }
  const colours = channels - 1;
  const out = new Uint8Array(n * colours); // (height, width, colours)
  for (let i = 0; i < n; i++) {
    const a = data[i * channels + colours]!;
    for (let c = 0; c < colours; c++) {
      const v = data[i * channels + c]!;
      out[i * colours + c] = a === 255 ? v : overWhite(v, a);
    }
  }
  return { width, height, channels: colours === 1 ? 1 : 3, data: out };
}
