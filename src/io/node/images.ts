// PNG and JPEG files decoded in Node with pure-JS decoders (pngjs, jpeg-js; never reachable from the browser
// entry, where the page decodes with the canvas: ../images/canvas.ts), and a labelled folder of them.
//
// What a file becomes, as Pillow's Image.open and transformers' convert_to_rgb would make it:
// - grey PNGs (any bit depth) and grey JPEGs stay 1 channel; RGB, palette (expanded through the palette) and
//   CMYK JPEGs become 3 channels;
// - alpha (grey + alpha, RGBA, a tRNS chunk) is composited on opaque white with Pillow's integer arithmetic
//   (../images/convert.ts), so transparent pixels are white;
// - 16-bit samples are rounded to 8 bits (round(v 255 / 65535), pngjs's scaling); 12-bit JPEGs are not read;
// - EXIF orientation and ICC profiles are ignored, as Image.open does. JPEG decoders differ in their inverse DCT
//   and chroma upsampling, so jpeg-js and libjpeg may disagree by a level or two on some pixels.
// Bounds: a file over MAX_IMAGE_FILE_BYTES, an image over MAX_IMAGE_SIDE a side (checked from the header, before
// decoding), a corrupt or truncated file, or one that is neither PNG nor JPEG, is a FormatError naming the file.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { FormatError, InvalidArgumentError } from '../../errors.js';
import { describeKind, describeText } from '../../describe.js';
import { asBytes, formatBytes } from '../bytes.js';
import { compositeOnWhite } from '../images/convert.js';
import { MAX_IMAGE_SIDE, type DecodedImage } from '../images/image.js';
import { readFileBytes } from './files.js';
import { onPath, pathText } from './fs-errors.js';
import { checkJpegDataSize, checkPngDataSize } from './image-bounds.js';

/** The largest image file read (64 MiB). */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

/** The file names readImageFolder takes as images (any letter case). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function checkSide(file: string, width: number, height: number): void {
  if (width < 1 || height < 1) throw new FormatError(file, `image is ${width} x ${height} (empty)`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new FormatError(file, `image is ${width} x ${height}, larger than ${MAX_IMAGE_SIDE} px a side`);
  }
}

/** Runs a decoder; whatever it throws (it throws plain Errors, or worse) becomes a FormatError naming the file. */
function decoding<T>(file: string, format: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof FormatError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new FormatError(file, `corrupt or unsupported ${format} data (${describeText(message, 120)})`);
  }
}

/** A PNG: the IHDR is checked first (it must be the first chunk), then pngjs decodes it to RGBA. */
function decodePng(bytes: Uint8Array, file: string): DecodedImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ihdr = bytes.byteLength >= 33 && view.getUint32(8) === 13 && view.getUint32(12) === 0x49484452;
  if (!ihdr) throw new FormatError(file, 'PNG without an IHDR chunk first (truncated or corrupt)', 8);
  checkSide(file, view.getUint32(16), view.getUint32(20));
  checkPngDataSize(file, bytes.byteLength, view.getUint32(16), view.getUint32(20), bytes[24]!, bytes[25]!);
  const png = decoding(file, 'PNG', () =>
    PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { checkCRC: true }),
  );
  const { width, height } = png;
  const rgba = png.data; // (height, width, 4)
  const grey = !png.color && !png.palette;
  if (png.alpha) {
    if (!grey) return compositeOnWhite(rgba, width, height, 4, file);
    const la = new Uint8Array(width * height * 2); // (height, width, 2) grey, alpha
    for (let i = 0; i < width * height; i++) {
      la[2 * i] = rgba[4 * i]!;
      la[2 * i + 1] = rgba[4 * i + 3]!;
    }
    return compositeOnWhite(la, width, height, 2, file);
  }
  const channels = grey ? 1 : 3;
  const data = new Uint8Array(width * height * channels); // (height, width, channels)
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < channels; c++) data[i * channels + c] = rgba[4 * i + c]!;
  }
  return { width, height, channels, data };
}

interface JpegFrame {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  readonly precision: number;
}

/** The JPEG's frame header (SOFn), read by walking the marker segments before decoding. */
function jpegFrame(bytes: Uint8Array, file: string): JpegFrame {
  const u16 = (at: number) => (bytes[at]! << 8) | bytes[at + 1]!;
  let at = 2;
  while (at + 4 <= bytes.byteLength) {
    if (bytes[at] !== 0xff) throw new FormatError(file, 'corrupt JPEG: expected a marker', at);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // segments without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image or start of scan before any frame
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (marker > 0xc2) {
        const kind = marker === 0xc3 ? 'lossless' : marker >= 0xc9 ? 'arithmetic-coded' : 'hierarchical';
        throw new FormatError(file, `${kind} JPEG (SOF${marker - 0xc0}) is not supported`, at);
      }
      if (at + 10 > bytes.byteLength) break;
      return { precision: bytes[at + 4]!, height: u16(at + 5), width: u16(at + 7), components: bytes[at + 9]! };
    }
    at += 2 + u16(at + 2);
  }
  throw new FormatError(file, 'JPEG without a frame header (truncated or corrupt)');
}

