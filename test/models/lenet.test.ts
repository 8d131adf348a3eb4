// LeNet-5 on the fixtures (issue 15): the preprocessing as the fixture's README states it (Pillow's bilinear
// 28 -> 32 in two rounded passes, then the MNIST normalisation), the float logits against the float64 golden
// ones, the reference accuracy, and the spiking conversion: the same predictions in both modes, its report.
import { readFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import { accuracy, findArchitecture, Kernels } from '../../src/index.js';
import { loadMnist, readFileBytes } from '../../src/node.js';
import { LENET_INPUT, type LeNetModel } from '../../src/models/lenet.js';
import type { ModelBuilder } from '../../src/models/builder.js';
import type { ImageClassifierEntry } from '../../src/models/registry.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { convertImageClassifier, evaluateImageClassifier } from '../../src/tasks/image-classification.js';
import { idxImages, prepareImages } from '../../src/tasks/image-data.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { expectMaxDiff, maxAbsDiff } from '../helpers/max-diff.js';

const PIXELS = LENET_INPUT.size ** 2;

describeFixtures('LeNet-5 on the fixtures', () => {
  let kernels: Kernels;
  let builder: ModelBuilder<LeNetModel>;
  let images: Uint8Array; // (5000, 32, 32) preprocessed
  let labels: Uint8Array;
  let golden: { logits: number[][]; preprocessed_first_image_32x32: number[][] };

  beforeAll(async () => {
    kernels = await Kernels.load();
    const model = {
      name: 'lenet5_mnist.safetensors',
      bytes: await readFileBytes(fixture('cnn', 'lenet5_mnist.safetensors')),
    };
    const files = new Map([['model', model]]);
    const entry = findArchitecture('lenet5') as ImageClassifierEntry;
    expect(entry.recognise(files)).toBe(true);
    const loaded = entry.load(files);
    builder = loaded.builder as ModelBuilder<LeNetModel>;
    const mnist = await loadMnist(
      fixture('mnist', 't10k-0-5000-images-idx3-ubyte.gz'),
      fixture('mnist', 't10k-0-5000-labels-idx1-ubyte.gz'),
    );
    images = prepareImages(idxImages(mnist.images, mnist.count, mnist.rows, mnist.cols), loaded.input.image, {
      resample: loaded.input.resample,
    });
    labels = mnist.labels;
    golden = JSON.parse(await readFile(fixture('cnn', 'golden_logits_first8.json'), 'utf8')) as typeof golden;
  });

  it('the other image entries do not claim the checkpoint, nor it theirs', async () => {
    const vit = { name: 'vit', bytes: await readFileBytes(fixture('vit', 'vit_mnist.safetensors')) };
    const lenet = { name: 'lenet', bytes: await readFileBytes(fixture('cnn', 'lenet5_mnist.safetensors')) };
    expect(findArchitecture('vit')!.recognise(new Map([['model', lenet]]))).toBe(false);
    expect(findArchitecture('lenet5')!.recognise(new Map([['model', vit]]))).toBe(false);
  });

  it('the first image preprocessed as the README states matches the golden one within 1e-6', () => {
    const want = golden.preprocessed_first_image_32x32.flat();
    const got = Float64Array.from(images.subarray(0, PIXELS), (p) => (p / 255 - LENET_INPUT.mean) / LENET_INPUT.std);
    // measured 1.2e-7: float32 rounding of the normalisation
    expectMaxDiff('LeNet-5 preprocessed first image', maxAbsDiff(got, want), 1e-6);
  });

  it('float logits of the first 8 images match golden_logits_first8.json within 1e-5', () => {
    const model = builder.build(new FloatOpSet(kernels));
    const diff = Math.max(
      ...golden.logits.map((row, i) => maxAbsDiff(model.forward(images.subarray(i * PIXELS, (i + 1) * PIXELS)), row)),
    );
    // measured 3.8e-6 against the float64 reference (|logits| up to 19)
    expectMaxDiff('LeNet-5 golden logits', diff, 1e-5);
  });

  it('float top-1 on the 5,000 images is 98.62% (4,931 correct), as the fixture reference', () => {
    const result = accuracy(builder.build(new FloatOpSet(kernels)), images, labels, 5000);
    expect(result.correct).toBe(4931);
  }, 120_000);

  it('converted at T = 16: the same predictions as float on a sample; both modes agree; max pooling spiking', () => {
    const result = evaluateImageClassifier(kernels, builder, images, labels, { spiking: { T: 16 }, evaluate: 400 });
    const agree = result.spiking.predictions.reduce((n, p, i) => n + (p === result.float!.predictions[i] ? 1 : 0), 0);
    console.log(`LeNet-5 T = 16: ${agree} of 400 predictions as float`);
    expect(agree).toBeGreaterThanOrEqual(399);
    const { report } = result.conversion;
    expect(report.sites.filter((s) => !s.spiking)).toEqual([]);
    const pool = report.sites.find((s) => s.site === 's2')!;
    expect(pool.how).toMatch(/^max\(a, b\) = a \+ ReLU\(b - a\) as a tournament .*k\*k - 1 ReLU neurons per window/);
    expect(report.sites.find((s) => s.site === 'c1')!.how).toMatch(/^inputs identity-coded/);

    const calibration = images.subarray((5000 - 32) * PIXELS);
    const driven = convertImageClassifier(kernels, builder, calibration, 32, {
      spiking: { T: 16, mode: 'spike-driven' },
    });
    const equivalent = convertImageClassifier(kernels, builder, calibration, 32, { spiking: { T: 16 } });
    const sample = 16;
    const [a, b] = [driven, equivalent].map((c) => accuracy(c.spiking, images, labels, sample).predictions);
    expect(Array.from(a!)).toEqual(Array.from(b!));
  }, 120_000);

  it('with pooling left float, the report says so', () => {
    const calibration = images.subarray((5000 - 32) * PIXELS);
    const conversion = convertImageClassifier(kernels, builder, calibration, 32, {
      spiking: { T: 16, spiking: { pooling: false } },
    });
    const pools = conversion.report.sites.filter((s) => s.op === 'maxPool');
    expect(pools.map((s) => [s.site, s.spiking, s.how])).toEqual([
      ['s2', false, 'left float (option spiking.pooling = false)'],
      ['s4', false, 'left float (option spiking.pooling = false)'],
    ]);
  });

  it("an allocation per fold, on that fold's calibration images: within its budget, cheaper than uniform T", () => {
    const budget = { metric: 'kl', value: 0.01 } as const;
    const result = evaluateImageClassifier(kernels, builder, images, labels, {
      spiking: { T: 8, code: 'signed-digit' },
      evaluate: 64,
      calibrate: 8,
      allocate: { budget, levels: [8, 4] },
    });
    const allocations = result.allocations!;
    expect(allocations).toHaveLength(2);
    for (const a of allocations) {
      console.log(
        `LeNet-5 fold: KL ${a.allocated.kl.toExponential(2)}, E ${a.uniform.energyRatio.toFixed(3)} -> ${a.allocated.energyRatio.toFixed(3)}`,
      );
      expect(a.withinBudget).toBe(true);
      expect(a.allocated.kl).toBeLessThanOrEqual(budget.value);
      expect(a.allocated.energyRatio).toBeLessThan(a.uniform.energyRatio);
    }
    // the first fold's choice is what its conversion ran with
    expect(result.conversion.report.options.siteT).toEqual(allocations[0]!.siteT);
  });
});
