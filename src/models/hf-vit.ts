// Hugging Face ViTForImageClassification written once against an OpSet. The patch Conv2d(C, D, P, stride P) is
// one linear layer over the patch vectors (each flattened (channel, ky, kx), so the OIHW weight is the (D, C P P)
// linear weight as stored; patches row-major over the grid); [CLS] + patches + position embeddings; pre-LN blocks
// (attention scaled by 1/sqrt(head_dim), MLP with hidden_act); the final vit.layernorm; the classifier on token 0.
import { InvalidArgumentError } from '../errors.js';
import type { HfConfig } from '../io/hf/config.js';
import type { ImageNormalization, ImagePreprocessor } from '../io/hf/preprocessor.js';
import { imageNormalization, normalizeImage } from '../io/hf/preprocessor.js';
import type { SafetensorsTensor } from '../io/safetensors.js';
import type { ActivationKind, LinearLayer, OpSet } from '../ops/opset.js';
import { Attention, type HeadSource } from './attention.js';
import type { ModelBuilder } from './builder.js';
import { bindTensors, type TensorSpec } from './hf/checkpoint.js';
import type { ImageClassifier, ImageShape } from './interfaces.js';
import type { Weights } from './weights.js';

export interface HfVitConfig {
  /** image_size x image_size x num_channels. */
  readonly image: ImageShape;
  readonly patchSize: number;
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  readonly inner: number;
  readonly eps: number;
  readonly activation: ActivationKind;
  readonly qkvBias: boolean;
  readonly labels: readonly string[];
}

/** HF hidden_act names -> our activations ("gelu" is the erf form, gelu_new and the like the tanh form). */
const ACTIVATIONS: Readonly<Record<string, ActivationKind>> = Object.assign(
  { gelu: 'gelu', relu: 'relu', silu: 'silu', swish: 'silu', tanh: 'tanh' } as const,
  { gelu_new: 'gelu_tanh', gelu_pytorch_tanh: 'gelu_tanh', gelu_fast: 'gelu_tanh' } as const,
);

/** Class names from id2label ("0" .. "n-1" -> name). */
function classLabels(config: HfConfig): string[] {
  const raw = config.raw('id2label');
  const record = typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const labels = Object.keys(record).map((_, i) => record[String(i)]);
  if (labels.length === 0 || !labels.every((l) => typeof l === 'string')) {
    throw config.error('id2label', 'an object mapping "0" .. "n-1" to label names', raw);
  }
  return labels as string[];
}

export function hfVitConfig(config: HfConfig): HfVitConfig {
  const size = config.int('image_size');
  const patchSize = config.int('patch_size');
  if (size % patchSize !== 0) throw config.error('image_size', `a multiple of patch_size = ${patchSize}`, size);
  const dim = config.int('hidden_size');
  const heads = config.int('num_attention_heads');
  if (dim % heads !== 0) throw config.error('num_attention_heads', `a divisor of hidden_size = ${dim}`, heads);
  const activation = config.string('hidden_act', Object.keys(ACTIVATIONS), 'gelu');
  return {
    image: { height: size, width: size, channels: config.int('num_channels', { fallback: 3 }) },
    patchSize,
    dim,
    layers: config.int('num_hidden_layers'),
    heads,
    inner: config.int('intermediate_size'),
    eps: config.number('layer_norm_eps', { fallback: 1e-12 }),
    activation: ACTIVATIONS[activation] as ActivationKind,
    qkvBias: config.boolean('qkv_bias', true),
    labels: classLabels(config),
  };
}

/** Patches per image: (image_size / patch_size)^2. */
export const hfVitPatches = (c: HfVitConfig) => (c.image.height / c.patchSize) ** 2;

type LinearName = 'query' | 'key' | 'value' | 'attnOut' | 'intermediate' | 'output';

