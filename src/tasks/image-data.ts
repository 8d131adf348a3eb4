// Decoded images to the 8-bit batch an ImageClassifier's forward takes: each image converted to the model's
// channels and resized to its size with the preprocessor's filter, as Pillow would (the model's forward does the
// rescale and normalisation). MNIST's IDX images become grey DecodedImages, so they can feed any model.
import { InvalidArgumentError } from '../errors.js';
import type { ResampleFilter } from '../io/hf/preprocessor.js';
import { toGrey, toRgb } from '../io/images/convert.js';
import { checkImage, checkImageSize, type DecodedImage } from '../io/images/image.js';
import { resizeImage } from '../io/images/resize.js';
import type { ImageShape } from '../models/interfaces.js';

/**
 * The images as one (count, height, width, channels) u8 batch for a model taking `shape`: RGB images become grey
 * by luma for a 1-channel model, grey ones RGB by replication for a 3-channel one (both as Pillow's convert),
 * then each is resized to the model's size with `resize.resample` (Pillow's Image.resize; an ImagePreprocessor's
 * `resize` fits). An image of another size without `resize` is an InvalidArgumentError naming it.
 */
export function prepareImages(
  images: readonly DecodedImage[],
  shape: ImageShape,
  resize?: { readonly resample: ResampleFilter },
): Uint8Array {
  const { height, width, channels } = shape;
  checkImageSize(width, height, 'model image shape');
  if (channels !== 1 && channels !== 3) {
    throw new InvalidArgumentError(`model image shape: channels must be 1 or 3, got ${channels}`);
  }
  const size = height * width * channels;
  const out = new Uint8Array(images.length * size); // (count, height, width, channels)
  images.forEach((image, i) => {
    out.set(fitImage(image, shape, resize, `images[${i}]`).data, i * size);
  });
  return out;
}

/** One image converted and resized to the model's shape (height, width, channels). */
export function fitImage(
  image: DecodedImage,
  shape: ImageShape,
  resize?: { readonly resample: ResampleFilter },
  what = 'image',
): DecodedImage {
  const { height, width, channels } = shape;
  checkImage(image, what);
  // to grey before resizing (Pillow's order: convert, then resize); to RGB after (replication commutes with it)
  let prepared = channels === 1 ? toGrey(image) : image;
  if (prepared.width !== width || prepared.height !== height) {
    if (resize === undefined) {
      throw new InvalidArgumentError(
        `${what} is ${image.width} x ${image.height}, the model takes ${width} x ${height}: give a resize filter`,
      );
    }
    prepared = resizeImage(prepared, { height, width, resample: resize.resample });
  }
  return channels === 3 ? toRgb(prepared) : prepared;
}

/**
 * IDX images (count, rows, cols) u8 (parseIdxImages' pixels) as `count` grey DecodedImages, views into `pixels`
 * (no copy). A length that is not count * rows * cols is an InvalidArgumentError.
 */
export function idxImages(pixels: Uint8Array, count: number, rows: number, cols: number): DecodedImage[] {
  checkImageSize(cols, rows, 'IDX images');
  if (!Number.isInteger(count) || count < 0 || pixels.length !== count * rows * cols) {
    throw new InvalidArgumentError(
      `IDX images: expected ${count} x ${rows} x ${cols} = ${count * rows * cols} bytes, got ${pixels.length}`,
    );
  }
  const size = rows * cols;
  return Array.from({ length: count }, (_, i) => ({
    width: cols,
    height: rows,
    channels: 1 as const,
    data: pixels.subarray(i * size, (i + 1) * size), // (rows, cols)
  }));
}
