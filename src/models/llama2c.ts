// The Llama architecture of llama2.c (run.c), written once against an OpSet: RMSNorm, rotary embeddings on
// interleaved pairs, grouped-query causal attention with a KV cache, SwiGLU feed-forward, no biases.
// `forward` takes S tokens at positions startPos .. startPos + S - 1: S = 1 is run.c's decoding step, a
// whole paragraph at once is a causal prefill. Activations are preallocated for up to maxRows tokens.
import type { Llama2cCheckpoint, Llama2cConfig, Llama2cWeights } from '../io/llama2c.js';
import { BOS, type Llama2cTokenizer } from '../io/tokenizer.js';
import type { LinearLayer, OpSet } from '../ops/opset.js';
import { Attention } from './attention.js';
import { checkSpan, embedTokens } from './causal-lm.js';
import type { ModelBuilder } from './builder.js';
import { KvCache } from './kv-cache.js';
import type { CausalLM, TextTokenizer } from './interfaces.js';

const RMS_EPS = 1e-5;

interface LayerWeights {
  rmsAtt: Float32Array;
  rmsFfn: Float32Array;
  wq: LinearLayer;
  wk: LinearLayer;
  wv: LinearLayer;
  wo: LinearLayer;
  w1: LinearLayer;
  w2: LinearLayer;
  w3: LinearLayer;
}

export class Llama2cModel implements CausalLM {
  readonly headSize: number;
  readonly kvDim: number;
  private readonly layers: LayerWeights[];
  private readonly classifier: LinearLayer;
  /** The token embedding: the classifier itself when shared, else a copy of the table (vocab, dim). */
  private readonly embedding: Float32Array | LinearLayer;
  private readonly rmsFinal: Float32Array; // (dim)
  private readonly ropeCos: Float32Array; // (seqLen, headSize / 2)
  private readonly ropeSin: Float32Array; // (seqLen, headSize / 2)
  private readonly cache: KvCache;
  private readonly attention: Attention;
  // Activations for the most tokens a forward has taken so far (at most maxRows): a decoding step needs one row,
  // and a model that only decodes never holds (maxRows, vocab) logits.
  private rows = 0;
  private x = new Float32Array(0); // (rows, dim) residual stream
  private xb = new Float32Array(0); // (rows, dim)
  private xb2 = new Float32Array(0); // (rows, dim)
  private q = new Float32Array(0); // (rows, dim)
  private k = new Float32Array(0); // (rows, kvDim)
  private v = new Float32Array(0); // (rows, kvDim)
  private hb = new Float32Array(0); // (rows, hidden)
  private hb2 = new Float32Array(0); // (rows, hidden)
  private logits = new Float32Array(0); // (rows, vocab)

