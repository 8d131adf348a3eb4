// Llama-family causal LMs as Hugging Face's LlamaForCausalLM and Qwen2ForCausalLM compute them, written
// once against an OpSet: RMSNorm, rotate-half RoPE (rope_theta, llama3 rope_scaling, head_dim), grouped-
// query causal attention over a KV cache, SwiGLU feed-forward, a tied or untied head. Qwen2 is Llama with
// q/k/v biases (Llama's attention_bias adds the o_proj bias too).
import type { HfConfig } from '../io/hf/config.js';
import type { SafetensorsTensor } from '../io/safetensors.js';
import type { LinearLayer, OpSet } from '../ops/opset.js';
import { Attention } from './attention.js';
import { checkSpan, embedTokens } from './causal-lm.js';
import type { ModelBuilder } from './builder.js';
import { bindTensors, type TensorSpec } from './hf/checkpoint.js';
import type { CausalLM } from './interfaces.js';
import { KvCache } from './kv-cache.js';
import { inverseFrequencies, ropeScaling, RotateHalfRope, type Llama3Scaling } from './rope.js';
import type { Weights } from './weights.js';

export interface LlamaConfig {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly dim: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly eps: number;
  readonly ropeTheta: number;
  readonly ropeScaling: Llama3Scaling | undefined;
  readonly qkvBias: boolean;
  readonly outBias: boolean;
  readonly tied: boolean;
}

export function llamaConfig(config: HfConfig, family: 'llama' | 'qwen2'): LlamaConfig {
  const dim = config.int('hidden_size');
  const heads = config.int('num_attention_heads');
  const kvHeads = config.int('num_key_value_heads', { fallback: heads });
  if (heads % kvHeads !== 0)
    throw config.error('num_key_value_heads', `a divisor of num_attention_heads = ${heads}`, kvHeads);
  const headDim = config.has('head_dim') ? config.int('head_dim') : dim / heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw config.error('head_dim', 'an even integer', headDim);
  config.string('hidden_act', ['silu'], 'silu');
  if (config.raw('use_sliding_window') === true)
    throw config.error('use_sliding_window', 'false (sliding windows are not supported)', true);
  const attentionBias = config.boolean('attention_bias', false);
  if (config.boolean('mlp_bias', false)) throw config.error('mlp_bias', 'false (MLP biases are not supported)', true);
  return {
    vocabSize: config.int('vocab_size'),
    contextLength: config.int('max_position_embeddings'),
    dim,
    hidden: config.int('intermediate_size'),
    layers: config.int('num_hidden_layers'),
    heads,
    kvHeads,
    headDim,
    eps: config.number('rms_norm_eps', { fallback: 1e-6 }),
    ropeTheta: config.number('rope_theta', { fallback: 10000 }),
    ropeScaling: ropeScaling(config),
    qkvBias: family === 'qwen2' || attentionBias,
    outBias: family === 'llama' && attentionBias,
    tied: config.boolean('tie_word_embeddings', family === 'qwen2'),
  };
}

const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

/** (out, in) of each projection. */
function projectionShape(c: LlamaConfig, name: (typeof PROJECTIONS)[number]): [number, number] {
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  switch (name) {
    case 'q_proj':
      return [q, c.dim];
    case 'k_proj':
    case 'v_proj':
      return [kv, c.dim];
    case 'o_proj':
      return [c.dim, q];
    case 'down_proj':
      return [c.dim, c.hidden];
    default:
      return [c.hidden, c.dim]; // gate_proj, up_proj
  }
}

/** The module a projection lives in: "mlp" or "self_attn". */
const partOf = (name: (typeof PROJECTIONS)[number]) =>
  name === 'gate_proj' || name === 'up_proj' || name === 'down_proj' ? 'mlp' : 'self_attn';

function hasBias(c: LlamaConfig, name: (typeof PROJECTIONS)[number]): boolean {
  return name === 'o_proj' ? c.outBias : partOf(name) === 'self_attn' && c.qkvBias;
}

