// BERT as Hugging Face's BertModel and BertForSequenceClassification compute it, over an OpSet: word +
// token-type + position embeddings (ids arange, or RoBERTa's), LayerNorm, then post-LN layers (attention with
// padding keys masked, residual + LayerNorm, activated intermediate Linear, residual + LayerNorm); nn.Linear
// weights (out, in). Heads: Linear -> tanh (the pooler) -> Linear on token 0. roberta.ts reuses all of it.
import { InvalidArgumentError } from '../errors.js';
import type { HfConfig } from '../io/hf/config.js';
import type { SafetensorsTensor } from '../io/safetensors.js';
import type { ActivationKind, LinearLayer, OpSet } from '../ops/opset.js';
import { Attention, type HeadSource } from './attention.js';
import type { ModelBuilder } from './builder.js';
import { bindTensors, type TensorSpec } from './hf/checkpoint.js';
import type { SequenceClassifier, SequenceEncoder } from './interfaces.js';
import type { Weights } from './weights.js';

/** A BertConfig's fields (RobertaConfig's after robertaConfig): see bertConfig. */
export type BertConfig = ReturnType<typeof bertConfig>;

/** HF activation names (hidden_act) -> our activations. */
const TANH_GELUS = { gelu_new: 'gelu_tanh', gelu_pytorch_tanh: 'gelu_tanh', gelu_fast: 'gelu_tanh' } as const;
const ACTIVATIONS: Record<string, ActivationKind> = { ...TANH_GELUS, gelu: 'gelu', relu: 'relu', silu: 'silu' };

/** id2label in index order; LABEL_0 .. LABEL_{num_labels - 1} without one (HF's default: 2 labels). */
function labelsOf(config: HfConfig): string[] {
  const [given, raw] = [config.has('id2label'), config.raw('id2label') ?? {}];
  const count = given ? Object.keys(raw).length : config.int('num_labels', { fallback: 2 });
  const labels = Array.from({ length: count }, (_, i) => (given ? (raw as Record<string, unknown>)[i] : `LABEL_${i}`));
  if (typeof raw !== 'object' || Array.isArray(raw) || count === 0 || labels.some((l) => typeof l !== 'string'))
    throw config.error('id2label', 'an object mapping "0" .. "n-1" to label names', raw);
  return labels as string[];
}

/** A BertConfig's fields, checked, with HF's defaults for absent ones (robertaConfig adjusts them). */
export function bertConfig(config: HfConfig) {
  const dim = config.int('hidden_size');
  const heads = config.int('num_attention_heads');
  if (dim % heads !== 0) throw config.error('num_attention_heads', `a divisor of hidden_size = ${dim}`, heads);
  config.string('position_embedding_type', ['absolute'], 'absolute');
  if (config.boolean('is_decoder', false)) throw config.error('is_decoder', 'false (an encoder)', true);
  const positions = config.int('max_position_embeddings');
  return {
    prefix: 'bert' as 'bert' | 'roberta', // of the encoder's tensor names
    vocabSize: config.int('vocab_size'),
    positions, // rows of the position table
    contextLength: positions, // longest sequence: every position id indexes the table
    typeVocabSize: config.int('type_vocab_size', { fallback: 2 }),
    dim,
    layers: config.int('num_hidden_layers'),
    heads,
    inner: config.int('intermediate_size'),
    eps: config.number('layer_norm_eps', { fallback: 1e-12 }),
    activation: ACTIVATIONS[config.string('hidden_act', Object.keys(ACTIVATIONS), 'gelu')] as ActivationKind,
    // arange: 0 .. S - 1 (BERT); padded: cumsum(ids != pad) * (ids != pad) + pad (RoBERTa)
    positionIds: 'arange' as 'arange' | 'padded',
    padTokenId: config.int('pad_token_id', { min: 0, fallback: 0 }),
    labels: labelsOf(config) as readonly string[], // id2label in index order, LABEL_0 .. when absent
  } as const;
}

/** `${name}.weight` of `shape` and `${name}.bias` (shape[0]): a Linear's (out, in) or a LayerNorm's (dim). */
export const weightAndBias = (name: string, shape: number[], optional = false): TensorSpec[] => [
  { name: `${name}.weight`, shape, optional },
  { name: `${name}.bias`, shape: shape.slice(0, 1), optional },
];