/** A block's linear layers: module (under vit.encoder.layer.i), out and in features, whether it has a bias. */
function blockLinears(c: HfVitConfig): Record<LinearName, [string, number, number, boolean]> {
  const { dim, inner, qkvBias } = c;
  return {
    query: ['attention.attention.query', dim, dim, qkvBias],
    key: ['attention.attention.key', dim, dim, qkvBias],
    value: ['attention.attention.value', dim, dim, qkvBias],
    attnOut: ['attention.output.dense', dim, dim, true],
    intermediate: ['intermediate.dense', inner, dim, true],
    output: ['output.dense', dim, inner, true],
  };
}

/** The tensors ViTForImageClassification has, with their shapes. */
export function hfVitTensors(c: HfVitConfig): TensorSpec[] {
  const { dim, patchSize: P } = c;
  const e = 'vit.embeddings';
  const specs: TensorSpec[] = [
    { name: `${e}.cls_token`, shape: [1, 1, dim] },
    { name: `${e}.position_embeddings`, shape: [1, hfVitPatches(c) + 1, dim] },
    { name: `${e}.patch_embeddings.projection.weight`, shape: [dim, c.image.channels, P, P] },
    { name: `${e}.patch_embeddings.projection.bias`, shape: [dim] },
    { name: 'classifier.weight', shape: [c.labels.length, dim] },
    { name: 'classifier.bias', shape: [c.labels.length] },
  ];
  const norms = ['vit.layernorm'];
  for (let l = 0; l < c.layers; l++) {
    const p = `vit.encoder.layer.${l}`;
    for (const [part, out, inFeatures, bias] of Object.values(blockLinears(c))) {
      specs.push({ name: `${p}.${part}.weight`, shape: [out, inFeatures] });
      if (bias) specs.push({ name: `${p}.${part}.bias`, shape: [out] });
    }
    norms.push(`${p}.layernorm_before`, `${p}.layernorm_after`);
  }
  for (const n of norms) specs.push({ name: `${n}.weight`, shape: [dim] }, { name: `${n}.bias`, shape: [dim] });
  return specs;
}

/** A LayerNorm's weight and bias, (dim) each. */
type Norm = Readonly<Record<'weight' | 'bias', Float32Array>>;

type BlockWeights = Readonly<Record<LinearName, LinearLayer>> & { readonly before: Norm; readonly after: Norm };

export class HfVitModel implements ImageClassifier {
  readonly image: ImageShape;
  readonly classes: number;
  readonly labels: readonly string[];
  /** Tokens per image: [CLS] and the patches. */
  readonly tokens: number;
  private readonly patches: number;
  private readonly patchDim: number;
  private readonly embed: LinearLayer;
  private readonly cls: Float32Array; // (dim)
  private readonly positions: Float32Array; // (tokens, dim)
  private readonly blocks: BlockWeights[];
  private readonly layernorm: Norm;
  private readonly classifier: LinearLayer;
  private readonly attention: Attention;
  // Activations, preallocated.
  private readonly pixelValues: Float32Array; // (channels, height, width) forward()'s preprocessed input
  private readonly patchVectors: Float32Array; // (patches, channels * patchSize * patchSize)
  private readonly x: Float32Array; // (tokens, dim) residual stream
  private readonly xPatches: Float32Array; // (patches, dim) view of x's rows 1..
  private readonly h: Float32Array; // (tokens, dim)
  // q, k, v and the attention's output: (tokens, dim) each, as head sources (rows of stride dim)
  private readonly q: HeadSource;
  private readonly k: HeadSource;
  private readonly v: HeadSource;
  private readonly mixed: HeadSource;
  private readonly mlp: Float32Array; // (tokens, inner)
  private readonly hidden: Float32Array; // (tokens, dim) after vit.layernorm
  private readonly hiddenCls: Float32Array; // (dim) view of hidden's row 0
  private readonly logits: Float32Array; // (classes)

