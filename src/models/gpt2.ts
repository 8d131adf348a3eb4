// GPT-2 as Hugging Face's GPT2LMHeadModel computes it, written once against an OpSet: token + position
// embeddings, pre-LayerNorm blocks with causal multi-head attention over a KV cache (Conv1D weights stored
// (in, out), c_attn packing [q | k | v]), a GELU MLP (gelu_new: the tanh form), a final LayerNorm, and the
// head tied to the token embedding unless the checkpoint has its own lm_head.
import type { HfConfig } from '../io/hf/config.js';
import type { SafetensorsTensor } from '../io/safetensors.js';
import type { ActivationKind, LinearLayer, OpSet } from '../ops/opset.js';
import { Attention } from './attention.js';
import { checkSpan, embedTokens } from './causal-lm.js';
import type { ModelBuilder } from './builder.js';
import { bindTensors, type TensorSpec } from './hf/checkpoint.js';
import type { CausalLM } from './interfaces.js';
import { KvCache } from './kv-cache.js';
import type { Weights } from './weights.js';

export interface Gpt2Config {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  readonly inner: number;
  readonly eps: number;
  readonly activation: ActivationKind;
  /** Scores divided by sqrt(head_dim) (scale_attn_weights), and by layer + 1 (scale_attn_by_inverse_layer_idx). */
  readonly scaleByHeadDim: boolean;
  readonly scaleByLayer: boolean;
}

/** HF activation names -> our activations. */
const ACTIVATIONS: Readonly<Record<string, ActivationKind>> = {
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu_fast: 'gelu_tanh',
  gelu: 'gelu',
  relu: 'relu',
  silu: 'silu',
  swish: 'silu',
  tanh: 'tanh',
};

export function gpt2Config(config: HfConfig): Gpt2Config {
  const dim = config.int('n_embd');
  const heads = config.int('n_head');
  if (dim % heads !== 0) throw config.error('n_head', `a divisor of n_embd = ${dim}`, heads);
  const activation = config.string('activation_function', Object.keys(ACTIVATIONS), 'gelu_new');
  return {
    vocabSize: config.int('vocab_size'),
    contextLength: config.int('n_positions'),
    dim,
    layers: config.int('n_layer'),
    heads,
    inner: config.has('n_inner') ? config.int('n_inner') : 4 * dim,
    eps: config.number('layer_norm_epsilon', { fallback: 1e-5 }),
    activation: ACTIVATIONS[activation] as ActivationKind,
    scaleByHeadDim: config.boolean('scale_attn_weights', true),
    scaleByLayer: config.boolean('scale_attn_by_inverse_layer_idx', false),
  };
}

/** The tensors GPT2LMHeadModel has, with their shapes. */
export function gpt2Tensors(c: Gpt2Config): TensorSpec[] {
  const { dim, inner } = c;
  const specs: TensorSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, dim] },
    { name: 'transformer.wpe.weight', shape: [c.contextLength, dim] },
    { name: 'transformer.ln_f.weight', shape: [dim] },
    { name: 'transformer.ln_f.bias', shape: [dim] },
    { name: 'lm_head.weight', shape: [c.vocabSize, dim], optional: true },
  ];
  for (let l = 0; l < c.layers; l++) {
    const p = `transformer.h.${l}`;
    const pairs: [string, number[], number[]][] = [
      ['ln_1', [dim], [dim]],
      ['attn.c_attn', [dim, 3 * dim], [3 * dim]],
      ['attn.c_proj', [dim, dim], [dim]],
      ['ln_2', [dim], [dim]],
      ['mlp.c_fc', [dim, inner], [inner]],
      ['mlp.c_proj', [inner, dim], [dim]],
    ];
    for (const [part, weight, bias] of pairs) {
      specs.push({ name: `${p}.${part}.weight`, shape: weight }, { name: `${p}.${part}.bias`, shape: bias });
    }
  }
  return specs;
}

