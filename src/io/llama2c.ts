// llama2.c checkpoints, legacy (v0) format as karpathy/llama2.c run.c reads them:
//   7 int32 LE: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
//   (vocab_size < 0 means the classifier wcls is stored separately; > 0 means it is the token embedding)
//   then fp32 LE weights in run.c's memory_map_weights order (below), the legacy RoPE tables
//   freq_cis_real / freq_cis_imag (seq_len * head_size / 2 each, skipped), and wcls if not shared.
//
// Every matrix is row-major (out, in), as run.c's matmul(xout, x, w, n, d) reads it: xout (d) = W (d, n) @ x (n).
// run.c's struct comments list some of them the other way round (wk "(layer, dim, n_kv_heads * head_size)");
// the memory layout is the PyTorch nn.Linear weight, (out, in), which is what the shapes below give.
import { FormatError } from '../errors.js';
import { asBytes, dataView, float32At, formatBytes } from './bytes.js';
import { checkFiniteWeights, type WeightOptions } from './finite.js';

const HEADER_BYTES = 7 * 4;
/** First int32 of the versioned exports (export.py --version 1/2): "ak42" little-endian. */
const VERSIONED_MAGIC = 0x616b3432;

/** The architecture's hyperparameters (what the model needs). */
export interface Llama2cConfig {
  /** Transformer width. */
  readonly dim: number;
  /** Width of the SwiGLU hidden layer. */
  readonly hiddenDim: number;
  readonly nLayers: number;
  /** Query heads. */
  readonly nHeads: number;
  /** Key/value heads (grouped-query attention: nHeads / nKvHeads query heads share one). */
  readonly nKvHeads: number;
  readonly vocabSize: number;
  /** Maximum sequence length (size of the KV cache and of the legacy RoPE tables). */
  readonly seqLen: number;
}

/** The header's hyperparameters and what follows from them. */
export interface Llama2cFileConfig extends Llama2cConfig {
  /** dim / nHeads */
  readonly headSize: number;
  /** nKvHeads * headSize */
  readonly kvDim: number;
  /** The classifier is the token embedding (header vocab_size > 0). */
  readonly sharedClassifier: boolean;
}

/** The weights as views into the file (or copies when it is not 4-byte aligned); all fp32, row-major. */
export interface Llama2cWeights {
  /** (vocab, dim) */
  readonly tokenEmbedding: Float32Array;
  /** (layer, dim) RMSNorm gain before attention */
  readonly rmsAtt: Float32Array;
  /** (layer, n_heads * head_size, dim): q = wq[l] @ x */
  readonly wq: Float32Array;
  /** (layer, n_kv_heads * head_size, dim): k = wk[l] @ x */
  readonly wk: Float32Array;
  /** (layer, n_kv_heads * head_size, dim): v = wv[l] @ x */
  readonly wv: Float32Array;
  /** (layer, dim, n_heads * head_size): out = wo[l] @ attention */
  readonly wo: Float32Array;
  /** (layer, dim) RMSNorm gain before the feed-forward */
  readonly rmsFfn: Float32Array;
  /** (layer, hidden, dim): gate = w1[l] @ x */
  readonly w1: Float32Array;
  /** (layer, dim, hidden): out = w2[l] @ (silu(gate) * up) */
  readonly w2: Float32Array;
  /** (layer, hidden, dim): up = w3[l] @ x */
  readonly w3: Float32Array;
  /** (dim) final RMSNorm gain */
  readonly rmsFinal: Float32Array;
  /** (vocab, dim): logits = wcls @ x; the same array as tokenEmbedding when shared */
  readonly wcls: Float32Array;
}

export interface Llama2cCheckpoint {
  readonly config: Llama2cFileConfig;
  readonly weights: Llama2cWeights;
  /** Distinct trained parameters (the legacy RoPE tables excluded, a shared classifier counted once). */
  readonly parameterCount: number;
}

type WeightName = Exclude<keyof Llama2cWeights, 'wcls'>;

/** The tensors in file order with their element counts; `null` names the skipped legacy tables. */
function fileLayout(c: Llama2cFileConfig): { name: WeightName | 'wcls' | null; label: string; count: number }[] {
  const { dim, hiddenDim: hidden, nLayers: L, vocabSize: vocab, headSize, kvDim, seqLen } = c;
  const qDim = c.nHeads * headSize;
  const layout: { name: WeightName | 'wcls' | null; label: string; count: number }[] = [
    { name: 'tokenEmbedding', label: 'token_embedding_table', count: vocab * dim },
    { name: 'rmsAtt', label: 'rms_att_weight', count: L * dim },
    { name: 'wq', label: 'wq', count: L * qDim * dim },
    { name: 'wk', label: 'wk', count: L * kvDim * dim },
    { name: 'wv', label: 'wv', count: L * kvDim * dim },
    { name: 'wo', label: 'wo', count: L * dim * qDim },
    { name: 'rmsFfn', label: 'rms_ffn_weight', count: L * dim },
    { name: 'w1', label: 'w1', count: L * hidden * dim },
    { name: 'w2', label: 'w2', count: L * dim * hidden },
    { name: 'w3', label: 'w3', count: L * hidden * dim },
    { name: 'rmsFinal', label: 'rms_final_weight', count: dim },
    // run.c skips these with integer division: seq_len * head_size / 2 floats each
    { name: null, label: 'freq_cis_real', count: Math.floor((seqLen * headSize) / 2) },
    { name: null, label: 'freq_cis_imag', count: Math.floor((seqLen * headSize) / 2) },
  ];
  if (!c.sharedClassifier) layout.push({ name: 'wcls', label: 'wcls', count: vocab * dim });
  return layout;
}

