// Node file loaders over the browser-safe parsers, and where the shared test fixtures live. The only io file
// that imports `node:` modules.
import { constants, existsSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, InvalidArgumentError, MbeError } from '../../errors.js';
import { describeKind, describeValue } from '../../describe.js';
import { formatBytes } from '../bytes.js';
import { gunzip, parseIdxImages, parseIdxLabels } from '../idx.js';
import type { WeightOptions } from '../finite.js';
import { parseLlama2c, type Llama2cCheckpoint } from '../llama2c.js';
import { parseSafetensors, type Safetensors } from '../safetensors.js';
import { parseTokenizer, type Llama2cTokenizer } from '../tokenizer.js';
import { fsError, pathText } from './fs-errors.js';

/** The largest file read (2 GiB). */
export const MAX_FILE_BYTES = 2 ** 31;

export interface ReadFileOptions {
  /** The largest file read, at most MAX_FILE_BYTES (the default): a larger one is rejected before reading. */
  readonly maxBytes?: number;
}

/** Bytes asked of one read call (Node reads at most 2 GiB - 1 at a time). */
const READ_CHUNK = 2 ** 30;

/**
 * A regular file's bytes as a plain Uint8Array. Every failure is an InvalidArgumentError naming the path and the
 * reason: a missing path, a folder, a device, pipe or socket (never read, so /dev/zero cannot run forever), a file
 * over options.maxBytes (checked from its size before reading), or any other error of the file system.
 */
export async function readFileBytes(path: string, options: ReadFileOptions = {}): Promise<Uint8Array> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError(`path must be a non-empty string, got ${describeKind(path)}`);
  }
  const maxBytes = Math.min(options?.maxBytes ?? MAX_FILE_BYTES, MAX_FILE_BYTES);
  if (!(maxBytes >= 0))
    throw new InvalidArgumentError(`maxBytes must be a non-negative number, got ${describeValue(maxBytes)}`);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is then refused as not a regular file)
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fsError(path, e);
  }
  try {
    // the opened file's own status, so that what is checked is what is read
    const info = await handle.stat();
    const where = pathText(path);
    if (info.isDirectory()) throw new InvalidArgumentError(`${where}: is a directory, expected a file`);
    if (!info.isFile()) {
      throw new InvalidArgumentError(`${where}: is not a regular file (a device, pipe or socket), expected a file`);
    }
    if (info.size > maxBytes) {
      throw new InvalidArgumentError(
        `${where}: file is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit of a file read`,
      );
    }
    // never from Buffer's shared pool: parsers make views of this memory
    const buffer = Buffer.allocUnsafeSlow(info.size);
    let at = 0;
    while (at < info.size) {
      const { bytesRead } = await handle.read(buffer, at, Math.min(info.size - at, READ_CHUNK), at);
      if (bytesRead === 0) break; // the file shrank while it was read
      at += bytesRead;
    }
    // a plain view: Buffer's slice() aliases where Uint8Array's copies
    return new Uint8Array(buffer.buffer, buffer.byteOffset, at);
  } catch (e) {
    throw e instanceof MbeError ? e : fsError(path, e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A llama2.c v0 checkpoint (`*.bin`); options as for parseLlama2c (allowNonFinite). */
export async function loadLlama2c(checkpointPath: string, options?: WeightOptions): Promise<Llama2cCheckpoint> {
  return parseLlama2c(await readFileBytes(checkpointPath), checkpointPath, options);
}

/** A llama2.c tokenizer.bin for a model with `vocabSize` tokens. */
export async function loadTokenizer(path: string, vocabSize: number): Promise<Llama2cTokenizer> {
  return parseTokenizer(await readFileBytes(path), vocabSize, path);
}

export async function loadSafetensors(path: string): Promise<Safetensors> {
  return parseSafetensors(await readFileBytes(path), path);
}

export interface MnistSet {
  /** (count, rows, cols) u8 pixels */
  readonly images: Uint8Array;
  /** (count) u8 labels */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

/** MNIST images and labels from their gzipped IDX files; the two counts must agree. */
export async function loadMnist(imagesGzPath: string, labelsGzPath: string): Promise<MnistSet> {
  const [imageBytes, labelBytes] = await Promise.all([
    readFileBytes(imagesGzPath).then((b) => gunzip(b, imagesGzPath)),
    readFileBytes(labelsGzPath).then((b) => gunzip(b, labelsGzPath)),
  ]);
  const images = parseIdxImages(imageBytes, imagesGzPath);
  const labels = parseIdxLabels(labelBytes, labelsGzPath);
  if (images.count !== labels.count) {
    throw new FormatError(
      labelsGzPath,
      `holds ${labels.count} labels but ${imagesGzPath} holds ${images.count} images`,
    );
  }
  return { images: images.pixels, labels: labels.labels, count: images.count, rows: images.rows, cols: images.cols };
}

/** The nearest folder at or above this module that holds a package.json (works from src/ and dist/src/). */
function projectRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * The shared fixtures folder: $MBE_SNN_FIXTURES, else `../shared/fixtures` beside the project root; undefined
 * when that folder does not exist (tests then skip).
 */
export function fixturesDir(): string | undefined {
  const fromEnv = process.env['MBE_SNN_FIXTURES'];
  const root = projectRoot();
  const candidate = fromEnv ? resolve(fromEnv) : root === undefined ? undefined : resolve(root, '../shared/fixtures');
  return candidate !== undefined && isDirectory(candidate) ? candidate : undefined;
}