/** The encoder's tensors (under `${prefix}.`) and then `extra` (a pooler, a head). */
export function bertTensors(c: BertConfig, extra: readonly TensorSpec[] = []): TensorSpec[] {
  const { dim, inner, prefix: p } = c;
  const specs: TensorSpec[] = [
    { name: `${p}.embeddings.word_embeddings.weight`, shape: [c.vocabSize, dim] },
    { name: `${p}.embeddings.position_embeddings.weight`, shape: [c.positions, dim] },
    { name: `${p}.embeddings.token_type_embeddings.weight`, shape: [c.typeVocabSize, dim] },
    ...weightAndBias(`${p}.embeddings.LayerNorm`, [dim]),
  ];
  for (let l = 0; l < c.layers; l++) {
    const layer = `${p}.encoder.layer.${l}`;
    for (const part of ['query', 'key', 'value'])
      specs.push(...weightAndBias(`${layer}.attention.self.${part}`, [dim, dim]));
    specs.push(
      ...weightAndBias(`${layer}.attention.output.dense`, [dim, dim]),
      ...weightAndBias(`${layer}.attention.output.LayerNorm`, [dim]),
      ...weightAndBias(`${layer}.intermediate.dense`, [inner, dim]),
      ...weightAndBias(`${layer}.output.dense`, [dim, inner]),
      ...weightAndBias(`${layer}.output.LayerNorm`, [dim]),
    );
  }
  return [...specs, ...extra];
}

/** A LayerNorm's weight and bias (dim). */
const norm = (weights: Weights, name: string, dim: number): [Float32Array, Float32Array] => [
  weights.tensor(`${name}.weight`, [dim]),
  weights.tensor(`${name}.bias`, [dim]),
];

function layerWeights(c: BertConfig, weights: Weights, ops: OpSet, l: number) {
  const [p, { dim, inner }] = [`${c.prefix}.encoder.layer.${l}`, c];
  return {
    query: weights.linear(ops, `${p}.attention.self.query`, dim, dim),
    key: weights.linear(ops, `${p}.attention.self.key`, dim, dim),
    value: weights.linear(ops, `${p}.attention.self.value`, dim, dim),
    attnOut: weights.linear(ops, `${p}.attention.output.dense`, dim, dim),
    ln1: norm(weights, `${p}.attention.output.LayerNorm`, dim),
    intermediate: weights.linear(ops, `${p}.intermediate.dense`, inner, dim),
    output: weights.linear(ops, `${p}.output.dense`, dim, inner),
    ln2: norm(weights, `${p}.output.LayerNorm`, dim),
  };
}

/** The encoder: the last hidden state of one sequence, and pooled() = tanh(pooler(h[0])). */
export class BertModel implements SequenceEncoder {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly hiddenSize: number;
  private readonly layers: ReturnType<typeof layerWeights>[];
  private readonly word: Float32Array; // (vocab, dim)
  private readonly position: Float32Array; // (positions, dim)
  private readonly tokenType: Float32Array; // (typeVocab, dim)
  private readonly ln: [Float32Array, Float32Array]; // weight, bias (dim)
  private readonly pooler: LinearLayer | undefined;
  private readonly attention: Attention;
  private readonly x: Float32Array; // (rows, dim) hidden state (each LayerNorm's output); rows <= contextLength
  private readonly h: Float32Array; // (rows, dim) embedding sum; sublayer output + residual
  private readonly positionRows: Float32Array; // (rows, dim) the tokens' position embeddings
  private readonly typeRows: Float32Array; // (rows, dim) the tokens' token-type embeddings
  private readonly qkv: Float32Array[]; // q, k, v (rows, dim)
  private readonly mixed: Float32Array; // (rows, dim) attention output, heads side by side
  private readonly mlp: Float32Array; // (rows, inner)
  private readonly pooledState: Float32Array; // (dim)
  private rows = 0;

