// The MNIST Vision Transformer of the fixture (the early lucidrains vit-pytorch layout), written once against
// an OpSet: 7x7 patches of a 28x28 image (row-major within a patch) -> Linear(49, dim), a class token,
// learned positions, pre-LayerNorm blocks with attention scaled by dim^-0.5 (not head_dim^-0.5) and a
// GELU MLP, and the head Linear -> GELU -> Linear on the class token. No final LayerNorm.
import { InvalidArgumentError } from '../errors.js';
import type { LinearLayer, OpSet } from '../ops/opset.js';
import type { TensorMap } from '../tensor.js';
import { Attention } from './attention.js';
import type { ModelBuilder } from './builder.js';
import type { ImageClassifier, ImageShape } from './interfaces.js';
import { Weights } from './weights.js';

export interface VitConfig {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpDim: number;
  readonly headHidden: number;
  readonly classes: number;
  readonly eps: number;
  /** Input normalisation (pixel / 255 - mean) / std. */
  readonly mean: number;
  readonly std: number;
}

/** The fixture's architecture. */
export const MNIST_VIT: VitConfig = {
  imageSize: 28,
  patchSize: 7,
  dim: 64,
  depth: 6,
  heads: 8,
  mlpDim: 128,
  headHidden: 128,
  classes: 10,
  eps: 1e-5,
  mean: 0.1307,
  std: 0.3081,
};

interface BlockWeights {
  ln1Weight: Float32Array;
  ln1Bias: Float32Array;
  qkv: LinearLayer;
  out: LinearLayer;
  ln2Weight: Float32Array;
  ln2Bias: Float32Array;
  fc1: LinearLayer;
  fc2: LinearLayer;
}

export class VitModel implements ImageClassifier {
  readonly image: ImageShape;
  readonly classes: number;
  /** Tokens per image: the patches and the class token. */
  readonly tokens: number;
  private readonly patches: number;
  private readonly patchDim: number;
  private readonly embed: LinearLayer;
  private readonly cls: Float32Array; // (dim)
  private readonly positions: Float32Array; // (tokens, dim)
  private readonly blocks: BlockWeights[];
  private readonly head1: LinearLayer;
  private readonly head2: LinearLayer;
  // Activations, preallocated.
  private readonly pixels: Float32Array; // (patches, patchDim)
  private readonly x: Float32Array; // (tokens, dim) residual stream
  private readonly h: Float32Array; // (tokens, dim)
  private readonly qkv: Float32Array; // (tokens, 3 dim)
  private readonly mixed: Float32Array; // (tokens, dim)
  private readonly attention: Attention;
  private readonly mlp: Float32Array; // (tokens, mlpDim)
  private readonly headHidden: Float32Array; // (headHidden)
  private readonly logits: Float32Array; // (classes)

  constructor(
    tensors: TensorMap,
    private readonly ops: OpSet,
    readonly config: VitConfig = MNIST_VIT,
    source = 'ViT checkpoint',
  ) {
    const { imageSize, patchSize, dim, depth, mlpDim, headHidden, classes } = config;
    this.image = { height: imageSize, width: imageSize, channels: 1 };
    this.classes = classes;
    this.patches = (imageSize / patchSize) ** 2;
    this.patchDim = patchSize * patchSize;
    this.tokens = this.patches + 1;
    const weights = new Weights(tensors, source);
    const tensor = (name: string, shape: readonly number[]) => weights.tensor(name, shape);
    const linear = (prefix: string, out: number, inFeatures: number, bias = true) =>
      weights.linear(ops, prefix, out, inFeatures, bias);
    this.embed = linear('patch_to_embedding', dim, this.patchDim);
    this.cls = tensor('cls_token', [1, 1, dim]);
    this.positions = tensor('pos_embedding', [1, this.tokens, dim]);
    this.blocks = Array.from({ length: depth }, (_, l) => {
      const attn = `transformer.layers.${l}.0.fn`;
      const ff = `transformer.layers.${l}.1.fn`;
      return {
        ln1Weight: tensor(`${attn}.norm.weight`, [dim]),
        ln1Bias: tensor(`${attn}.norm.bias`, [dim]),
        qkv: linear(`${attn}.fn.to_qkv`, 3 * dim, dim, false),
        out: linear(`${attn}.fn.to_out`, dim, dim),
        ln2Weight: tensor(`${ff}.norm.weight`, [dim]),
        ln2Bias: tensor(`${ff}.norm.bias`, [dim]),
        fc1: linear(`${ff}.fn.net.0`, mlpDim, dim),
        fc2: linear(`${ff}.fn.net.2`, dim, mlpDim),
      };
    });
    this.head1 = linear('mlp_head.0', headHidden, dim);
    this.head2 = linear('mlp_head.2', classes, headHidden);
    const S = this.tokens;
    const headDim = dim / config.heads;
    this.pixels = new Float32Array(this.patches * this.patchDim);
    this.x = new Float32Array(S * dim);
    this.h = new Float32Array(S * dim);
    this.qkv = new Float32Array(S * 3 * dim);
    this.mixed = new Float32Array(S * dim);
    this.attention = new Attention(ops, { heads: config.heads, kvHeads: config.heads, headDim }, S, S);
    this.mlp = new Float32Array(S * mlpDim);
    this.headHidden = new Float32Array(headHidden);
    this.logits = new Float32Array(classes);
  }

