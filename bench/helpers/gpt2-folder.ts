// A GPT2LMHeadModel folder with random weights, written the way transformers' save_pretrained writes one:
// config.json (the fields GPT2Config saves) and model.safetensors (F32, `__metadata__` {"format": "pt"}, tensors
// in name order, the tied lm_head left out). The weights follow GPT2PreTrainedModel's initialisation without its
// c_proj rescaling: embeddings and Conv1D weights N(0, 0.02), LayerNorm weights 1, every bias 0; drawn from one
// seeded generator in file order, so a seed gives the same bytes on every machine.
//
// The file is streamed: the header is written first (the layout writeSafetensors uses, see
// src/io/safetensors-writer.ts), then each tensor's values in chunks through one file handle, so a 500 MB file
// needs a few MB of memory. `checkStreamedLayout` compares the streamed bytes with writeSafetensors on a small
// shape. A folder already written with the same shape and seed (config.json, the manifest, the file size and its
// header all equal) is reused.
import { open, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';
import { gaussian, seededRandom } from '../../src/random.js';

export interface Gpt2Shape {
  readonly vocabSize: number;
  readonly positions: number;
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
}

/** GPT-2 small (openai-community/gpt2): 124M parameters with the head tied to the token embedding. */
export const GPT2_SMALL: Gpt2Shape = { vocabSize: 50257, positions: 1024, dim: 768, layers: 12, heads: 12 };

/** How a tensor is initialised. */
type Init = { readonly kind: 'normal'; readonly std: number } | { readonly kind: 'ones' } | { readonly kind: 'zeros' };

export interface PlannedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

const STD = 0.02;
const MANIFEST = 'bench-folder.json';
/** Bump when the bytes written for a given shape and seed change. */
const GENERATOR_VERSION = 1;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const CHUNK = 1 << 20; // values per write (4 MB)

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Every tensor GPT2LMHeadModel saves (no lm_head: it is tied; no attn.bias: not a persistent buffer), name order. */
export function gpt2Plan(s: Gpt2Shape): PlannedTensor[] {
  const normal: Init = { kind: 'normal', std: STD };
  const ones: Init = { kind: 'ones' };
  const zeros: Init = { kind: 'zeros' };
  const { dim } = s;
  const inner = 4 * dim;
  const plan: PlannedTensor[] = [
    { name: 'transformer.wte.weight', shape: [s.vocabSize, dim], init: normal },
    { name: 'transformer.wpe.weight', shape: [s.positions, dim], init: normal },
    { name: 'transformer.ln_f.weight', shape: [dim], init: ones },
    { name: 'transformer.ln_f.bias', shape: [dim], init: zeros },
  ];
  for (let l = 0; l < s.layers; l++) {
    const p = `transformer.h.${l}`;
    plan.push(
      { name: `${p}.ln_1.weight`, shape: [dim], init: ones },
      { name: `${p}.ln_1.bias`, shape: [dim], init: zeros },
      { name: `${p}.attn.c_attn.weight`, shape: [dim, 3 * dim], init: normal },
      { name: `${p}.attn.c_attn.bias`, shape: [3 * dim], init: zeros },
      { name: `${p}.attn.c_proj.weight`, shape: [dim, dim], init: normal },
      { name: `${p}.attn.c_proj.bias`, shape: [dim], init: zeros },
      { name: `${p}.ln_2.weight`, shape: [dim], init: ones },
      { name: `${p}.ln_2.bias`, shape: [dim], init: zeros },
      { name: `${p}.mlp.c_fc.weight`, shape: [dim, inner], init: normal },
      { name: `${p}.mlp.c_fc.bias`, shape: [inner], init: zeros },
      { name: `${p}.mlp.c_proj.weight`, shape: [inner, dim], init: normal },
      { name: `${p}.mlp.c_proj.bias`, shape: [dim], init: zeros },
    );
  }
  // safetensors orders tensors of one dtype by name (byte order; the names are ASCII)
  return plan.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function parameterCount(s: Gpt2Shape): number {
  return gpt2Plan(s).reduce((sum, t) => sum + count(t.shape), 0);
}

/** config.json as transformers 4.46 saves a GPT2Config of this shape (the keys sorted, two-space indent). */
export function gpt2ConfigJson(s: Gpt2Shape): string {
  const config = {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: s.vocabSize - 1,
    embd_pdrop: 0.1,
    eos_token_id: s.vocabSize - 1,
    initializer_range: STD,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: s.positions,
    n_embd: s.dim,
    n_head: s.heads,
    n_inner: null,
    n_layer: s.layers,
    n_positions: s.positions,
    reorder_and_upcast_attn: false,
    resid_pdrop: 0.1,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    tie_word_embeddings: true,
    torch_dtype: 'float32',
    transformers_version: '4.46.3',
    use_cache: true,
    vocab_size: s.vocabSize,
  };
  // Python's json.dumps writes 1e-05; JSON.stringify writes 0.00001 (the same number)
  return `${JSON.stringify(config, null, 2).replace('"layer_norm_epsilon": 0.00001', '"layer_norm_epsilon": 1e-05')}\n`;
}

/** The safetensors header (u64 length + padded JSON) and the whole file's size, as writeSafetensors lays them out. */
export function safetensorsHeader(plan: readonly PlannedTensor[]): { header: Uint8Array; fileBytes: number } {
  const entries = [`"__metadata__":${JSON.stringify({ format: 'pt' })}`];
  let end = 0;
  for (const t of plan) {
    const size = count(t.shape) * 4;
    entries.push(
      `${JSON.stringify(t.name)}:${JSON.stringify({ dtype: 'F32', shape: t.shape, data_offsets: [end, end + size] })}`,
    );
    end += size;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  /** (8 + headerLength) */
  const header = new Uint8Array(8 + headerLength);
  new DataView(header.buffer).setBigUint64(0, BigInt(headerLength), true);
  header.set(json, 8);
  header.fill(0x20, 8 + json.length); // space padding, so the data starts at a multiple of 8
  return { header, fileBytes: header.length + end };
}

/** Fills `out` with the next values of a tensor initialised by `init`. */
function fill(out: Float32Array, init: Init, random: () => number): void {
  if (init.kind === 'ones') out.fill(1);
  else if (init.kind === 'zeros') out.fill(0);
  else for (let i = 0; i < out.length; i++) out[i] = init.std * gaussian(random);
}

/** The plan's tensors in memory, the same values the streamed file holds (for small shapes only). */
function tensorsInMemory(plan: readonly PlannedTensor[], seed: number): WritableTensor[] {
  const random = seededRandom(seed);
  return plan.map((t) => {
    const data = new Float32Array(count(t.shape));
    fill(data, t.init, random);
    return { name: t.name, dtype: 'F32', shape: t.shape, data };
  });
}

/** Streams model.safetensors of `plan` to `path`: the header, then each tensor in chunks of CHUNK values. */
async function streamSafetensors(path: string, plan: readonly PlannedTensor[], seed: number): Promise<number> {
  if (!LITTLE_ENDIAN) throw new Error('the bench folder writer streams F32 bytes as they are: little-endian only');
  const { header, fileBytes } = safetensorsHeader(plan);
  const random = seededRandom(seed);
  /** (CHUNK) reused for every write */
  const chunk = new Float32Array(CHUNK);
  const handle = await open(path, 'w');
  try {
    await handle.write(header);
    for (const t of plan) {
      for (let left = count(t.shape); left > 0;) {
        const n = Math.min(left, CHUNK);
        const values = chunk.subarray(0, n);
        fill(values, t.init, random);
        await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
        left -= n;
      }
    }
  } finally {
    await handle.close();
  }
  const written = (await stat(path)).size;
  if (written !== fileBytes) throw new Error(`${path}: wrote ${written} bytes, expected ${fileBytes}`);
  return fileBytes;
}

/**
 * Writes a small folder both ways, streamed and through writeSafetensors, into a temporary folder, and
 * throws unless the two files are byte-identical. Returns the small file's size.
 */
export async function checkStreamedLayout(seed = 1): Promise<number> {
  const shape: Gpt2Shape = { vocabSize: 97, positions: 16, dim: 24, layers: 2, heads: 3 };
  const plan = gpt2Plan(shape);
  const dir = join(tmpdir(), `mbe-snn-bench-check-${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    const path = join(dir, 'model.safetensors');
    await streamSafetensors(path, plan, seed);
    const streamed = new Uint8Array(await readFile(path));
    const whole = writeSafetensors(tensorsInMemory(plan, seed), { format: 'pt' });
    const same = streamed.length === whole.length && streamed.every((b, i) => b === whole[i]);
    if (!same) throw new Error('the streamed safetensors file differs from writeSafetensors on the same tensors');
    return streamed.length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where bench folders are kept: $MBE_SNN_BENCH_CACHE, else $XDG_CACHE_HOME/mbe-snn-bench, else <tmpdir>/mbe-snn-bench. */
export function benchCacheDir(): string {
  const explicit = process.env['MBE_SNN_BENCH_CACHE'];
  if (explicit) return explicit;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg ? xdg : tmpdir(), 'mbe-snn-bench');
}

export interface BenchFolder {
  readonly dir: string;
  readonly fileBytes: number;
  readonly parameters: number;
  /** Whether this call wrote it (false: an earlier one's was reused). */
  readonly written: boolean;
  readonly seconds: number;
}

async function sameBytes(path: string, expected: Uint8Array | string): Promise<boolean> {
  try {
    const want = typeof expected === 'string' ? new TextEncoder().encode(expected) : expected;
    const have = await readFile(path);
    return have.length === want.length && have.every((b, i) => b === want[i]);
  } catch {
    return false;
  }
}

/** Whether `path` is a file of `bytes` bytes starting with `header`. */
async function hasHeader(path: string, header: Uint8Array, bytes: number): Promise<boolean> {
  try {
    if ((await stat(path)).size !== bytes) return false;
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(header.length);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return bytesRead === head.length && head.every((b, i) => b === header[i]);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

/**
 * A GPT2LMHeadModel folder of `shape` with weights from `seed` under benchCacheDir(): reused when an earlier run
 * wrote the same one, else written (model.safetensors first under a temporary name, the manifest last).
 */
export async function ensureGpt2Folder(shape: Gpt2Shape = GPT2_SMALL, seed = 1): Promise<BenchFolder> {
  const started = performance.now();
  const plan = gpt2Plan(shape);
  const parameters = plan.reduce((sum, t) => sum + count(t.shape), 0);
  const { header, fileBytes } = safetensorsHeader(plan);
  const name = `gpt2-${shape.vocabSize}v-${shape.positions}p-${shape.dim}d-${shape.layers}l-${shape.heads}h-seed${seed}`;
  const dir = join(benchCacheDir(), name);
  const config = gpt2ConfigJson(shape);
  const manifest = `${JSON.stringify({ generator: 'bench/helpers/gpt2-folder.ts', version: GENERATOR_VERSION, seed, shape, parameters, fileBytes }, null, 2)}\n`;
  const weights = join(dir, 'model.safetensors');
  const reusable =
    (await sameBytes(join(dir, MANIFEST), manifest)) &&
    (await sameBytes(join(dir, 'config.json'), config)) &&
    (await hasHeader(weights, header, fileBytes));
  if (!reusable) {
    await mkdir(dir, { recursive: true });
    await rm(join(dir, MANIFEST), { force: true });
    const partial = `${weights}.partial`;
    await streamSafetensors(partial, plan, seed);
    await rename(partial, weights);
    await writeFile(join(dir, 'config.json'), config);
    await writeFile(join(dir, MANIFEST), manifest);
  }
  return { dir, fileBytes, parameters, written: !reusable, seconds: (performance.now() - started) / 1000 };
}