  constructor(
    readonly config: BertConfig,
    weights: Weights,
    readonly ops: OpSet,
    /** The pooler's tensor prefix (RoBERTa's head: classifier.dense) and site; without one pooled = h[0]. */
    pooler = `${config.prefix}.pooler.dense`,
    private readonly poolerSite = 'pooler',
  ) {
    const { dim, heads, contextLength: n, prefix: p } = config;
    [this.vocabSize, this.contextLength, this.hiddenSize] = [config.vocabSize, n, dim];
    this.layers = Array.from({ length: config.layers }, (_, l) => layerWeights(config, weights, ops, l));
    this.word = weights.tensor(`${p}.embeddings.word_embeddings.weight`, [config.vocabSize, dim]);
    this.position = weights.tensor(`${p}.embeddings.position_embeddings.weight`, [config.positions, dim]);
    this.tokenType = weights.tensor(`${p}.embeddings.token_type_embeddings.weight`, [config.typeVocabSize, dim]);
    this.ln = norm(weights, `${p}.embeddings.LayerNorm`, dim);
    this.pooler = weights.has(`${pooler}.weight`) ? weights.linear(ops, pooler, dim, dim) : undefined;
    this.attention = new Attention(ops, { heads, kvHeads: heads, headDim: dim / heads }, n, n);
    const buffer = () => new Float32Array(n * dim);
    [this.x, this.h, this.positionRows, this.typeRows, this.mixed] = [buffer(), buffer(), buffer(), buffer(), buffer()];
    this.qkv = [buffer(), buffer(), buffer()];
    this.mlp = new Float32Array(n * config.inner);
    this.pooledState = new Float32Array(dim);
  }

  /** The last hidden state (S, dim); the view is reused by the next call. */
  forward(tokens: ArrayLike<number>, attentionMask?: ArrayLike<number>, tokenTypes?: ArrayLike<number>): Float32Array {
    const S = tokens.length;
    const { dim, inner, heads, eps, padTokenId: pad } = this.config;
    if (S < 1 || S > this.contextLength)
      throw new InvalidArgumentError(`forward takes 1 to ${this.contextLength} tokens, got ${S}`);
    checkIds('token', tokens, S, this.vocabSize);
    checkIds('attention mask', attentionMask, S, 2);
    checkIds('token type', tokenTypes, S, this.config.typeVocabSize);
    const ops = this.ops;
    const [x, h] = [this.x.subarray(0, S * dim), this.h.subarray(0, S * dim)];
    // h = word[token] + token_type[type] + position[id]: table reads, the two additions through the OpSet
    let real = 0; // non-padding tokens so far (RoBERTa's position ids)
    for (let s = 0; s < S; s++) {
      const token = tokens[s] as number;
      const type = (tokenTypes?.[s] ?? 0) as number;
      if (token !== pad) real++;
      const position = this.config.positionIds === 'arange' ? s : token === pad ? pad : pad + real;
      h.set(this.word.subarray(token * dim, (token + 1) * dim), s * dim);
      this.typeRows.set(this.tokenType.subarray(type * dim, (type + 1) * dim), s * dim);
      this.positionRows.set(this.position.subarray(position * dim, (position + 1) * dim), s * dim);
    }
    ops.add('embed.token_types', h, h, this.typeRows, S * dim);
    ops.add('embed.positions', h, h, this.positionRows, S * dim);
    ops.layerNorm('embed.ln', x, h, ...this.ln, S, dim, eps);
    const mask = attentionMask === undefined ? {} : { keyMask: attentionMask };
    const [q, k, v] = this.qkv as [Float32Array, Float32Array, Float32Array];
    const rows = (data: Float32Array): HeadSource => ({ data, offset: 0, stride: dim });
    const scale = (dim / heads) ** -0.5;
    for (let l = 0; l < this.layers.length; l++) {
      const b = this.layers[l] as ReturnType<typeof layerWeights>;
      const site = `layer${l}`;
      // x = LN(x + attn_out(attention(query(x), key(x), value(x))))
      ops.linear(`${site}.query`, q, x, b.query, S);
      ops.linear(`${site}.key`, k, x, b.key, S);
      ops.linear(`${site}.value`, v, x, b.value, S);
      this.attention.run(`${site}.attn`, rows(this.mixed), rows(q), rows(k), rows(v), S, S, scale, mask);
      ops.linear(`${site}.attn_out`, h, this.mixed, b.attnOut, S);
      ops.add(`${site}.residual1`, h, h, x, S * dim);
      ops.layerNorm(`${site}.ln1`, x, h, ...b.ln1, S, dim, eps);
      // x = LN(x + output(act(intermediate(x))))
      ops.linear(`${site}.intermediate`, this.mlp, x, b.intermediate, S);
      ops.activation(`${site}.act`, this.config.activation, this.mlp, this.mlp, S * inner);
      ops.linear(`${site}.output`, h, this.mlp, b.output, S);
      ops.add(`${site}.residual2`, h, h, x, S * dim);
      ops.layerNorm(`${site}.ln2`, x, h, ...b.ln2, S, dim, eps);
    }
    this.rows = S;
    // pooled = tanh(pooler(x[0])), or x[0] without a pooler
    if (this.pooler === undefined) this.pooledState.set(x.subarray(0, dim));
    else {
      ops.linear(`${this.poolerSite}.dense`, this.pooledState, x.subarray(0, dim), this.pooler, 1);
      ops.activation(`${this.poolerSite}.tanh`, 'tanh', this.pooledState, this.pooledState, dim);
    }
    return x;
  }