export function llamaTensors(c: LlamaConfig): TensorSpec[] {
  const specs: TensorSpec[] = [
    { name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.dim] },
    { name: 'model.norm.weight', shape: [c.dim] },
    { name: 'lm_head.weight', shape: [c.vocabSize, c.dim], optional: c.tied },
  ];
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    specs.push({ name: `${p}.input_layernorm.weight`, shape: [c.dim] });
    specs.push({ name: `${p}.post_attention_layernorm.weight`, shape: [c.dim] });
    for (const name of PROJECTIONS) {
      const shape = projectionShape(c, name);
      specs.push({ name: `${p}.${partOf(name)}.${name}.weight`, shape });
      if (hasBias(c, name)) specs.push({ name: `${p}.${partOf(name)}.${name}.bias`, shape: [shape[0]] });
    }
  }
  return specs;
}

type LayerWeights = Record<(typeof PROJECTIONS)[number], LinearLayer> & {
  inputNorm: Float32Array;
  postNorm: Float32Array;
};

export class LlamaModel implements CausalLM {
  private readonly layers: LayerWeights[];
  private readonly embed: Float32Array; // (vocab, dim)
  private readonly norm: Float32Array; // (dim)
  private readonly head: LinearLayer;
  private readonly rope: RotateHalfRope;
  private readonly cache: KvCache;
  private readonly attention: Attention;
  private readonly x: Float32Array; // (rows, dim) residual stream
  private readonly h: Float32Array; // (rows, dim)
  private readonly q: Float32Array; // (rows, heads * headDim)
  private readonly k: Float32Array; // (rows, kvHeads * headDim)
  private readonly v: Float32Array; // (rows, kvHeads * headDim)
  private readonly mixed: Float32Array; // (rows, heads * headDim)
  private readonly gate: Float32Array; // (rows, hidden)
  private readonly up: Float32Array; // (rows, hidden)
  private readonly hiddenState: Float32Array; // (rows, dim) after model.norm
  private readonly logits: Float32Array; // (rows, vocab)
  private rows = 0;

