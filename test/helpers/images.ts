// Small PNG and JPEG files for the image tests, written with the decoders' own encoders (pngjs, jpeg-js), plus
// what those cannot write: palette PNGs (built chunk by chunk) and a grey JPEG (made once by Pillow, embedded).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG, type ColorType } from 'pngjs';

/** A PNG of (height, width, bands) samples, bands from the colour type (0 grey, 2 RGB, 4 grey + alpha, 6 RGBA). */
export function pngBytes(
  width: number,
  height: number,
  colorType: ColorType,
  data: Uint8Array | Uint16Array,
  bitDepth: 8 | 16 = 8,
): Uint8Array {
  const png = new PNG({ width, height });
  // 16-bit input: native-endian u16 samples, as pngjs's packer reads them
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: colorType >= 4, bitDepth });
}

/** An RGB baseline JPEG of (height, width, 3) pixels, by jpeg-js's encoder (4:4:4). */
export function jpegBytes(width: number, height: number, rgb: Uint8Array, quality = 100): Uint8Array {
  const rgba = new Uint8Array(width * height * 4); // (height, width, 4)
  for (let i = 0; i < width * height; i++) rgba.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, 255], 4 * i);
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, quality).data);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The CRC-32 of PNG chunks and gzip members. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC of type + data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The parts one after another, in a new array. */
export const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** The 25 leading bytes of a PNG (signature + IHDR) of that size: enough for the header checks. */
export function pngHeader(width: number, height: number, bitDepth = 8, colorType = 2): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  return concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr)]);
}

/**
 * A palette PNG of 4-bit indices (height, width) into `palette` (entries, 3) RGB, with optional tRNS alphas for
 * the first entries; rows filtered with filter 0 (none).
 */
export function palettePngBytes(
  width: number,
  height: number,
  indices: Uint8Array,
  palette: Uint8Array,
  alphas?: Uint8Array,
): Uint8Array {
  const rowBytes = Math.ceil(width / 2);
  const raw = new Uint8Array(height * (1 + rowBytes)); // (height, 1 + rowBytes): filter byte, packed indices
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw[y * (1 + rowBytes) + 1 + (x >> 1)]! |= indices[y * width + x]! << (x % 2 === 0 ? 4 : 0);
    }
  }
  const header = pngHeader(width, height, 4, 3);
  const chunks = [header, pngChunk('PLTE', palette)];
  if (alphas) chunks.push(pngChunk('tRNS', alphas));
  chunks.push(pngChunk('IDAT', new Uint8Array(deflateSync(raw))), pngChunk('IEND', new Uint8Array(0)));
  return concat(chunks);
}

/**
 * A grey 16 x 8 baseline JPEG made by Pillow 9.4 (`Image.fromarray(a, 'L').save(f, 'JPEG', quality=100,
 * optimize=True)` with a[y][x] = (16 x + 8 y) % 256), and the pixels Pillow decodes from it, (8, 16).
 */
export const GREY_JPEG = Uint8Array.from(
  atob(
    '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB' +
      'AQEBAQH/wAALCAAIABABAREA/8QAFQABAQAAAAAAAAAAAAAAAAAACQr/xAAoEAABAgIHCQAAAAAAAAAAAAAGBQcECAAJExQVFyQCAxklNUNU' +
      'YXL/2gAIAQEAAD8AJ+rblt6BoPG7Xz6pUBNhMNwxKuFx3+G9q4PaY4axcs/L71ZPs5SWs4CU68GPxLeZUCSGavVgh+jQocdZa5cRqvAKZik2' +
      '3//Z',
  ),
  (c) => c.charCodeAt(0),
);
export const GREY_JPEG_PILLOW = Uint8Array.from({ length: 8 * 16 }, (_, i) => (16 * (i % 16) + 8 * (i >> 4)) % 256);
// Pillow's decode differs from the source by a level at four pixels (JPEG is lossy even at quality 100)
for (const [i, v] of [
  [24, 135],
  [91, 217],
  [110, 15],
  [122, 217],
] as const) {
  GREY_JPEG_PILLOW[i] = v;
}

/** Writes bytes to path, creating its folders. */
export async function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}
