// torchvision VGGs (issue 15) on small synthetic checkpoints (test/helpers/torchvision.ts): with batch norm
// (vgg11_bn style) on 16x16 inputs, whose 4x4 features AdaptiveAvgPool2d((7, 7)) spreads over overlapping
// windows, and without on 36x36 ones (9x9 features to 7x7). Recognised by the registry only as VGG; the float path
// against an independent float64 NCHW reference (unfolded norms, PyTorch's adaptive windows and CHW flatten); the
// folding of a conv with a bias, and of a linear layer; the spiking conversion at T = 16 agreeing in argmax.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels } from '../../src/index.js';
import { floatTensorMap, parseSafetensors } from '../../src/io/safetensors.js';
import { foldBatchNorm, foldConvBatchNorm } from '../../src/models/batch-norm.js';
import { ARCHITECTURES, findArchitecture, type ImageClassifierEntry } from '../../src/models/registry.js';
import { Weights } from '../../src/models/weights.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { convertImageClassifier } from '../../src/tasks/image-classification.js';
import { expectMaxDiff, maxAbsDiff } from '../helpers/max-diff.js';
import { normal, seededRandom, uniform } from '../helpers/random.js';
import { randomImages, vggCheckpoint, type Checkpoint, type VggSpec } from '../helpers/torchvision.js';
import {
  adaptiveAvgPool2d,
  batchNorm2d,
  conv2d,
  get,
  linear,
  maxPool2d,
  normalisedImage,
  relu,
  type Nchw,
  type Tensors,
} from '../helpers/torchvision-reference.js';

const SPECS: Record<string, VggSpec> = {
  'with batch norm, 16x16': {
    cfg: [4, 'M', 8, 8, 'M'],
    batchNorm: true,
    hidden: [16, 16],
    classes: 10,
    inputSize: 16,
    seed: 3,
  },
  'without batch norm, 36x36': {
    cfg: [4, 'M', 6, 'M'],
    batchNorm: false,
    hidden: [12, 12],
    classes: 7,
    inputSize: 36,
    seed: 4,
  },
};

/** torchvision's VGG.forward in float64, from the spec's configuration. */
function reference(spec: VggSpec, tensors: Tensors, pixels: Uint8Array): Float64Array {
  let x = normalisedImage(pixels, spec.inputSize, spec.inputSize);
  let index = 0;
  for (const v of spec.cfg) {
    if (v === 'M') {
      x = maxPool2d(x, 2, 2, 0);
      index++;
      continue;
    }
    x = conv2d(x, tensors.get(`features.${index}.weight`)!, get(tensors, `features.${index}.bias`), 1, 1);
    if (spec.batchNorm) x = batchNorm2d(x, tensors, `features.${index + 1}`);
    x = relu(x);
    index += spec.batchNorm ? 3 : 2;
  }
  const flat = adaptiveAvgPool2d(x, 7, 7).data; // NCHW: flatten is the data in order
  const hidden = linear(flat, tensors, 'classifier.0').map((v) => Math.max(0, v));
  const second = linear(hidden, tensors, 'classifier.3').map((v) => Math.max(0, v));
  return linear(second, tensors, 'classifier.6');
}

const argmax = (v: ArrayLike<number>) => Array.from(v).reduce((best, x, i, a) => (x > a[best]! ? i : best), 0);

const TEST_IMAGES = 8;

describe.each(Object.entries(SPECS))('torchvision VGG, %s', (title, spec) => {
  let kernels: Kernels;
  let checkpoint: Checkpoint;
  let entry: ImageClassifierEntry;
  let files: Map<string, { name: string; bytes: Uint8Array }>;
  const pixels = spec.inputSize * spec.inputSize * 3;
  const images = randomImages(spec.seed + 100, TEST_IMAGES, spec.inputSize); // (8, size, size, 3)
  const calibration = randomImages(spec.seed + 200, 8, spec.inputSize); // (8, size, size, 3), other images

  beforeAll(async () => {
    kernels = await Kernels.load();
    checkpoint = vggCheckpoint(spec);
    files = new Map([['model', { name: 'vgg.safetensors', bytes: checkpoint.bytes }]]);
    entry = findArchitecture('vgg') as ImageClassifierEntry;
  });

  it('only the vgg entry recognises the checkpoint; adaptive pooling is declared non-spiking', () => {
    expect(ARCHITECTURES.filter((a) => a.recognise(files)).map((a) => a.name)).toEqual(['vgg']);
    const { input, builder } = entry.load(files);
    expect(input.image).toEqual({ height: spec.inputSize, width: spec.inputSize, channels: 3 });
    expect(input.labels).toHaveLength(spec.classes);
    expect(builder.nonSpiking.join('; ')).toMatch(/adaptive average pooling to 7x7 \(linear.*no neuron\)/);
    expect(builder.nonSpiking.some((s) => s.startsWith('batch normalisation: folded'))).toBe(spec.batchNorm);
  });

  it('float logits match the float64 reference within 1e-5', () => {
    const model = entry.load(files).builder.build(new FloatOpSet(kernels));
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < TEST_IMAGES; i++) {
      const image = images.subarray(i * pixels, (i + 1) * pixels);
      const want = reference(spec, checkpoint.tensors, image);
      diff = Math.max(diff, maxAbsDiff(model.forward(image), want));
      scale = Math.max(scale, ...Array.from(want, Math.abs));
    }
    console.log(`VGG ${title}: |logits| up to ${scale.toFixed(2)}`);
    // measured 3.1e-6 (with norms, |logits| up to 11) and 3.7e-6 (without, up to 6.6): float32 storage and
    // accumulation through the network, against float64 throughout
    expectMaxDiff(`VGG ${title} float vs reference`, diff, 1e-5);
    model.dispose();
  });

  it('converted at T = 16: the argmax of float on every test image, in both modes; the checkpoint unmodified', () => {
    const { builder } = entry.load(files);
    for (const mode of ['equivalent', 'spike-driven'] as const) {
      const conversion = convertImageClassifier(kernels, builder, calibration, 8, { spiking: { T: 16, mode } });
      const [floatArgmax, spikingArgmax]: [number[], number[]] = [[], []];
      let worst = 0;
      let margin = Infinity;
      for (let i = 0; i < TEST_IMAGES; i++) {
        const image = images.subarray(i * pixels, (i + 1) * pixels);
        const float = Array.from(conversion.float.forward(image));
        const spiking = conversion.spiking.forward(image);
        floatArgmax.push(argmax(float));
        spikingArgmax.push(argmax(spiking));
        worst = Math.max(worst, maxAbsDiff(spiking, float));
        const sorted = [...float].sort((a, b) => b - a);
        margin = Math.min(margin, sorted[0]! - sorted[1]!);
      }
      console.log(
        `VGG ${title} ${mode} T = 16: max |logit diff| ${worst.toExponential(2)}, smallest float top-2 margin ${margin.toExponential(2)}`,
      );
      expect(spikingArgmax).toEqual(floatArgmax);
      expect(conversion.report.sites.filter((s) => !s.spiking)).toEqual([]);
      conversion.float.dispose();
      conversion.spiking.dispose();
    }
    const parsed = floatTensorMap(parseSafetensors(checkpoint.bytes));
    for (const [name, tensor] of checkpoint.tensors) expect(parsed.get(name)!.data, name).toEqual(tensor.data);
  });
});