  constructor(
    readonly config: LlamaConfig,
    weights: Weights,
    private readonly ops: OpSet,
    readonly maxRows = config.contextLength,
  ) {
    const c = config;
    this.layers = Array.from({ length: c.layers }, (_, l) => {
      const p = `model.layers.${l}`;
      const linear = (name: (typeof PROJECTIONS)[number]) => {
        const [out, inFeatures] = projectionShape(c, name);
        return weights.linear(ops, `${p}.${partOf(name)}.${name}`, out, inFeatures, hasBias(c, name));
      };
      const projections = Object.fromEntries(PROJECTIONS.map((n) => [n, linear(n)])) as Record<
        (typeof PROJECTIONS)[number],
        LinearLayer
      >;
      return {
        ...projections,
        inputNorm: weights.tensor(`${p}.input_layernorm.weight`, [c.dim]),
        postNorm: weights.tensor(`${p}.post_attention_layernorm.weight`, [c.dim]),
      };
    });
    this.embed = weights.tensor('model.embed_tokens.weight', [c.vocabSize, c.dim]);
    this.norm = weights.tensor('model.norm.weight', [c.dim]);
    const headWeight = weights.has('lm_head.weight')
      ? weights.tensor('lm_head.weight', [c.vocabSize, c.dim])
      : this.embed;
    this.head = ops.prepareLinear(headWeight, c.dim, c.vocabSize);
    this.rope = new RotateHalfRope(
      c.headDim,
      c.contextLength,
      inverseFrequencies(c.headDim, c.ropeTheta, c.ropeScaling),
    );
    const kvDim = c.kvHeads * c.headDim;
    this.cache = new KvCache(c.layers, c.contextLength, kvDim, c.headDim);
    this.attention = new Attention(
      ops,
      { heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim },
      maxRows,
      c.contextLength,
    );
    this.x = new Float32Array(maxRows * c.dim);
    this.h = new Float32Array(maxRows * c.dim);
    this.q = new Float32Array(maxRows * c.heads * c.headDim);
    this.k = new Float32Array(maxRows * kvDim);
    this.v = new Float32Array(maxRows * kvDim);
    this.mixed = new Float32Array(maxRows * c.heads * c.headDim);
    this.gate = new Float32Array(maxRows * c.hidden);
    this.up = new Float32Array(maxRows * c.hidden);
    this.hiddenState = new Float32Array(maxRows * c.dim);
    this.logits = new Float32Array(maxRows * c.vocabSize);
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
    const { dim, hidden, heads, kvHeads, headDim, vocabSize, contextLength, eps } = this.config;
    checkSpan(S, startPos, this.maxRows, contextLength);
    const ops = this.ops;
    const x = this.x.subarray(0, S * dim);
    embedTokens(x, this.embed, tokens, dim);
    const qDim = heads * headDim;
    const kvDim = kvHeads * headDim;
    const rows = (data: Float32Array, stride: number) => ({ data, offset: 0, stride });
    for (let l = 0; l < this.layers.length; l++) {
      const w = this.layers[l] as LayerWeights;
      const site = `layer${l}`;
      // x += o_proj(attention(rope(q), rope(k), v)) of h = rmsnorm(x)
      ops.rmsNorm(`${site}.input_norm`, this.h, x, w.inputNorm, S, dim, eps);
      ops.linear(`${site}.q_proj`, this.q, this.h, w.q_proj, S);
      ops.linear(`${site}.k_proj`, this.k, this.h, w.k_proj, S);
      ops.linear(`${site}.v_proj`, this.v, this.h, w.v_proj, S);
      this.rope.apply(this.q, S, qDim, heads, startPos);
      this.rope.apply(this.k, S, kvDim, kvHeads, startPos);
      this.cache.append(l, rows(this.k, kvDim), rows(this.v, kvDim), S, startPos);
      this.attention.run(
        `${site}.attn`,
        rows(this.mixed, qDim),
        rows(this.q, qDim),
        this.cache.keySource(l),
        this.cache.valueSource(l),
        S,
        startPos + S,
        1 / Math.sqrt(headDim),
        { causalOffset: startPos },
      );
      ops.linear(`${site}.o_proj`, this.h, this.mixed, w.o_proj, S);
      ops.add(`${site}.residual1`, x, x, this.h, S * dim);
      // x += down_proj(silu(gate_proj(h)) * up_proj(h)) of h = rmsnorm(x)
      ops.rmsNorm(`${site}.post_norm`, this.h, x, w.postNorm, S, dim, eps);
      ops.linear(`${site}.gate_proj`, this.gate, this.h, w.gate_proj, S);
      ops.linear(`${site}.up_proj`, this.up, this.h, w.up_proj, S);
      ops.activation(`${site}.silu`, 'silu', this.gate, this.gate, S * hidden);
      ops.mul(`${site}.swiglu`, this.gate, this.gate, this.up, S * hidden);
      ops.linear(`${site}.down_proj`, this.h, this.gate, w.down_proj, S);
      ops.add(`${site}.residual2`, x, x, this.h, S * dim);
    }
    ops.rmsNorm('final.norm', this.hiddenState, x, this.norm, S, dim, eps);
    ops.linear('final.lm_head', this.logits, this.hiddenState, this.head, S);
    this.rows = S;
    return this.logits.subarray(0, S * vocabSize);
  }

  lastHiddenState(): Float32Array {
    return this.hiddenState.subarray(0, this.rows * this.config.dim);
  }

  dispose(): void {
    for (const layer of this.layers) for (const name of PROJECTIONS) layer[name].dispose();
    this.head.dispose();
  }
}

export const LLAMA_NON_SPIKING = [
  'token embedding lookup (a table read)',
  'rotary position embedding: a rotation by constant tables (a fixed linear map)',
];

/** Binds a LlamaForCausalLM or Qwen2ForCausalLM checkpoint and builds the model over any OpSet. */
export function llamaBuilder(
  config: HfConfig,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  source: string,
  family: 'llama' | 'qwen2' = 'llama',
): ModelBuilder<LlamaModel> {
  const c = llamaConfig(config, family);
  const weights = bindTensors(tensors, llamaTensors(c), { prefix: 'model.' }, source);
  return { architecture: family, build: (ops) => new LlamaModel(c, weights, ops), nonSpiking: LLAMA_NON_SPIKING };
}