  constructor(
    readonly config: Llama2cConfig,
    weights: Llama2cWeights,
    private readonly ops: OpSet,
    readonly maxRows = config.seqLen,
  ) {
    const { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen } = config;
    this.headSize = dim / nHeads;
    this.kvDim = (dim * nKvHeads) / nHeads;
    const kv = this.kvDim;
    // The model keeps no view into `weights`: the file they came from can be freed once the model is built. The
    // linear layers hold their packed copies, the gains are copied, a shared embedding is read from the classifier.
    const slice = (t: Float32Array, l: number, size: number) => t.subarray(l * size, (l + 1) * size);
    this.layers = Array.from({ length: nLayers }, (_, l) => ({
      rmsAtt: slice(weights.rmsAtt, l, dim).slice(),
      rmsFfn: slice(weights.rmsFfn, l, dim).slice(),
      wq: ops.prepareLinear(slice(weights.wq, l, dim * dim), dim, dim),
      wk: ops.prepareLinear(slice(weights.wk, l, kv * dim), dim, kv),
      wv: ops.prepareLinear(slice(weights.wv, l, kv * dim), dim, kv),
      wo: ops.prepareLinear(slice(weights.wo, l, dim * dim), dim, dim),
      w1: ops.prepareLinear(slice(weights.w1, l, hiddenDim * dim), dim, hiddenDim),
      w2: ops.prepareLinear(slice(weights.w2, l, dim * hiddenDim), hiddenDim, dim),
      w3: ops.prepareLinear(slice(weights.w3, l, hiddenDim * dim), dim, hiddenDim),
    }));
    this.classifier = ops.prepareLinear(weights.wcls, dim, vocabSize);
    this.embedding = weights.wcls === weights.tokenEmbedding ? this.classifier : weights.tokenEmbedding.slice();
    this.rmsFinal = weights.rmsFinal.slice();
    const half = this.headSize / 2;
    this.ropeCos = new Float32Array(seqLen * half);
    this.ropeSin = new Float32Array(seqLen * half);
    for (let pos = 0; pos < seqLen; pos++) {
      for (let i = 0; i < half; i++) {
        const angle = pos / 10000 ** ((2 * i) / this.headSize);
        this.ropeCos[pos * half + i] = Math.cos(angle);
        this.ropeSin[pos * half + i] = Math.sin(angle);
      }
    }
    this.cache = new KvCache(nLayers, seqLen, kv, this.headSize);
    this.attention = new Attention(ops, { heads: nHeads, kvHeads: nKvHeads, headDim: this.headSize }, maxRows, seqLen);
  }