  constructor(
    readonly config: HfVitConfig,
    weights: Weights,
    private readonly ops: OpSet,
    /** forward()'s preprocessing: rescale, mean and std (channels). */
    private readonly normalization: ImageNormalization,
  ) {
    const { image, dim, inner, heads } = config;
    this.image = image;
    this.labels = config.labels;
    this.classes = config.labels.length;
    this.patches = hfVitPatches(config);
    this.patchDim = image.channels * config.patchSize ** 2;
    this.tokens = this.patches + 1;
    const e = 'vit.embeddings';
    // The Conv2d weight (dim, channels, P, P) is the linear weight (dim, channels P P) as stored.
    const conv = `${e}.patch_embeddings.projection`;
    const convWeight = weights.tensor(`${conv}.weight`, [dim, image.channels, config.patchSize, config.patchSize]);
    this.embed = ops.prepareLinear(convWeight, this.patchDim, dim, weights.tensor(`${conv}.bias`, [dim]));
    this.cls = weights.tensor(`${e}.cls_token`, [1, 1, dim]);
    this.positions = weights.tensor(`${e}.position_embeddings`, [1, this.tokens, dim]);
    const linear = (name: string, out: number, inFeatures: number, bias = true) =>
      weights.linear(ops, name, out, inFeatures, bias);
    const norm = (name: string): Norm => ({
      weight: weights.tensor(`${name}.weight`, [dim]),
      bias: weights.tensor(`${name}.bias`, [dim]),
    });
    this.blocks = Array.from({ length: config.layers }, (_, l) => {
      const p = `vit.encoder.layer.${l}`;
      const layers = {} as Record<LinearName, LinearLayer>;
      for (const [key, [part, out, inFeatures, bias]] of Object.entries(blockLinears(config))) {
        layers[key as LinearName] = linear(`${p}.${part}`, out, inFeatures, bias);
      }
      return { ...layers, before: norm(`${p}.layernorm_before`), after: norm(`${p}.layernorm_after`) };
    });
    this.layernorm = norm('vit.layernorm');
    this.classifier = linear('classifier', this.classes, dim);
    const S = this.tokens;
    this.attention = new Attention(ops, { heads, kvHeads: heads, headDim: dim / heads }, S, S);
    this.pixelValues = new Float32Array(image.channels * image.height * image.width);
    this.patchVectors = new Float32Array(this.patches * this.patchDim);
    this.x = new Float32Array(S * dim);
    this.xPatches = this.x.subarray(dim);
    this.h = new Float32Array(S * dim);
    const rows = (): HeadSource => ({ data: new Float32Array(S * dim), offset: 0, stride: dim }); // (tokens, dim)
    [this.q, this.k, this.v, this.mixed] = [rows(), rows(), rows(), rows()];
    this.mlp = new Float32Array(S * inner);
    this.hidden = new Float32Array(S * dim);
    this.hiddenCls = this.hidden.subarray(0, dim);
    this.logits = new Float32Array(this.classes);
  }

  /** Logits (classes) of one 8-bit image (height, width, channels), preprocessed here; the view is reused. */
  forward(pixels: Uint8Array): Float32Array {
    const { height: H, width: W, channels: C } = this.image;
    if (pixels.length !== H * W * C) {
      throw new InvalidArgumentError(`image must be ${H} x ${W} x ${C} bytes (HWC, resized), got ${pixels.length}`);
    }
    normalizeImage(this.pixelValues, pixels, this.normalization, C);
    return this.run(this.pixelValues);
  }

  /** Logits (classes) of preprocessed pixel values (channels, height, width), as HF's pixel_values. */
  forwardPixelValues(values: Float32Array): Float32Array {
    const { height: H, width: W, channels: C } = this.image;
    if (values.length !== C * H * W) {
      throw new InvalidArgumentError(`pixel values must be ${C} x ${H} x ${W} (CHW), got ${values.length}`);
    }
    return this.run(values);
  }