function decodeJpeg(bytes: Uint8Array, file: string): DecodedImage {
  const frame = jpegFrame(bytes, file);
  checkSide(file, frame.width, frame.height);
  checkJpegDataSize(file, bytes.byteLength, frame.width, frame.height);
  if (frame.precision !== 8) throw new FormatError(file, `${frame.precision}-bit JPEG samples are not supported`);
  const image = decoding(file, 'JPEG', () =>
    jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: Math.ceil((MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6),
      maxMemoryUsageInMB: 4096,
    }),
  );
  const { width, height } = image;
  const rgb = image.data; // (height, width, 3); grey JPEGs come with Y in all three
  if (frame.components !== 1) return { width, height, channels: 3, data: rgb };
  const data = new Uint8Array(width * height); // (height, width)
  for (let i = 0; i < width * height; i++) data[i] = rgb[3 * i]!;
  return { width, height, channels: 1, data };
}

/** Decodes PNG or JPEG bytes (told apart by their signature, not the name); `file` names it in errors. */
export function decodeImage(data: Uint8Array, file = 'image'): DecodedImage {
  const bytes = asBytes(data);
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return decodePng(bytes, file);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpeg(bytes, file);
  throw new FormatError(file, 'not a PNG or JPEG file (unknown signature)', 0);
}

/** Reads and decodes one PNG or JPEG file, refusing files over MAX_IMAGE_FILE_BYTES before reading them. */
export async function readImageFile(path: string): Promise<DecodedImage> {
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined, // readFileBytes names a missing path
  );
  if (size !== undefined && size > MAX_IMAGE_FILE_BYTES) {
    throw new FormatError(
      path,
      `file is ${formatBytes(size)}, more than the ${formatBytes(MAX_IMAGE_FILE_BYTES)} read`,
    );
  }
  // the bound again, on the opened file: it may have been replaced since
  return decodeImage(await readFileBytes(path, { maxBytes: MAX_IMAGE_FILE_BYTES }), path);
}

export interface ImageFolder {
  /** The sub-folder names, sorted: label i is labels[i]. */
  readonly labels: string[];
  readonly images: DecodedImage[];
  /** (images) the label of each image */
  readonly labelIndex: Uint16Array;
  /** (images) each image's path */
  readonly files: string[];
}

export interface ImageFolderOptions {
  /** Applied to each image as it is decoded (resizing it to the model's size, say), so only its result is kept. */
  readonly map?: (image: DecodedImage, file: string) => DecodedImage;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const isImageName = (name: string) => IMAGE_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e));

/** Whether a folder entry is a folder, following symbolic links (as torchvision's ImageFolder does). */
async function isFolder(dir: string, entry: Dirent): Promise<boolean> {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  return stat(join(dir, entry.name)).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The entries of `dir` but hidden ones, sorted by name, split into folders and files. */
async function entries(dir: string): Promise<{ folders: string[]; files: string[] }> {
  const folders: string[] = [];
  const files: string[] = [];
  const listed = await onPath(dir, 'folder', () => readdir(dir, { withFileTypes: true }));
  const all = listed.filter((e) => !e.name.startsWith('.'));
  for (const entry of all.sort((a, b) => byName(a.name, b.name))) {
    if (await isFolder(dir, entry)) folders.push(entry.name);
    else files.push(entry.name);
  }
  return { folders, files };
}

/**
 * Appends the image files under `dir` at any depth to `into` (per folder: its files by name, then its folders);
 * a folder reached again through a symbolic link is not read twice (no cycles).
 */
async function collectImages(dir: string, into: string[], seen = new Set<string>()): Promise<void> {
  const real = await onPath(dir, 'folder', () => realpath(dir));
  if (seen.has(real)) return;
  seen.add(real);
  const { folders, files } = await entries(dir);
  for (const name of files) if (isImageName(name)) into.push(join(dir, name));
  for (const name of folders) await collectImages(join(dir, name), into, seen);
}

/**
 * A folder of labelled images, laid out as torchvision's ImageFolder reads it: each sub-folder of `dir` is a
 * label (labels sorted by name), and every .png/.jpg/.jpeg file under it, at any depth, is an image of that
 * label (files sorted by name; hidden files and folders, and files directly in `dir`, are skipped). A missing
 * folder is an InvalidArgumentError; a folder without labelled images, or a label folder without images, is a
 * FormatError naming it; an image that cannot be read is a FormatError naming its file.
 */
export async function readImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolder> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new InvalidArgumentError(`dir must be a non-empty string, got ${describeKind(dir)}`);
  }
  const isDirectory = (await onPath(dir, 'folder', () => stat(dir))).isDirectory();
  if (!isDirectory) {
    throw new InvalidArgumentError(`${pathText(dir)}: is a file, expected a folder of labelled images`);
  }
  const { folders: labels } = await entries(dir);
  if (labels.length === 0) {
    throw new FormatError(dir, 'has no sub-folders: each label is a sub-folder holding .png/.jpg/.jpeg images');
  }
  if (labels.length > 65536) throw new FormatError(dir, `has ${labels.length} label folders, more than 65,536`);
  const files: string[] = [];
  const labelIndex: number[] = [];
  for (const [i, label] of labels.entries()) {
    const before = files.length;
    await collectImages(join(dir, label), files);
    if (files.length === before) {
      throw new FormatError(join(dir, label), 'label folder holds no .png/.jpg/.jpeg images');
    }
    while (labelIndex.length < files.length) labelIndex.push(i);
  }
  const images: DecodedImage[] = [];
  for (const file of files) {
    const image = await readImageFile(file);
    images.push(options.map ? options.map(image, file) : image);
  }
  return { labels, images, labelIndex: Uint16Array.from(labelIndex), files };
}
