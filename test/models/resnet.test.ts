// torchvision ResNets (issue 15) on small synthetic checkpoints (BasicBlock and Bottleneck, random weights and
// batch-norm statistics, test/helpers/torchvision.ts): recognised by the registry and by nothing else, the float
// path against an independent float64 NCHW reference with unfolded batch norms, the folding exact to float32
// rounding, the checkpoint untouched, and the spiking conversion at T = 16 agreeing in argmax in both modes.
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, Kernels } from '../../src/index.js';
import { floatTensorMap, parseSafetensors } from '../../src/io/safetensors.js';
import { foldConvBatchNorm } from '../../src/models/batch-norm.js';
import { ARCHITECTURES, findArchitecture, type ImageClassifierEntry } from '../../src/models/registry.js';
import { imageShapeOf } from '../../src/models/torchvision.js';
import { Weights } from '../../src/models/weights.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { convertImageClassifier } from '../../src/tasks/image-classification.js';
import { readFileBytes } from '../../src/node.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { expectMaxDiff, maxAbsDiff } from '../helpers/max-diff.js';
import { normal, seededRandom } from '../helpers/random.js';
import {
  randomImages,
  resnetCheckpoint,
  specBlocks,
  type Checkpoint,
  type ResNetSpec,
} from '../helpers/torchvision.js';
import {
  adaptiveAvgPool2d,
  add,
  batchNorm2d,
  conv2d,
  linear,
  maxPool2d,
  normalisedImage,
  relu,
  type Nchw,
  type Tensors,
} from '../helpers/torchvision-reference.js';

const SPECS: Record<string, ResNetSpec> = {
  'BasicBlock [1, 1], 4 and 8 channels': {
    bottleneck: false,
    stem: 4,
    stages: [
      { blocks: 1, planes: 4 },
      { blocks: 1, planes: 8 },
    ],
    classes: 10,
    inputSize: 16,
    seed: 1,
  },
  'Bottleneck [1, 2], planes 2 and 4': {
    bottleneck: true,
    stem: 4,
    stages: [
      { blocks: 1, planes: 2 },
      { blocks: 2, planes: 4 },
    ],
    classes: 10,
    inputSize: 16,
    seed: 2,
  },
};

/** torchvision's ResNet.forward in float64, from the spec (not from the library's reading of the names). */
function reference(spec: ResNetSpec, tensors: Tensors, pixels: Uint8Array): Float64Array {
  const t = (name: string) => tensors.get(name)!;
  const size = spec.inputSize;
  let x = relu(
    batchNorm2d(conv2d(normalisedImage(pixels, size, size), t('conv1.weight'), undefined, 2, 3), tensors, 'bn1'),
  );
  x = maxPool2d(x, 3, 2, 1);
  for (const block of specBlocks(spec)) {
    const p = block.prefix;
    const convBn = (input: Nchw, conv: string, norm: string, stride: number, padding: number) =>
      batchNorm2d(conv2d(input, t(`${p}.${conv}.weight`), undefined, stride, padding), tensors, `${p}.${norm}`);
    let out: Nchw;
    if (spec.bottleneck) {
      out = relu(convBn(x, 'conv1', 'bn1', 1, 0));
      out = relu(convBn(out, 'conv2', 'bn2', block.stride, 1)); // v1.5: the stride on the 3x3
      out = convBn(out, 'conv3', 'bn3', 1, 0);
    } else {
      out = relu(convBn(x, 'conv1', 'bn1', block.stride, 1));
      out = convBn(out, 'conv2', 'bn2', 1, 1);
    }
    const identity = block.downsample ? convBn(x, 'downsample.0', 'downsample.1', block.stride, 0) : x;
    x = relu(add(out, identity));
  }
  return linear(adaptiveAvgPool2d(x, 1, 1).data, tensors, 'fc');
}

const argmax = (v: ArrayLike<number>) => Array.from(v).reduce((best, x, i, a) => (x > a[best]! ? i : best), 0);

const TEST_IMAGES = 8;