  /** Class logits (classes) of one image (imageSize * imageSize bytes); the view is reused by the next call. */
  forward(image: Uint8Array): Float32Array {
    const { imageSize, patchSize, dim, mlpDim, eps } = this.config;
    if (image.length !== imageSize * imageSize) {
      throw new InvalidArgumentError(`image must have ${imageSize * imageSize} pixels, got ${image.length}`);
    }
    const ops = this.ops;
    const S = this.tokens; // tokens
    const grid = imageSize / patchSize;
    // pixels (patches, p1 p2): patch (gy, gx) row-major over the grid, pixels row-major inside it.
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        for (let py = 0; py < patchSize; py++) {
          for (let px = 0; px < patchSize; px++) {
            const value = (image[(gy * patchSize + py) * imageSize + gx * patchSize + px] as number) / 255;
            this.pixels[(gy * grid + gx) * this.patchDim + py * patchSize + px] =
              (value - this.config.mean) / this.config.std;
          }
        }
      }
    }
    // x = [cls; patches @ W^T + b] + positions
    this.x.set(this.cls, 0);
    ops.linear('embed', this.x.subarray(dim), this.pixels, this.embed, this.patches);
    ops.add('embed.positions', this.x, this.x, this.positions, S * dim);
    for (let l = 0; l < this.blocks.length; l++) {
      const b = this.blocks[l] as BlockWeights;
      const site = `layer${l}`;
      // x += to_out(attention(LN(x)))
      ops.layerNorm(`${site}.ln1`, this.h, this.x, b.ln1Weight, b.ln1Bias, S, dim, eps);
      ops.linear(`${site}.qkv`, this.qkv, this.h, b.qkv, S);
      // mixed (S, dim) = attention over the packed qkv (S, 3 dim), scaled by dim^-0.5
      const part = (offset: number) => ({ data: this.qkv, offset, stride: 3 * dim });
      this.attention.run(
        site,
        { data: this.mixed, offset: 0, stride: dim },
        part(0),
        part(dim),
        part(2 * dim),
        S,
        S,
        dim ** -0.5,
      );
      ops.linear(`${site}.out`, this.h, this.mixed, b.out, S);
      ops.add(`${site}.residual1`, this.x, this.x, this.h, S * dim);
      // x += fc2(gelu(fc1(LN(x))))
      ops.layerNorm(`${site}.ln2`, this.h, this.x, b.ln2Weight, b.ln2Bias, S, dim, eps);
      ops.linear(`${site}.fc1`, this.mlp, this.h, b.fc1, S);
      ops.activation(`${site}.gelu`, 'gelu', this.mlp, this.mlp, S * mlpDim);
      ops.linear(`${site}.fc2`, this.h, this.mlp, b.fc2, S);
      ops.add(`${site}.residual2`, this.x, this.x, this.h, S * dim);
    }
    // logits = head2(gelu(head1(x[cls])))
    ops.linear('head.fc1', this.headHidden, this.x.subarray(0, dim), this.head1, 1);
    ops.activation('head.gelu', 'gelu', this.headHidden, this.headHidden, this.headHidden.length);
    ops.linear('head.fc2', this.logits, this.headHidden, this.head2, 1);
    return this.logits;
  }

  dispose(): void {
    for (const b of this.blocks) for (const w of [b.qkv, b.out, b.fc1, b.fc2]) w.dispose();
    for (const w of [this.embed, this.head1, this.head2]) w.dispose();
  }
}

export const VIT_NON_SPIKING = [
  'pixel normalisation (a constant affine map of the input)',
  'class token and learned position additions (constants)',
];

/** Builds the fixture ViT over any OpSet. */
export function vitBuilder(tensors: TensorMap, source?: string): ModelBuilder<VitModel> {
  return {
    architecture: 'vit',
    build: (ops) => new VitModel(tensors, ops, MNIST_VIT, source),
    nonSpiking: VIT_NON_SPIKING,
  };
}