  private run(values: Float32Array): Float32Array {
    const { image, patchSize: P, dim, inner, eps, heads } = this.config;
    const { height: H, width: W, channels: C } = image;
    const ops = this.ops;
    const S = this.tokens;
    // patchVectors (patches, C P P): patch (gy, gx) row-major over the grid, flattened (channel, ky, kx)
    for (let p = 0, at = 0; p < this.patches; p++) {
      const y0 = Math.floor(p / (W / P)) * P;
      const x0 = (p % (W / P)) * P;
      for (let c = 0; c < C; c++) {
        for (let ky = 0; ky < P; ky++) {
          const row = (c * H + y0 + ky) * W + x0;
          for (let kx = 0; kx < P; kx++) this.patchVectors[at++] = values[row + kx] as number;
        }
      }
    }
    // x = [cls; patch_embeddings(patchVectors)] + position_embeddings
    this.x.set(this.cls, 0);
    ops.linear('embed.patches', this.xPatches, this.patchVectors, this.embed, this.patches);
    ops.add('embed.positions', this.x, this.x, this.positions, S * dim);
    const scale = 1 / Math.sqrt(dim / heads);
    for (let l = 0; l < this.blocks.length; l++) {
      const b = this.blocks[l] as BlockWeights;
      const site = `layer${l}`;
      // x += output.dense(attention(query, key, value of layernorm_before(x)))
      ops.layerNorm(`${site}.layernorm_before`, this.h, this.x, b.before.weight, b.before.bias, S, dim, eps);
      ops.linear(`${site}.attn.query`, this.q.data, this.h, b.query, S);
      ops.linear(`${site}.attn.key`, this.k.data, this.h, b.key, S);
      ops.linear(`${site}.attn.value`, this.v.data, this.h, b.value, S);
      this.attention.run(`${site}.attn`, this.mixed, this.q, this.k, this.v, S, S, scale);
      ops.linear(`${site}.attn.output`, this.h, this.mixed.data, b.attnOut, S);
      ops.add(`${site}.residual1`, this.x, this.x, this.h, S * dim);
      // x += output.dense(act(intermediate.dense(layernorm_after(x))))
      ops.layerNorm(`${site}.layernorm_after`, this.h, this.x, b.after.weight, b.after.bias, S, dim, eps);
      ops.linear(`${site}.intermediate`, this.mlp, this.h, b.intermediate, S);
      ops.activation(`${site}.act`, this.config.activation, this.mlp, this.mlp, S * inner);
      ops.linear(`${site}.output`, this.h, this.mlp, b.output, S);
      ops.add(`${site}.residual2`, this.x, this.x, this.h, S * dim);
    }
    // logits = classifier(vit.layernorm(x)[0])
    ops.layerNorm('final.layernorm', this.hidden, this.x, this.layernorm.weight, this.layernorm.bias, S, dim, eps);
    ops.linear('head.classifier', this.logits, this.hiddenCls, this.classifier, 1);
    return this.logits;
  }

  /** The last forward's hidden states (tokens, dim) after vit.layernorm. */
  lastHiddenState(): Float32Array {
    return this.hidden;
  }

  dispose(): void {
    for (const b of this.blocks)
      for (const w of [b.query, b.key, b.value, b.attnOut, b.intermediate, b.output]) w.dispose();
    this.embed.dispose();
    this.classifier.dispose();
  }
}

export const HF_VIT_NON_SPIKING = [
  'pixel rescaling and normalisation (a constant affine map of the input)',
  'patch extraction (a fixed re-arrangement of the pixel values into patch vectors)',
  'class token and learned position embeddings (constants)',
];

/** Binds a ViTForImageClassification checkpoint's tensors and builds the model over any OpSet. */
export function hfVitBuilder(
  config: HfConfig,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  source: string,
  preprocessor?: ImagePreprocessor,
): ModelBuilder<HfVitModel> {
  const c = hfVitConfig(config);
  const normalization = imageNormalization(preprocessor, c.image);
  // ViTModel checkpoints may carry a pooler that the classification model does not use (HF ignores it).
  const buffers = [/(^|\.)pooler\.dense\.(weight|bias)$/];
  const weights = bindTensors(tensors, hfVitTensors(c), { prefix: 'vit.', buffers }, source);
  const build = (ops: OpSet) => new HfVitModel(c, weights, ops, normalization);
  return { architecture: 'hf-vit', build, nonSpiking: HF_VIT_NON_SPIKING };
}
