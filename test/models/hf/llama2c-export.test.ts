// A real pretrained model through the Hugging Face path: stories260K re-laid as a LlamaForCausalLM folder's
// tensors (q/k rows permuted from llama2.c's interleaved RoPE pairs to HF's halves) and run by the HF Llama
// model gives the llama2.c model's logits, perplexity, greedy text and spiking perplexity.
import { readFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import { Kernels, perplexity } from '../../../src/index.js';
import { loadLlama2c, loadTokenizer } from '../../../src/node.js';
import { HfConfig } from '../../../src/io/hf/config.js';
import type { Llama2cCheckpoint } from '../../../src/io/llama2c.js';
import { llama2cToHf } from '../../../src/io/llama2c-to-hf.js';
import type { SafetensorsTensor } from '../../../src/io/safetensors.js';
import type { Llama2cTokenizer } from '../../../src/io/tokenizer.js';
import { llamaBuilder } from '../../../src/models/llama.js';
import { llama2cBuilder, llama2cTextTokenizer } from '../../../src/models/llama2c.js';
import { FloatOpSet } from '../../../src/ops/float-opset.js';
import { generate } from '../../../src/tasks/generate.js';
import { evaluateCausalLM, splitParagraphs } from '../../../src/tasks/language-model.js';
import { describeFixtures, fixture } from '../../helpers/fixtures.js';

describeFixtures('stories260K exported to the Hugging Face Llama layout', () => {
  let kernels: Kernels;
  let checkpoint: Llama2cCheckpoint;
  let tokenizer: Llama2cTokenizer;
  let text: string;
  let hf: ReturnType<typeof llamaBuilder>;
  beforeAll(async () => {
    kernels = await Kernels.load();
    checkpoint = await loadLlama2c(fixture('llama2c', 'stories260K.bin'));
    tokenizer = await loadTokenizer(fixture('llama2c', 'tok512.bin'), checkpoint.config.vocabSize);
    text = await readFile(fixture('text', 'tinystories_valid_part1.txt'), 'utf8');
    const { config, tensors } = llama2cToHf(checkpoint);
    const map = new Map<string, SafetensorsTensor>(tensors.map((t) => [t.name, t]));
    hf = llamaBuilder(HfConfig.parse(new TextEncoder().encode(JSON.stringify(config))), map, 'stories260K (HF layout)');
  });

  it('gives the llama2.c logits, perplexity and greedy text', async () => {
    const ops = new FloatOpSet(kernels);
    const reference = llama2cBuilder(checkpoint).build(ops);
    const model = hf.build(ops);
    const ids = tokenizer.encode('Once upon a time, there was a little girl named Lily.', { bos: true });
    const a = reference.forward(ids, 0);
    const b = model.forward(ids, 0);
    const maxDiff = Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))));
    console.log(`HF path vs llama2.c path: max |logit diff| ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-5);
    const paragraphs = splitParagraphs(text)
      .slice(0, 300)
      .map((p) => tokenizer.encode(p, { bos: true }));
    const result = perplexity(model, paragraphs);
    console.log(`HF path perplexity ${result.perplexity.toFixed(4)} over ${result.tokens} tokens`);
    expect(result.tokens).toBe(29256);
    expect(result.perplexity).toBeCloseTo(4.2008, 4);
    const runc = (await readFile(fixture('llama2c', 'greedy_t0_runc.txt'), 'utf8')).split(
      'achieved tok/s',
    )[0] as string;
    const { text: greedy } = generate(model, llama2cTextTokenizer(tokenizer), { steps: 256 });
    expect(greedy.startsWith(runc.trimEnd())).toBe(true);
  }, 120_000);

  it('converted at T = 16, its spiking perplexity equals the llama2.c path on a sample', () => {
    const options = { spiking: { T: 16 }, evaluate: 12, skipFloat: true };
    const textTokenizer = llama2cTextTokenizer(tokenizer);
    const viaHf = evaluateCausalLM(kernels, hf, textTokenizer, text, options).spiking.perplexity;
    const viaLlama2c = evaluateCausalLM(kernels, llama2cBuilder(checkpoint), textTokenizer, text, options).spiking
      .perplexity;
    console.log(
      `spiking perplexity, 12 paragraphs: HF path ${viaHf.toFixed(5)}, llama2.c path ${viaLlama2c.toFixed(5)}`,
    );
    expect(Math.abs(viaHf / viaLlama2c - 1)).toBeLessThan(1e-3);
  }, 120_000);
});
