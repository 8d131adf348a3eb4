// Node file loaders over the browser-safe parsers, and where the shared test fixtures live. The only io file
// that imports `node:` modules.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, InvalidArgumentError } from '../../errors.js';
import { gunzip, parseIdxImages, parseIdxLabels } from '../idx.js';
import { parseLlama2c, type Llama2cCheckpoint } from '../llama2c.js';
import { parseSafetensors, type Safetensors } from '../safetensors.js';
import { parseTokenizer, type Llama2cTokenizer } from '../tokenizer.js';

/** A file's bytes as a plain Uint8Array; a missing path or a directory is an InvalidArgumentError naming it. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InvalidArgumentError(`${path}: no such file`);
    if (code === 'EISDIR') throw new InvalidArgumentError(`${path}: is a directory, expected a file`);
    throw e;
  }
  // a plain view: Buffer's slice() aliases where Uint8Array's copies
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** A llama2.c v0 checkpoint (`*.bin`). */
export async function loadLlama2c(checkpointPath: string): Promise<Llama2cCheckpoint> {
  return parseLlama2c(await readFileBytes(checkpointPath), checkpointPath);
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