describe.each(Object.entries(SPECS))('torchvision ResNet, %s', (_, spec) => {
  let kernels: Kernels;
  let checkpoint: Checkpoint;
  let entry: ImageClassifierEntry;
  let files: Map<string, { name: string; bytes: Uint8Array }>;
  const pixels = spec.inputSize * spec.inputSize * 3;
  const images = randomImages(spec.seed + 100, TEST_IMAGES, spec.inputSize); // (8, 16, 16, 3)
  const calibration = randomImages(spec.seed + 200, 8, spec.inputSize); // (8, 16, 16, 3), other images

  beforeAll(async () => {
    kernels = await Kernels.load();
    checkpoint = resnetCheckpoint(spec);
    files = new Map([['model', { name: 'resnet.safetensors', bytes: checkpoint.bytes }]]);
    entry = findArchitecture('resnet') as ImageClassifierEntry;
  });

  it('only the resnet entry recognises the checkpoint; its input is from the metadata', () => {
    expect(ARCHITECTURES.filter((a) => a.recognise(files)).map((a) => a.name)).toEqual(['resnet']);
    const { input, builder } = entry.load(files);
    expect(input.image).toEqual({ height: spec.inputSize, width: spec.inputSize, channels: 3 });
    expect(input.resample).toBe('bilinear');
    expect(input.labels).toEqual(Array.from({ length: spec.classes }, (_, i) => String(i)));
    expect(builder.nonSpiking.join('; ')).toMatch(/global average pooling \(linear.*no neuron\)/);
  });

  it('float logits match the float64 reference with unfolded batch norms within 1e-5', () => {
    const model = entry.load(files).builder.build(new FloatOpSet(kernels));
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < TEST_IMAGES; i++) {
      const image = images.subarray(i * pixels, (i + 1) * pixels);
      const want = reference(spec, checkpoint.tensors, image);
      diff = Math.max(diff, maxAbsDiff(model.forward(image), want));
      scale = Math.max(scale, ...Array.from(want, Math.abs));
    }
    console.log(`ResNet (${spec.bottleneck ? 'Bottleneck' : 'BasicBlock'}): |logits| up to ${scale.toFixed(2)}`);
    // measured 1.9e-6 (BasicBlock) and 2.0e-6 (Bottleneck) at |logits| up to 9.5: float32 storage and
    // accumulation through the network, against float64 throughout
    expectMaxDiff(`ResNet ${spec.bottleneck ? 'Bottleneck' : 'BasicBlock'} float vs reference`, diff, 1e-5);
    model.dispose();
  });

  it('a folded convolution is conv-then-batch-norm to float32 rounding of the folded weights', () => {
    const tensors = floatTensorMap(parseSafetensors(checkpoint.bytes));
    const weights = new Weights(tensors, 'resnet');
    const [first] = specBlocks(spec);
    const p = first!.prefix;
    const [planes, inChannels, k] = checkpoint.tensors.get(`${p}.conv1.weight`)!.shape as number[];
    const geometry = { inChannels: inChannels!, outChannels: planes!, kernelSize: k!, stride: 1, padding: k! >> 1 };
    const folded = foldConvBatchNorm(weights, `${p}.conv1`, `${p}.bn1`, geometry);
    const size = 5;
    const random = seededRandom(spec.seed);
    const x: Nchw = {
      c: inChannels!,
      h: size,
      w: size,
      data: Float64Array.from(normal(random, inChannels! * size * size)),
    };
    const want = batchNorm2d(
      conv2d(x, checkpoint.tensors.get(`${p}.conv1.weight`)!, undefined, 1, k! >> 1),
      checkpoint.tensors,
      `${p}.bn1`,
    );
    const foldedWeight = {
      name: 'folded',
      dtype: 'F32' as const,
      shape: [planes!, inChannels!, k!, k!],
      data: folded.weight,
    };
    const got = conv2d(x, foldedWeight, folded.bias, 1, k! >> 1);
    // the bound of rounding each folded weight and bias once: 2^-24 of sum |w' x| + |b'| per output
    const magnitude = conv2d(
      { ...x, data: x.data.map(Math.abs) },
      { ...foldedWeight, data: folded.weight.map(Math.abs) },
      folded.bias.map(Math.abs),
      1,
      k! >> 1,
    );
    let worst = 0;
    for (let i = 0; i < want.data.length; i++) {
      worst = Math.max(worst, Math.abs(got.data[i]! - want.data[i]!) / magnitude.data[i]!);
    }
    console.log(
      `batch-norm folding: max error ${worst.toExponential(2)} of the magnitude (2^-24 = ${(2 ** -24).toExponential(2)})`,
    );
    expect(worst).toBeLessThanOrEqual(2 ** -24 * (1 + 1e-9));
  });

  it('converted at T = 16: the argmax of float on every test image, in both modes; the checkpoint unmodified', () => {
    const { builder } = entry.load(files);
    const predictions = (['equivalent', 'spike-driven'] as const).map((mode) => {
      const conversion = convertImageClassifier(kernels, builder, calibration, 8, { spiking: { T: 16, mode } });
      const rows = [];
      for (let i = 0; i < TEST_IMAGES; i++) {
        const image = images.subarray(i * pixels, (i + 1) * pixels);
        const float = Array.from(conversion.float.forward(image));
        const spiking = Array.from(conversion.spiking.forward(image));
        const sorted = [...float].sort((a, b) => b - a);
        const margin = sorted[0]! - sorted[1]!;
        rows.push({ float: argmax(float), spiking: argmax(spiking), diff: maxAbsDiff(spiking, float), margin });
      }
      const sites = conversion.report.sites;
      expect(sites.filter((s) => !s.spiking && s.op !== 'add')).toEqual([]);
      expect(sites.find((s) => s.site === 'maxpool')!.how).toMatch(/k\*k - 1 ReLU neurons per window/);
      conversion.float.dispose();
      conversion.spiking.dispose();
      return rows;
    });
    for (const [m, rows] of predictions.entries()) {
      const worst = Math.max(...rows.map((r) => r.diff));
      const margin = Math.min(...rows.map((r) => r.margin));
      console.log(
        `ResNet ${m === 0 ? 'equivalent' : 'spike-driven'} T = 16: max |logit diff| ${worst.toExponential(2)}, ` +
          `smallest float top-2 margin ${margin.toExponential(2)}`,
      );
      expect(rows.map((r) => r.spiking)).toEqual(rows.map((r) => r.float));
    }
    // the checkpoint's bytes still hold the arrays written: folding made new ones
    const parsed = floatTensorMap(parseSafetensors(checkpoint.bytes));
    for (const [name, tensor] of checkpoint.tensors) expect(parsed.get(name)!.data, name).toEqual(tensor.data);
  });
});

