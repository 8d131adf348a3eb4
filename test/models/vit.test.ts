import { readFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import { accuracy, Kernels } from '../../src/index.js';
import { loadMnist, loadSafetensors } from '../../src/node.js';
import { floatTensorMap } from '../../src/io/safetensors.js';
import { VitModel } from '../../src/models/vit.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { evaluateVit } from '../../src/tasks/vit.js';
import type { Tensor } from '../../src/tensor.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { expectMaxDiff, maxAbsDiff } from '../helpers/max-diff.js';

describeFixtures('MNIST ViT on the fixtures', () => {
  let kernels: Kernels;
  let tensors: Map<string, Tensor>;
  let images: Uint8Array;
  let labels: Uint8Array;
  beforeAll(async () => {
    kernels = await Kernels.load();
    tensors = floatTensorMap(await loadSafetensors(fixture('vit', 'vit_mnist.safetensors')));
    const mnist = await loadMnist(
      fixture('mnist', 't10k-0-5000-images-idx3-ubyte.gz'),
      fixture('mnist', 't10k-0-5000-labels-idx1-ubyte.gz'),
    );
    images = mnist.images;
    labels = mnist.labels;
  });

  // Measured max |diff| against the float64 reference (|logits| up to 36): 2.2e-5 on the relaxed build (the one
  // vitest loads), 1.9e-5 on simd and scalar.
  const GOLDEN_TOLERANCE = 5e-5;

  it(`float logits of the first 8 images match golden_logits_first8.json within ${GOLDEN_TOLERANCE.toExponential(0)}`, async () => {
    const golden = JSON.parse(await readFile(fixture('vit', 'golden_logits_first8.json'), 'utf8')) as {
      logits: number[][];
    };
    const model = new VitModel(tensors, new FloatOpSet(kernels));
    expect(golden.logits.length).toBe(8);
    const diff = Math.max(
      ...golden.logits.map((row, i) => {
        const logits = model.forward(images.subarray(i * 784, (i + 1) * 784));
        expect(logits.length).toBe(row.length);
        return maxAbsDiff(logits, row);
      }),
    );
    expectMaxDiff('MNIST ViT golden logits', diff, GOLDEN_TOLERANCE);
  });

  it('float top-1 accuracy on the 5,000 images is 97.00% (4,850 correct)', () => {
    const model = new VitModel(tensors, new FloatOpSet(kernels));
    const result = accuracy(model, images, labels, 5000);
    expect(result.correct).toBe(4850);
  }, 120_000);

  it('converted at T = 16: same predictions as float on a sample, report and energy complete', () => {
    const result = evaluateVit(kernels, tensors, images, labels, { spiking: { T: 16 }, evaluate: 96 });
    const agree = result.spiking.predictions.reduce((n, p, i) => n + (p === result.float!.predictions[i] ? 1 : 0), 0);
    expect(agree).toBeGreaterThanOrEqual(94);
    const { report } = result.conversion;
    expect(report.sites.filter((s) => s.op !== 'add' && !s.spiking)).toEqual([]);
    expect(report.neurons.every((n) => n.source === 'table')).toBe(true);
    expect(result.energy.groups.map((g) => g.group)).toEqual([
      'embed',
      'layer0',
      'layer1',
      'layer2',
      'layer3',
      'layer4',
      'layer5',
      'head',
    ]);
    for (const g of result.energy.groups) expect(g.firingRate).toBeGreaterThan(0);
  }, 120_000);

  it('equivalent and spike-driven modes give the same predictions', () => {
    const run = (mode: 'equivalent' | 'spike-driven') =>
      Array.from(
        // power-of-two ranges: every code value is dyadic, so both summation orders round alike and even near-ties
        // agree (other ranges agree to float rounding, checked per operator in test/ops/operators.test.ts)
        evaluateVit(kernels, tensors, images, labels, {
          spiking: { T: 12, mode, identityRange: 'power-of-two' },
          evaluate: 64,
          skipFloat: true,
        }).spiking.predictions,
      );
    expect(run('spike-driven')).toEqual(run('equivalent'));
  }, 300_000);

  it('rejects a checkpoint without a tensor the architecture needs, naming it', () => {
    const broken = new Map(tensors);
    broken.delete('transformer.layers.3.1.fn.fn.net.0.weight');
    expect(() => new VitModel(broken, new FloatOpSet(kernels))).toThrow(
      /missing tensor "transformer.layers.3.1.fn.fn.net.0.weight" of shape \[128, 64\]/,
    );
  });
});
