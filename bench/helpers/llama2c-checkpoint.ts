// A llama2.c checkpoint (legacy v0 format, as run.c reads it) with random weights, for benchmarks at real shapes:
// the 7-int32 header, then the tensors in file order, every matrix N(0, 0.02) and every RMSNorm gain 1, drawn
// from one seeded generator, and the legacy RoPE tables as zeros (the parser skips them). The classifier is
// shared with the token embedding, as in the stories checkpoints. Streamed in chunks, so a 440 MB file needs a
// few MB of memory; a file already written with the same shape and seed (size and header equal) is reused.
import { open, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Llama2cConfig } from '../../src/io/llama2c.js';
import { gaussian, seededRandom } from '../../src/random.js';
import { benchCacheDir } from './gpt2-folder.js';

/** stories15M's shape (llama2.c's README). */
export const STORIES_15M: Llama2cConfig = {
  dim: 288,
  hiddenDim: 768,
  nLayers: 6,
  nHeads: 6,
  nKvHeads: 6,
  vocabSize: 32000,
  seqLen: 256,
};

/** stories110M's shape. */
export const STORIES_110M: Llama2cConfig = {
  dim: 768,
  hiddenDim: 2048,
  nLayers: 12,
  nHeads: 12,
  nKvHeads: 12,
  vocabSize: 32000,
  seqLen: 1024,
};

const CHUNK = 1 << 16;
const STD = 0.02;

/** The tensors in file order: element counts, and whether each is a gain (ones), a table (zeros) or random. */
function layout(c: Llama2cConfig): { count: number; init: 'random' | 'ones' | 'zeros' }[] {
  const { dim, hiddenDim: hidden, nLayers: L, vocabSize: vocab, seqLen } = c;
  const headSize = dim / c.nHeads;
  const kvDim = c.nKvHeads * headSize;
  return [
    { count: vocab * dim, init: 'random' }, // token_embedding_table (and the shared classifier)
    { count: L * dim, init: 'ones' }, // rms_att_weight
    { count: L * dim * dim, init: 'random' }, // wq
    { count: L * kvDim * dim, init: 'random' }, // wk
    { count: L * kvDim * dim, init: 'random' }, // wv
    { count: L * dim * dim, init: 'random' }, // wo
    { count: L * dim, init: 'ones' }, // rms_ffn_weight
    { count: L * hidden * dim, init: 'random' }, // w1
    { count: L * dim * hidden, init: 'random' }, // w2
    { count: L * hidden * dim, init: 'random' }, // w3
    { count: dim, init: 'ones' }, // rms_final_weight
    { count: Math.floor((seqLen * headSize) / 2), init: 'zeros' }, // freq_cis_real (legacy, skipped)
    { count: Math.floor((seqLen * headSize) / 2), init: 'zeros' }, // freq_cis_imag
  ];
}

export interface BenchCheckpoint {
  readonly path: string;
  readonly fileBytes: number;
  /** Bytes of the f32 weights the model uses (the file less its header and legacy RoPE tables). */
  readonly weightBytes: number;
  readonly written: boolean;
}

/** The checkpoint of `shape` with weights from `seed` under benchCacheDir(): reused, or written first. */
export async function ensureLlama2cCheckpoint(shape: Llama2cConfig, seed = 1): Promise<BenchCheckpoint> {
  const tensors = layout(shape);
  const header = new Int32Array([
    shape.dim,
    shape.hiddenDim,
    shape.nLayers,
    shape.nHeads,
    shape.nKvHeads,
    shape.vocabSize,
    shape.seqLen,
  ]);
  const fileBytes = header.byteLength + 4 * tensors.reduce((sum, t) => sum + t.count, 0);
  const weightBytes = 4 * tensors.filter((t) => t.init !== 'zeros').reduce((sum, t) => sum + t.count, 0);
  const name = `llama2c-${shape.dim}d-${shape.hiddenDim}h-${shape.nLayers}l-${shape.nHeads}x${shape.nKvHeads}-${shape.vocabSize}v-${shape.seqLen}s-seed${seed}.bin`;
  const dir = benchCacheDir();
  const path = join(dir, name);
  if (await sameHeader(path, header, fileBytes)) return { path, fileBytes, weightBytes, written: false };
  await mkdir(dir, { recursive: true });
  const partial = `${path}.partial`;
  const random = seededRandom(seed);
  /** (CHUNK) reused for every write */
  const chunk = new Float32Array(CHUNK);
  const handle = await open(partial, 'w');
  try {
    await handle.write(new Uint8Array(header.buffer));
    for (const t of tensors) {
      for (let left = t.count; left > 0;) {
        const values = chunk.subarray(0, Math.min(left, CHUNK));
        if (t.init === 'random') for (let i = 0; i < values.length; i++) values[i] = STD * gaussian(random);
        else values.fill(t.init === 'ones' ? 1 : 0);
        await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
        left -= values.length;
      }
    }
  } finally {
    await handle.close();
  }
  await rename(partial, path);
  return { path, fileBytes, weightBytes, written: true };
}

async function sameHeader(path: string, header: Int32Array, bytes: number): Promise<boolean> {
  try {
    if ((await stat(path)).size !== bytes) return false;
    const handle = await open(path, 'r');
    try {
      const head = new Int32Array(header.length);
      await handle.read(new Uint8Array(head.buffer), 0, head.byteLength, 0);
      return head.every((v, i) => v === header[i]);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}