/** Reads and checks the 7-int32 header. */
export function parseLlama2cConfig(data: Uint8Array | ArrayBuffer, file = 'llama2.c checkpoint'): Llama2cFileConfig {
  const bytes = asBytes(data);
  if (bytes.byteLength < HEADER_BYTES) {
    throw new FormatError(
      file,
      `file is ${formatBytes(bytes.byteLength)}, shorter than the ${HEADER_BYTES}-byte llama2.c header`,
    );
  }
  const view = dataView(bytes);
  const field = (i: number) => view.getInt32(4 * i, true);
  if (field(0) === VERSIONED_MAGIC) {
    throw new FormatError(
      file,
      `starts with the magic "ak42" of a versioned llama2.c export (version ${field(1)}); only the legacy v0 ` +
        'format is read: export with `python export.py --version 0`',
      0,
    );
  }
  const names = ['dim', 'hidden_dim', 'n_layers', 'n_heads', 'n_kv_heads', 'vocab_size', 'seq_len'] as const;
  const raw = names.map((_, i) => field(i));
  raw.forEach((v, i) => {
    // vocab_size carries the sharing flag in its sign; only its magnitude must be positive
    if ((i === 5 ? Math.abs(v) : v) <= 0) {
      throw new FormatError(file, `header field ${names[i]} = ${v}, expected a positive integer`, 4 * i);
    }
  });
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, signedVocab, seqLen] = raw as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (dim % nHeads !== 0) {
    throw new FormatError(file, `dim = ${dim} is not divisible by n_heads = ${nHeads}`, 0);
  }
  if (nHeads % nKvHeads !== 0) {
    throw new FormatError(file, `n_heads = ${nHeads} is not divisible by n_kv_heads = ${nKvHeads}`, 12);
  }
  const headSize = dim / nHeads;
  if (headSize % 2 !== 0) {
    // rotary embeddings rotate pairs of components within each head
    throw new FormatError(file, `head_size = dim / n_heads = ${headSize} is odd; rotary embeddings need it even`, 0);
  }
  return {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize: Math.abs(signedVocab),
    seqLen,
    headSize,
    kvDim: nKvHeads * headSize,
    sharedClassifier: signedVocab > 0,
  };
}

/** Expected file size in bytes for a config: header, weights, legacy RoPE tables, unshared classifier. */
export function llama2cFileSize(config: Llama2cFileConfig): number {
  return HEADER_BYTES + 4 * fileLayout(config).reduce((sum, t) => sum + t.count, 0);
}

/**
 * Parses a whole v0 checkpoint. The file must be exactly the size the header implies: a shorter one names
 * the tensor that is cut, a longer one the number of trailing bytes. A NaN or infinite weight is a FormatError
 * naming the tensor, the element and its byte offset, unless options.allowNonFinite (the skipped legacy RoPE
 * tables are not checked). `file` only appears in messages.
 */
export function parseLlama2c(
  data: Uint8Array | ArrayBuffer,
  file = 'llama2.c checkpoint',
  options?: WeightOptions,
): Llama2cCheckpoint {
  const bytes = asBytes(data);
  const config = parseLlama2cConfig(bytes, file);
  const expected = llama2cFileSize(config);
  const found: Partial<Record<WeightName | 'wcls', Float32Array>> = {};
  /** each tensor's label and first byte, for the finiteness check */
  const starts = new Map<WeightName | 'wcls', { label: string; start: number }>();
  let offset = HEADER_BYTES;
  for (const { name, label, count } of fileLayout(config)) {
    const end = offset + 4 * count;
    if (end > bytes.byteLength) {
      throw new FormatError(
        file,
        `truncated in ${label} (${count} floats from byte ${offset}): the file is ${formatBytes(bytes.byteLength)}, ` +
          `the header implies ${formatBytes(expected)}`,
        offset,
      );
    }
    if (name !== null) {
      found[name] = float32At(bytes, offset, count);
      starts.set(name, { label, start: offset });
    }
    offset = end;
  }
  if (bytes.byteLength !== expected) {
    throw new FormatError(
      file,
      `${formatBytes(bytes.byteLength - expected)} of trailing data: the file is ${formatBytes(bytes.byteLength)}, ` +
        `the header implies ${formatBytes(expected)}`,
      expected,
    );
  }
  // after the size checks, so that a cut file is reported as cut rather than by whatever its bytes hold
  for (const [name, { label, start }] of starts) {
    checkFiniteWeights(found[name]!, file, label, options, (i) => start + 4 * i);
  }
  const tokenEmbedding = found.tokenEmbedding!;
  const weights: Llama2cWeights = {
    tokenEmbedding,
    rmsAtt: found.rmsAtt!,
    wq: found.wq!,
    wk: found.wk!,
    wv: found.wv!,
    wo: found.wo!,
    rmsFfn: found.rmsFfn!,
    w1: found.w1!,
    w2: found.w2!,
    w3: found.w3!,
    rmsFinal: found.rmsFinal!,
    wcls: found.wcls ?? tokenEmbedding,
  };
  const parameterCount = Object.entries(weights).reduce(
    (sum, [key, w]) => sum + (key === 'wcls' && config.sharedClassifier ? 0 : w.length),
    0,
  );
  return { config, weights, parameterCount };
}
