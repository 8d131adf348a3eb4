// A llama2.c checkpoint re-laid as a Hugging Face LlamaForCausalLM folder's contents: the config.json
// object and the tensors under HF names. llama2.c rotates interleaved pairs (x[2j], x[2j+1]) of each head,
// HF rotates halves (x[j], x[j + headDim/2]) with the same frequencies, so the q and k rows are permuted
// from one order to the other, as llama2.c's own exporter does; every other weight is copied as it is.
import type { Llama2cCheckpoint } from './llama2c.js';

export interface HfTensorOut {
  readonly name: string;
  readonly dtype: 'F32';
  readonly shape: readonly number[];
  /** row-major */
  readonly data: Float32Array;
}

/** Rows of w (heads * headDim, cols) reordered per head from interleaved pairs to halves. */
function interleavedToHalves(w: Float32Array, heads: number, headDim: number, cols: number): Float32Array {
  const out = new Float32Array(w.length); // (heads * headDim, cols)
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      const base = h * headDim;
      out.set(w.subarray((base + 2 * j) * cols, (base + 2 * j + 1) * cols), (base + j) * cols);
      out.set(w.subarray((base + 2 * j + 1) * cols, (base + 2 * j + 2) * cols), (base + half + j) * cols);
    }
  }
  return out;
}

export function llama2cToHf(checkpoint: Llama2cCheckpoint): {
  config: Record<string, unknown>;
  tensors: HfTensorOut[];
} {
  const c = checkpoint.config;
  const w = checkpoint.weights;
  const { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, headSize, kvDim } = c;
  const tensors: HfTensorOut[] = [];
  const add = (name: string, shape: number[], data: Float32Array) => tensors.push({ name, dtype: 'F32', shape, data });
  const layer = (t: Float32Array, l: number, size: number) => t.subarray(l * size, (l + 1) * size);
  add('model.embed_tokens.weight', [vocabSize, dim], w.tokenEmbedding);
  for (let l = 0; l < nLayers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [dim], layer(w.rmsAtt, l, dim));
    add(
      `${p}.self_attn.q_proj.weight`,
      [dim, dim],
      interleavedToHalves(layer(w.wq, l, dim * dim), nHeads, headSize, dim),
    );
    add(
      `${p}.self_attn.k_proj.weight`,
      [kvDim, dim],
      interleavedToHalves(layer(w.wk, l, kvDim * dim), nKvHeads, headSize, dim),
    );
    add(`${p}.self_attn.v_proj.weight`, [kvDim, dim], layer(w.wv, l, kvDim * dim));
    add(`${p}.self_attn.o_proj.weight`, [dim, dim], layer(w.wo, l, dim * dim));
    add(`${p}.post_attention_layernorm.weight`, [dim], layer(w.rmsFfn, l, dim));
    add(`${p}.mlp.gate_proj.weight`, [hiddenDim, dim], layer(w.w1, l, hiddenDim * dim));
    add(`${p}.mlp.up_proj.weight`, [hiddenDim, dim], layer(w.w3, l, hiddenDim * dim));
    add(`${p}.mlp.down_proj.weight`, [dim, hiddenDim], layer(w.w2, l, dim * hiddenDim));
  }
  add('model.norm.weight', [dim], w.rmsFinal);
  if (!c.sharedClassifier) add('lm_head.weight', [vocabSize, dim], w.wcls);
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: vocabSize,
    hidden_size: dim,
    intermediate_size: hiddenDim,
    num_hidden_layers: nLayers,
    num_attention_heads: nHeads,
    num_key_value_heads: nKvHeads,
    max_position_embeddings: c.seqLen,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: 10000.0,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: c.sharedClassifier,
    bos_token_id: 1,
    eos_token_id: 2,
    torch_dtype: 'float32',
  };
  return { config, tensors };
}
