// The fewest bytes a PNG or JPEG of a given size can be. The decoders allocate the whole image from the header
// before they find the data missing (a 69-byte PNG claiming 16384 x 16384 took 20 s and 3 GB), so the header's
// size is checked against the bytes the file has first.
import { FormatError } from '../../errors.js';
import { formatBytes } from '../bytes.js';

/** Deflate's largest expansion: one 258-byte match per 2 bits of a fixed-Huffman block, about 1032 : 1. */
const DEFLATE_MAX_RATIO = 1032;

/** Samples per pixel of each PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Throws FormatError unless `fileBytes` of PNG can inflate to the image data its header implies: at least
 * height x ceil(width x bits per pixel / 8) bytes (filter bytes and interlacing only add to that).
 */
export function checkPngDataSize(
  file: string,
  fileBytes: number,
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
): void {
  const channels = PNG_CHANNELS[colorType];
  if (channels === undefined) return; // pngjs names the bad colour type
  const needed = height * Math.ceil((width * bitDepth * channels) / 8);
  if (needed > fileBytes * DEFLATE_MAX_RATIO) {
    throw new FormatError(
      file,
      `PNG of ${width} x ${height} needs ${formatBytes(needed)} of image data, more than its ` +
        `${formatBytes(fileBytes)} can hold (truncated or corrupt)`,
    );
  }
}

/**
 * Throws FormatError unless `fileBytes` of JPEG can code the 8 x 8 blocks its frame implies: the component at full
 * resolution has ceil(width / 8) x ceil(height / 8) blocks, and each takes at least one bit (a Huffman code).
 */
export function checkJpegDataSize(file: string, fileBytes: number, width: number, height: number): void {
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  if (blocks > fileBytes * 8) {
    throw new FormatError(
      file,
      `JPEG of ${width} x ${height} has ${blocks} blocks to code, more than its ${formatBytes(fileBytes)} can hold ` +
        '(truncated or corrupt)',
    );
  }
}
