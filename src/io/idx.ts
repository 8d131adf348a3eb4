// MNIST IDX files and gzip, without Node:
//   u32 BIG-endian magic 0x00000803 (unsigned bytes, 3 dims) or 0x00000801 (unsigned bytes, 1 dim),
//   then one u32 BE size per dim, then the bytes row-major. gunzip uses the web DecompressionStream
//   (a global in Node >= 18 and in browsers).
import { FormatError, InvalidArgumentError } from '../errors.js';
import { describeText, describeValue } from '../describe.js';
import { asBytes, dataView, formatBytes } from './bytes.js';

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** (count, rows, cols) u8 pixels, a view into the file */
  readonly pixels: Uint8Array;
}

export interface IdxLabels {
  readonly count: number;
  /** (count) u8 labels, a view into the file */
  readonly labels: Uint8Array;
}

/** Checks the magic and that the file is exactly header + product(dims) bytes; returns the dims. */
function readIdx(bytes: Uint8Array, file: string, magic: number, what: string): number[] {
  const dims = magic & 0xff;
  const headerBytes = 4 + 4 * dims;
  if (bytes.byteLength < headerBytes) {
    throw new FormatError(
      file,
      `file is ${formatBytes(bytes.byteLength)}, shorter than the ${headerBytes}-byte IDX ${what} header`,
    );
  }
  const view = dataView(bytes);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    const hex = (m: number) => `0x${m.toString(16).padStart(8, '0')}`;
    const hint = found >>> 16 === 0x1f8b ? ' (gzip data: gunzip it first)' : '';
    throw new FormatError(file, `magic ${hex(found)}, expected ${hex(magic)} for IDX ${what}${hint}`, 0);
  }
  const sizes = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = headerBytes + sizes.reduce((p, d) => p * d, 1);
  if (bytes.byteLength !== expected) {
    throw new FormatError(
      file,
      `file is ${formatBytes(bytes.byteLength)}, but its header (${sizes.join(' x ')}) implies ${formatBytes(expected)}` +
        (bytes.byteLength < expected ? ' (truncated)' : ' (trailing data)'),
    );
  }
  return sizes;
}

/** IDX3 unsigned-byte images (MNIST `*-images-idx3-ubyte`). */
export function parseIdxImages(data: Uint8Array | ArrayBuffer, file = 'IDX images'): IdxImages {
  const bytes = asBytes(data);
  const [count, rows, cols] = readIdx(bytes, file, IMAGES_MAGIC, 'images') as [number, number, number];
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** IDX1 unsigned-byte labels (MNIST `*-labels-idx1-ubyte`). */
export function parseIdxLabels(data: Uint8Array | ArrayBuffer, file = 'IDX labels'): IdxLabels {
  const bytes = asBytes(data);
  const [count] = readIdx(bytes, file, LABELS_MAGIC, 'labels') as [number];
  return { count, labels: bytes.subarray(8) };
}

/** The most gunzip inflates by default (1 GiB; MNIST's largest file inflates to 47 MB). */
export const MAX_GUNZIP_BYTES = 2 ** 30;

export interface GunzipOptions {
  /** The most bytes the data may inflate to; past it, a FormatError (default MAX_GUNZIP_BYTES). */
  readonly maxBytes?: number;
}

/**
 * Decompresses gzip data (all members); rejects with FormatError when it is not gzip, is corrupt or cut, or
 * inflates to more than options.maxBytes (checked chunk by chunk, so a gzip bomb is stopped at the bound).
 */
export async function gunzip(
  data: Uint8Array | ArrayBuffer,
  file = 'gzip data',
  options: GunzipOptions = {},
): Promise<Uint8Array> {
  const bytes = asBytes(data);
  const maxBytes = options?.maxBytes ?? MAX_GUNZIP_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new InvalidArgumentError(`maxBytes must be a non-negative integer, got ${describeValue(maxBytes)}`);
  }
  if (bytes.byteLength < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new FormatError(file, 'not gzip data (expected the magic bytes 1f 8b)', 0);
  }
  const stream = new ReadableStream<BufferSource>({
    start(controller) {
      // DecompressionStream takes ArrayBuffer-backed chunks only
      controller.enqueue(bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice());
      controller.close();
    },
  }).pipeThrough(new DecompressionStream('gzip'));
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) break;
      chunks.push(value);
    }
  } catch (e) {
    throw new FormatError(file, `corrupt gzip data (${describeText((e as Error).message)})`);
  }
  if (length > maxBytes) {
    await reader.cancel().catch(() => undefined); // stop inflating; the rest is never produced
    throw new FormatError(
      file,
      `inflates to more than ${formatBytes(maxBytes)}, the limit (gunzip's maxBytes option raises it)`,
    );
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
