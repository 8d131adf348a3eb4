// Decoded 8-bit images, whatever decoded them (the Node PNG/JPEG readers, the browser's canvas): grey stays one
// channel, colour is three; alpha never survives decoding (it is composited on white, see ./convert.ts).
import { InvalidArgumentError } from '../../errors.js';
import { describeKind, describeValue } from '../../describe.js';

/** An 8-bit image: grey (1 channel) or RGB (3 channels). */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** (height, width, channels) u8, row-major */
  readonly data: Uint8Array;
}

/** The largest width or height the readers accept (a larger image is a FormatError naming its file). */
export const MAX_IMAGE_SIDE = 16384;

/** Throws an InvalidArgumentError naming `what` unless width and height are integers in 1..MAX_IMAGE_SIDE. */
export function checkImageSize(width: number, height: number, what: string): void {
  const ok = (side: number) => Number.isInteger(side) && side >= 1 && side <= MAX_IMAGE_SIDE;
  if (!ok(width) || !ok(height)) {
    throw new InvalidArgumentError(
      `${what}: width and height must be integers in 1..${MAX_IMAGE_SIDE}, got ` +
        `${describeValue(width)} x ${describeValue(height)}`,
    );
  }
}

/** Throws an InvalidArgumentError naming `what` unless the image's size, channels and data length agree. */
export function checkImage(image: DecodedImage, what = 'image'): void {
  if (typeof image !== 'object' || image === null) {
    throw new InvalidArgumentError(
      `${what} must be a decoded image { width, height, channels, data }, got ${describeKind(image)}`,
    );
  }
  checkImageSize(image.width, image.height, what);
  if (image.channels !== 1 && image.channels !== 3) {
    throw new InvalidArgumentError(`${what}: channels must be 1 or 3, got ${describeValue(image.channels)}`);
  }
  const expected = image.width * image.height * image.channels;
  if (!(image.data instanceof Uint8Array) || image.data.length !== expected) {
    throw new InvalidArgumentError(
      `${what}: data must be a Uint8Array of ${image.height} x ${image.width} x ${image.channels} = ${expected} ` +
        `bytes, got ${image.data instanceof Uint8Array ? `${image.data.length}` : 'another type'}`,
    );
  }
}