  /** Grows the activations to S rows. */
  private ensureRows(S: number): void {
    if (S <= this.rows) return;
    const { dim, hiddenDim, vocabSize } = this.config;
    this.rows = S;
    this.x = new Float32Array(S * dim);
    this.xb = new Float32Array(S * dim);
    this.xb2 = new Float32Array(S * dim);
    this.q = new Float32Array(S * dim);
    this.k = new Float32Array(S * this.kvDim);
    this.v = new Float32Array(S * this.kvDim);
    this.hb = new Float32Array(S * hiddenDim);
    this.hb2 = new Float32Array(S * hiddenDim);
    this.logits = new Float32Array(S * vocabSize);
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  get contextLength(): number {
    return this.config.seqLen;
  }

  reset(): void {
    this.cache.reset();
  }

  /**
   * Logits (S, vocab) for tokens at positions startPos .. startPos + S - 1. Earlier positions must have
   * been run already (their keys and values are in the cache). The returned view is reused by the next call.
   */
  forward(tokens: ArrayLike<number>, startPos: number): Float32Array {
    const S = tokens.length;
    const { dim, hiddenDim, vocabSize, seqLen, nLayers } = this.config;
    checkSpan(S, startPos, this.maxRows, seqLen);
    this.ensureRows(S);
    const ops = this.ops;
    const x = this.x.subarray(0, S * dim);
    // x = token embeddings (S, dim)
    embedTokens(x, this.embedding, tokens, dim);
    for (let l = 0; l < nLayers; l++) {
      const layer = this.layers[l] as LayerWeights;
      const site = `layer${l}`;
      // xb = rmsnorm(x) * rms_att
      ops.rmsNorm(`${site}.attn_norm`, this.xb, x, layer.rmsAtt, S, dim, RMS_EPS);
      // q = xb @ wq^T, k = xb @ wk^T, v = xb @ wv^T
      ops.linear(`${site}.wq`, this.q, this.xb, layer.wq, S);
      ops.linear(`${site}.wk`, this.k, this.xb, layer.wk, S);
      ops.linear(`${site}.wv`, this.v, this.xb, layer.wv, S);
      this.rotate(S, startPos);
      // Append k, v to the cache; xb = causal attention of the S new rows over L = startPos + S positions.
      const rowsOf = (data: Float32Array, stride: number) => ({ data, offset: 0, stride });
      this.cache.append(l, rowsOf(this.k, this.kvDim), rowsOf(this.v, this.kvDim), S, startPos);
      this.attention.run(
        site,
        rowsOf(this.xb, dim),
        rowsOf(this.q, dim),
        this.cache.keySource(l),
        this.cache.valueSource(l),
        S,
        startPos + S,
        1 / Math.sqrt(this.headSize),
        { causalOffset: startPos },
      );
      // x += xb @ wo^T
      ops.linear(`${site}.wo`, this.xb2, this.xb, layer.wo, S);
      ops.add(`${site}.residual1`, x, x, this.xb2, S * dim);
      // x += w2(silu(w1(xb)) * w3(xb)), xb = rmsnorm(x) * rms_ffn
      ops.rmsNorm(`${site}.ffn_norm`, this.xb, x, layer.rmsFfn, S, dim, RMS_EPS);
      ops.linear(`${site}.w1`, this.hb, this.xb, layer.w1, S);
      ops.linear(`${site}.w3`, this.hb2, this.xb, layer.w3, S);
      ops.activation(`${site}.silu`, 'silu', this.hb, this.hb, S * hiddenDim);
      ops.mul(`${site}.swiglu`, this.hb, this.hb, this.hb2, S * hiddenDim);
      ops.linear(`${site}.w2`, this.xb, this.hb, layer.w2, S);
      ops.add(`${site}.residual2`, x, x, this.xb, S * dim);
    }
    ops.rmsNorm('final.norm', this.xb, x, this.rmsFinal, S, dim, RMS_EPS);
    ops.linear('final.classifier', this.logits, this.xb, this.classifier, S);
    return this.logits.subarray(0, S * vocabSize);
  }

  /** RoPE on interleaved pairs of q (all heads) and k (kv heads), as run.c does it. */
  private rotate(S: number, startPos: number): void {
    const { dim } = this.config;
    const { headSize, kvDim, q, k, ropeCos, ropeSin } = this;
    const half = headSize / 2;
    for (let s = 0; s < S; s++) {
      const table = (startPos + s) * half; // this position's row of (seqLen, half) cos and sin
      rotatePairs(q, s * dim, dim, headSize, ropeCos, ropeSin, table);
      rotatePairs(k, s * kvDim, kvDim, headSize, ropeCos, ropeSin, table);
    }
  }

  /** Frees the resident weight copies. */
  dispose(): void {
    for (const layer of this.layers)
      for (const w of [layer.wq, layer.wk, layer.wv, layer.wo, layer.w1, layer.w2, layer.w3]) w.dispose();
    this.classifier.dispose();
  }
}

/** Rotates the `length` values of vec from `at` in interleaved pairs, pair j of each head by angle j of the row. */
function rotatePairs(
  vec: Float32Array,
  at: number,
  length: number,
  headSize: number,
  cos: Float32Array,
  sin: Float32Array,
  row: number,
): void {
  for (let head = at; head < at + length; head += headSize) {
    for (let i = 0; i < headSize; i += 2) {
      const j = row + i / 2;
      const c = cos[j] as number;
      const s = sin[j] as number;
      const v0 = vec[head + i] as number;
      const v1 = vec[head + i + 1] as number;
      vec[head + i] = v0 * c - v1 * s;
      vec[head + i + 1] = v0 * s + v1 * c;
    }
  }
}

export const LLAMA2C_NON_SPIKING = [
  'token embedding lookup (a table read)',
  'rotary position embedding: a rotation by constant tables (a fixed linear map)',
];

/** Builds the checkpoint's model over any OpSet. */
export function llama2cBuilder(checkpoint: Llama2cCheckpoint): ModelBuilder<Llama2cModel> {
  return {
    architecture: 'llama2c',
    build: (ops) => new Llama2cModel(checkpoint.config, checkpoint.weights, ops),
    nonSpiking: LLAMA2C_NON_SPIKING,
  };
}

/** llama2.c's tokenizer as a TextTokenizer: BOS first, and generation stops at BOS, as run.c does. */
export function llama2cTextTokenizer(tokenizer: Llama2cTokenizer): TextTokenizer {
  return {
    encode: (text) => tokenizer.encode(text, { bos: true }),
    decode: (ids) => tokenizer.decodeAll(ids),
    stopTokens: [BOS],
  };
}