  pooled(): Float32Array {
    return this.pooledState;
  }

  lastHiddenState(): Float32Array {
    return this.x.subarray(0, this.rows * this.config.dim);
  }

  dispose(): void {
    for (const b of this.layers)
      for (const w of [b.query, b.key, b.value, b.attnOut, b.intermediate, b.output]) w.dispose();
    this.pooler?.dispose();
  }
}

/** Integer ids in [0, size) (0/1 for a mask), as many as there are tokens; undefined passes. */
function checkIds(name: string, values: ArrayLike<number> | undefined, S: number, size: number): void {
  if (values !== undefined && values.length !== S)
    throw new InvalidArgumentError(`${S} tokens but ${values.length} ${name} values`);
  for (let s = 0; s < (values?.length ?? 0); s++) {
    const id = values?.[s] as number;
    if (!Number.isInteger(id) || id < 0 || id >= size)
      throw new InvalidArgumentError(`${name} value ${id} at index ${s} is outside [0, ${size})`);
  }
}

/** logits (labels) = classifier(pooled): BERT's pooler then classifier, RoBERTa's dense, tanh, out_proj. */
export class BertForSequenceClassification implements SequenceClassifier {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly labels: readonly string[];
  private readonly logits: Float32Array; // (labels)

  constructor(
    readonly model: BertModel,
    private readonly classifier: LinearLayer,
    private readonly site = 'classifier',
  ) {
    [this.vocabSize, this.contextLength, this.labels] = [model.vocabSize, model.contextLength, model.config.labels];
    this.logits = new Float32Array(classifier.outFeatures);
  }

  forward(tokens: ArrayLike<number>, attentionMask?: ArrayLike<number>, tokenTypes?: ArrayLike<number>): Float32Array {
    this.model.forward(tokens, attentionMask, tokenTypes);
    this.model.ops.linear(this.site, this.logits, this.model.pooled(), this.classifier, 1);
    return this.logits;
  }

  lastHiddenState(): Float32Array {
    return this.model.lastHiddenState();
  }

  dispose(): void {
    this.model.dispose();
    this.classifier.dispose();
  }
}

export const BERT_NON_SPIKING = ['word, position and token-type embedding lookups (table reads)'];

/** The classifier when config.architectures lists `classifier`, else the encoder (listed, or none listed). */
export function hfEncoderKind(config: HfConfig, classifier: string, encoder: string): 'classifier' | 'encoder' {
  const listed = config.architectures;
  const known = listed.length === 0 || listed.includes(classifier) || listed.includes(encoder);
  if (!known) throw config.error('architectures', `["${classifier}"] or ["${encoder}"]`, listed);
  return listed.includes(classifier) ? 'classifier' : 'encoder';
}

/**
 * Binds a BertForSequenceClassification or BertModel checkpoint (as config.architectures says) and builds it
 * over any OpSet. BertModel files may lack the "bert." prefix and the pooler; heads they carry are ignored.
 */
export function bertBuilder(
  config: HfConfig,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  source: string,
): ModelBuilder<BertForSequenceClassification | BertModel> {
  const c = bertConfig(config);
  const kind = hfEncoderKind(config, 'BertForSequenceClassification', 'BertModel');
  const pooler = weightAndBias('bert.pooler.dense', [c.dim, c.dim], kind === 'encoder');
  const head = kind === 'classifier' ? weightAndBias('classifier', [c.labels.length, c.dim]) : [];
  const buffers = kind === 'encoder' ? [/^(classifier|cls)\./] : []; // heads a BertModel does not use
  const weights = bindTensors(tensors, bertTensors(c, [...pooler, ...head]), { prefix: 'bert.', buffers }, source);
  const model = (ops: OpSet) => new BertModel(c, weights, ops);
  const classifier = (ops: OpSet) =>
    new BertForSequenceClassification(model(ops), weights.linear(ops, 'classifier', c.labels.length, c.dim));
  return { architecture: 'bert', build: kind === 'encoder' ? model : classifier, nonSpiking: BERT_NON_SPIKING };
}