interface BlockWeights {
  ln1Weight: Float32Array;
  ln1Bias: Float32Array;
  attn: LinearLayer;
  attnProj: LinearLayer;
  ln2Weight: Float32Array;
  ln2Bias: Float32Array;
  fc: LinearLayer;
  mlpProj: LinearLayer;
}

export class Gpt2Model implements CausalLM {
  private readonly blocks: BlockWeights[];
  private readonly wte: Float32Array; // (vocab, dim)
  private readonly wpe: Float32Array; // (contextLength, dim)
  private readonly lnfWeight: Float32Array; // (dim)
  private readonly lnfBias: Float32Array; // (dim)
  private readonly head: LinearLayer;
  private readonly cache: KvCache;
  private readonly attention: Attention;
  // Activations for up to maxRows tokens.
  private readonly x: Float32Array; // (rows, dim) residual stream
  private readonly h: Float32Array; // (rows, dim)
  private readonly qkv: Float32Array; // (rows, 3 dim)
  private readonly mixed: Float32Array; // (rows, dim)
  private readonly mlp: Float32Array; // (rows, inner)
  private readonly hidden: Float32Array; // (rows, dim) after ln_f
  private readonly logits: Float32Array; // (rows, vocab)
  private rows = 0;

  constructor(
    readonly config: Gpt2Config,
    weights: Weights,
    private readonly ops: OpSet,
    readonly maxRows = config.contextLength,
  ) {
    const { dim, inner, layers, heads, vocabSize, contextLength } = config;
    // Conv1D stores (in, out): transposed once into the (out, in) layout of linear layers.
    const conv1d = (name: string, inFeatures: number, out: number) =>
      ops.prepareLinear(
        weights.transposed(`${name}.weight`, inFeatures, out),
        inFeatures,
        out,
        weights.tensor(`${name}.bias`, [out]),
      );
    this.blocks = Array.from({ length: layers }, (_, l) => {
      const p = `transformer.h.${l}`;
      return {
        ln1Weight: weights.tensor(`${p}.ln_1.weight`, [dim]),
        ln1Bias: weights.tensor(`${p}.ln_1.bias`, [dim]),
        attn: conv1d(`${p}.attn.c_attn`, dim, 3 * dim),
        attnProj: conv1d(`${p}.attn.c_proj`, dim, dim),
        ln2Weight: weights.tensor(`${p}.ln_2.weight`, [dim]),
        ln2Bias: weights.tensor(`${p}.ln_2.bias`, [dim]),
        fc: conv1d(`${p}.mlp.c_fc`, dim, inner),
        mlpProj: conv1d(`${p}.mlp.c_proj`, inner, dim),
      };
    });
    this.wte = weights.tensor('transformer.wte.weight', [vocabSize, dim]);
    this.wpe = weights.tensor('transformer.wpe.weight', [contextLength, dim]);
    this.lnfWeight = weights.tensor('transformer.ln_f.weight', [dim]);
    this.lnfBias = weights.tensor('transformer.ln_f.bias', [dim]);
    const headWeight = weights.has('lm_head.weight') ? weights.tensor('lm_head.weight', [vocabSize, dim]) : this.wte;
    this.head = ops.prepareLinear(headWeight, dim, vocabSize);
    this.cache = new KvCache(layers, contextLength, dim, dim / heads);
    this.attention = new Attention(ops, { heads, kvHeads: heads, headDim: dim / heads }, maxRows, contextLength);
    this.x = new Float32Array(maxRows * dim);
    this.h = new Float32Array(maxRows * dim);
    this.qkv = new Float32Array(maxRows * 3 * dim);
    this.mixed = new Float32Array(maxRows * dim);
    this.mlp = new Float32Array(maxRows * inner);
    this.hidden = new Float32Array(maxRows * dim);
    this.logits = new Float32Array(maxRows * vocabSize);
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  get contextLength(): number {
    return this.config.contextLength;
  }

  reset(): void {
    this.cache.reset();
  }

  /** Logits (S, vocab) for tokens at positions startPos .. startPos + S - 1 (earlier ones cached). */
  forward(tokens: ArrayLike<number>, startPos: number): Float32Array {
    const S = tokens.length;
    const { dim, inner, heads, vocabSize, contextLength } = this.config;
    checkSpan(S, startPos, this.maxRows, contextLength);
    const ops = this.ops;
    const x = this.x.subarray(0, S * dim);
    // x = wte[token] + wpe[position]
    embedTokens(x, this.wte, tokens, dim);
    ops.add('embed.positions', x, x, this.wpe.subarray(startPos * dim, (startPos + S) * dim), S * dim);
    const rows = (data: Float32Array, offset: number, stride: number) => ({ data, offset, stride });
    for (let l = 0; l < this.blocks.length; l++) {
      const b = this.blocks[l] as BlockWeights;
      const site = `layer${l}`;
      // x += c_proj(attention(ln_1(x))), q k v from the packed c_attn output (S, 3 dim)
      ops.layerNorm(`${site}.ln_1`, this.h, x, b.ln1Weight, b.ln1Bias, S, dim, this.config.eps);
      ops.linear(`${site}.c_attn`, this.qkv, this.h, b.attn, S);
      this.cache.append(l, rows(this.qkv, dim, 3 * dim), rows(this.qkv, 2 * dim, 3 * dim), S, startPos);
      const scale =
        (this.config.scaleByHeadDim ? 1 / Math.sqrt(dim / heads) : 1) / (this.config.scaleByLayer ? l + 1 : 1);
      this.attention.run(
        `${site}.attn`,
        rows(this.mixed, 0, dim),
        rows(this.qkv, 0, 3 * dim),
        this.cache.keySource(l),
        this.cache.valueSource(l),
        S,
        startPos + S,
        scale,
        { causalOffset: startPos },
      );
      ops.linear(`${site}.attn_proj`, this.h, this.mixed, b.attnProj, S);
      ops.add(`${site}.residual1`, x, x, this.h, S * dim);
      // x += c_proj(act(c_fc(ln_2(x))))
      ops.layerNorm(`${site}.ln_2`, this.h, x, b.ln2Weight, b.ln2Bias, S, dim, this.config.eps);
      ops.linear(`${site}.fc`, this.mlp, this.h, b.fc, S);
      ops.activation(`${site}.act`, this.config.activation, this.mlp, this.mlp, S * inner);
      ops.linear(`${site}.mlp_proj`, this.h, this.mlp, b.mlpProj, S);
      ops.add(`${site}.residual2`, x, x, this.h, S * dim);
    }
    // logits = ln_f(x) @ wte^T (or lm_head)
    ops.layerNorm('final.ln_f', this.hidden, x, this.lnfWeight, this.lnfBias, S, dim, this.config.eps);
    ops.linear('final.lm_head', this.logits, this.hidden, this.head, S);
    this.rows = S;
    return this.logits.subarray(0, S * vocabSize);
  }

  lastHiddenState(): Float32Array {
    return this.hidden.subarray(0, this.rows * this.config.dim);
  }

  dispose(): void {
    for (const b of this.blocks) for (const w of [b.attn, b.attnProj, b.fc, b.mlpProj]) w.dispose();
    this.head.dispose();
  }
}

export const GPT2_NON_SPIKING = [
  'token embedding lookup (a table read)',
  'learned position embeddings (constants added to the input)',
];

/** Binds a GPT2LMHeadModel checkpoint's tensors and builds the model over any OpSet. */
export function gpt2Builder(
  config: HfConfig,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  source: string,
): ModelBuilder<Gpt2Model> {
  const c = gpt2Config(config);
  const weights = bindTensors(tensors, gpt2Tensors(c), { prefix: 'transformer.' }, source);
  return { architecture: 'gpt2', build: (ops) => new Gpt2Model(c, weights, ops), nonSpiking: GPT2_NON_SPIKING };
}