describe('batch-norm folding with a bias', () => {
  /** max over outputs of |folded - unfolded| / (sum |w' x| + |b'|): within one float32 rounding, 2^-24. */
  const relativeToMagnitude = (got: Float64Array, want: Float64Array, magnitude: Float64Array) =>
    Math.max(...Array.from(got, (g, i) => Math.abs(g - want[i]!) / magnitude[i]!));

  it('a VGG conv (bias, then BatchNorm2d) folds to float32 rounding', () => {
    const checkpoint = vggCheckpoint(Object.values(SPECS)[0]!);
    const weights = new Weights(floatTensorMap(parseSafetensors(checkpoint.bytes)), 'vgg');
    const geometry = { inChannels: 3, outChannels: 4, kernelSize: 3, stride: 1, padding: 1 };
    const folded = foldConvBatchNorm(weights, 'features.0', 'features.1', geometry);
    const x: Nchw = { c: 3, h: 6, w: 5, data: Float64Array.from(normal(seededRandom(5), 3 * 6 * 5)) };
    const conv = checkpoint.tensors.get('features.0.weight')!;
    const want = batchNorm2d(
      conv2d(x, conv, get(checkpoint.tensors, 'features.0.bias'), 1, 1),
      checkpoint.tensors,
      'features.1',
    );
    const foldedConv = { ...conv, data: folded.weight };
    const got = conv2d(x, foldedConv, folded.bias, 1, 1);
    const magnitude = conv2d(
      { ...x, data: x.data.map(Math.abs) },
      { ...conv, data: folded.weight.map(Math.abs) },
      folded.bias.map(Math.abs),
      1,
      1,
    );
    const worst = relativeToMagnitude(got.data, want.data, magnitude.data);
    console.log(`VGG conv + bias folding: ${worst.toExponential(2)} of the magnitude`);
    expect(worst).toBeLessThanOrEqual(2 ** -24 * (1 + 1e-9));
  });

  it('a linear layer followed by a batch norm folds the same way, into new arrays', () => {
    const random = seededRandom(6);
    const [out, inFeatures] = [5, 7];
    const weight = normal(random, out * inFeatures);
    const bias = normal(random, out);
    const norm = {
      gamma: uniform(random, out, 0.5, 1.5),
      beta: normal(random, out, 0.2),
      mean: normal(random, out, 0.3),
      variance: uniform(random, out, 0.5, 2),
      eps: 1e-5,
    };
    const [weightCopy, biasCopy] = [weight.slice(), bias.slice()];
    const folded = foldBatchNorm(weight, bias, norm);
    expect(weight).toEqual(weightCopy);
    expect(bias).toEqual(biasCopy);
    const x = Float64Array.from(normal(random, inFeatures));
    const got = new Float64Array(out);
    const want = new Float64Array(out);
    const magnitude = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let [y, f, m] = [bias[o]!, folded.bias[o]!, Math.abs(folded.bias[o]!)];
      for (let i = 0; i < inFeatures; i++) {
        y += weight[o * inFeatures + i]! * x[i]!;
        f += folded.weight[o * inFeatures + i]! * x[i]!;
        m += Math.abs(folded.weight[o * inFeatures + i]! * x[i]!);
      }
      want[o] = ((y - norm.mean[o]!) / Math.sqrt(norm.variance[o]! + 1e-5)) * norm.gamma[o]! + norm.beta[o]!;
      got[o] = f;
      magnitude[o] = m;
    }
    expect(relativeToMagnitude(got, want, magnitude)).toBeLessThanOrEqual(2 ** -24 * (1 + 1e-9));
  });
});