describeFixtures('torchvision entries and the fixtures', () => {
  it("neither the resnet nor the vgg entry claims LeNet-5's or the ViT's file, nor they a ResNet's", async () => {
    const fixtureFile = async (...parts: string[]) => ({
      name: parts.at(-1)!,
      bytes: await readFileBytes(fixture(...parts)),
    });
    for (const model of [
      await fixtureFile('cnn', 'lenet5_mnist.safetensors'),
      await fixtureFile('vit', 'vit_mnist.safetensors'),
    ]) {
      const files = new Map([['model', model]]);
      expect(
        ['resnet', 'vgg'].map((name) => findArchitecture(name)!.recognise(files)),
        model.name,
      ).toEqual([false, false]);
    }
    const resnet = new Map([['model', { name: 'resnet', bytes: resnetCheckpoint(Object.values(SPECS)[0]!).bytes }]]);
    expect(['lenet5', 'vit'].map((name) => findArchitecture(name)!.recognise(resnet))).toEqual([false, false]);
  });
});

describe('torchvision input size', () => {
  it('is 224 without __metadata__.input_size, square or height,width with it; anything else is a FormatError', () => {
    expect(imageShapeOf({}, 'f')).toEqual({ height: 224, width: 224, channels: 3 });
    expect(imageShapeOf({ input_size: '32' }, 'f')).toEqual({ height: 32, width: 32, channels: 3 });
    expect(imageShapeOf({ input_size: '32,24' }, 'f')).toEqual({ height: 32, width: 24, channels: 3 });
    for (const bad of ['', '0', '-3', '2.5', '[224, 224]', '1,2,3']) {
      expect(() => imageShapeOf({ input_size: bad }, 'f'), bad).toThrow(FormatError);
    }
  });
});
