// LlamaForCausalLM (GQA, untied head; Llama 3: head_dim, rope_scaling llama3, tied) and Qwen2ForCausalLM
// (q/k/v biases) on the hf-tiny goldens: logits, the full last hidden state and the greedy tokens. The llama3
// frequencies are also checked against a reference written here from transformers' rope utilities.
import { expect, it } from 'vitest';
import { FormatError, Kernels } from '../../../src/index.js';
import { llamaBuilder } from '../../../src/models/llama.js';
import { inverseFrequencies } from '../../../src/models/rope.js';
import { FloatOpSet } from '../../../src/ops/float-opset.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { editedTensors, expectCausalGolden, hfFixture } from '../../helpers/hf-golden.js';

it('llama3 rope scaling: high frequencies kept, low ones divided by the factor, the band between blended', () => {
  const [theta, hd, factor, low, high, original] = [500000, 32, 8, 1, 4, 32];
  const scaled = inverseFrequencies(hd, theta, {
    factor,
    lowFreqFactor: low,
    highFreqFactor: high,
    originalContext: original,
  });
  for (let i = 0; i < hd / 2; i++) {
    const f = theta ** (-(2 * i) / hd);
    const wavelength = (2 * Math.PI) / f;
    const smooth = Math.min(1, Math.max(0, (original / wavelength - low) / (high - low)));
    // Below the high-frequency wavelength smooth = 1 (kept), above the low one smooth = 0 (divided).
    const expected = (1 - smooth) * (f / factor) + smooth * f;
    expect(Math.abs((scaled[i] as number) - expected) / expected).toBeLessThan(1e-12);
  }
  expect(scaled[0]).toBe(1); // wavelength 2 pi: kept
  expect((scaled[15] as number) * factor).toBeCloseTo(theta ** (-30 / 32), 15); // longest: divided
});

const kernels = await Kernels.load();

describeFixtures('Llama and Qwen2 on the hf-tiny goldens', () => {
  for (const [folder, family] of [
    ['llama-tiny-hot', 'llama'],
    ['llama3-tiny-hot', 'llama'],
    ['qwen2-tiny-hot', 'qwen2'],
  ] as const) {
    it(`${folder}: logits, hidden states and greedy tokens match`, () => {
      const f = hfFixture(folder);
      const model = llamaBuilder(f.config, f.tensors, f.source, family).build(new FloatOpSet(kernels));
      expectCausalGolden(model, f, folder);
      model.dispose();
    });
  }

  it('Qwen2 without its biases, and an untied Llama without lm_head, are FormatErrors naming the tensor', () => {
    const qwen = hfFixture('qwen2-tiny-hot');
    const noBias = editedTensors(qwen, ['model.layers.0.self_attn.k_proj.bias']);
    expect(() => llamaBuilder(qwen.config, noBias, qwen.source, 'qwen2')).toThrow(FormatError);
    expect(() => llamaBuilder(qwen.config, noBias, qwen.source, 'qwen2')).toThrow(
      /model.layers.0.self_attn.k_proj.bias/,
    );
    const llama = hfFixture('llama-tiny-hot');
    const noHead = editedTensors(llama, ['lm_head.weight']);
    expect(() => llamaBuilder(llama.config, noHead, llama.source)).toThrow(/missing tensor "lm_head.weight"/);
  });
});
