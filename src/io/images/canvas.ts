// Decoding in the browser: the page draws an image file onto a canvas and reads it back as RGBA (ImageData);
// alpha is composited on white (./convert.ts), so the result is 3-channel RGB (a canvas cannot tell grey files
// from colour ones; a grey image comes back with R = G = B, which converts back to the same grey exactly).
// Differences from the Node decoders, which read files as Pillow's Image.open does: browsers apply a JPEG's EXIF
// orientation, their JPEG decoders may differ by a level or two, and a canvas stores premultiplied alpha, so
// half-transparent pixels may differ by a level after compositing. Nothing here touches the DOM at load time.
import { FormatError, InvalidArgumentError } from '../../errors.js';
import { describeText } from '../../describe.js';
import { compositeOnWhite } from './convert.js';
import { checkImageSize, MAX_IMAGE_SIDE, type DecodedImage } from './image.js';

/** What ImageData (and anything holding RGBA pixels) has. */
export interface RgbaPixels {
  readonly width: number;
  readonly height: number;
  /** (height, width, 4) RGBA, not premultiplied (ImageData's layout) */
  readonly data: ArrayLike<number>;
}

/** RGBA pixels (a canvas's getImageData()) as a 3-channel DecodedImage, alpha composited on white. */
export function fromImageData(pixels: RgbaPixels, what = 'image data'): DecodedImage {
  return compositeOnWhite(pixels.data, pixels.width, pixels.height, 4, what);
}

interface Canvas2D {
  drawImage(image: ImageBitmap, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { readonly data: ArrayLike<number> };
}

/** A 2D context of a width x height canvas: an OffscreenCanvas where there is one (workers too), else a <canvas>. */
function context2d(width: number, height: number): Canvas2D | null {
  const g = globalThis as { OffscreenCanvas?: typeof OffscreenCanvas; document?: Document };
  if (g.OffscreenCanvas !== undefined) {
    return new g.OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  }
  const canvas = g.document?.createElement('canvas');
  if (canvas === undefined) return null;
  canvas.width = width;
  canvas.height = height;
  return canvas.getContext('2d', { willReadFrequently: true });
}

/**
 * Decodes an image file (a File or Blob: PNG, JPEG, or anything the browser reads) with the browser's decoder
 * and a canvas. A file the browser cannot decode, or larger than MAX_IMAGE_SIDE a side, is a FormatError naming
 * it (`name`, else the File's name). Without createImageBitmap and a canvas (Node) it is an InvalidArgumentError.
 */
export async function decodeWithCanvas(blob: Blob, name?: string): Promise<DecodedImage> {
  const file = name ?? ((blob as { name?: unknown }).name as string | undefined) ?? 'image';
  const g = globalThis as { createImageBitmap?: typeof createImageBitmap };
  if (g.createImageBitmap === undefined) {
    throw new InvalidArgumentError('decodeWithCanvas needs createImageBitmap and a canvas (a browser)');
  }
  let bitmap: ImageBitmap;
  try {
    // no colour-space conversion (as Pillow, which ignores ICC profiles), alpha not premultiplied
    bitmap = await g.createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new FormatError(
      file,
      `the browser cannot decode it as an image (${describeText(String((e as Error).message))})`,
    );
  }
  try {
    const { width, height } = bitmap;
    if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
      throw new FormatError(file, `image is ${width} x ${height}, larger than ${MAX_IMAGE_SIDE} px a side`);
    }
    checkImageSize(width, height, file);
    const ctx = context2d(width, height);
    if (ctx === null) throw new InvalidArgumentError('decodeWithCanvas: no 2D canvas context available');
    ctx.drawImage(bitmap, 0, 0);
    return fromImageData({ width, height, data: ctx.getImageData(0, 0, width, height).data }, file);
  } finally {
    bitmap.close();
  }
}
