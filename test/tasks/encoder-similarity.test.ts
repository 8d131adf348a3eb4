// The encoder task: sentences and paragraphs as rows, the cosine, and the similarity of float and spiking pooled
// embeddings on bert-tiny-cls-hot loaded as a BertModel (its config's architectures patched, a vocab.txt beside it).
import { describe, expect, it } from 'vitest';
import { hfTokenizer } from '../../src/io/hf/tokenizer.js';
import { Kernels } from '../../src/kernels/index.js';
import type { SequenceEncoder } from '../../src/models/interfaces.js';
import { recogniseArchitecture, type SequenceEncoderEntry } from '../../src/models/registry.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { OP_FAMILIES } from '../../src/ops/instrumentation.js';
import {
  cosineSimilarity,
  evaluateEncoderSimilarity,
  paragraphRows,
  sentenceRows,
} from '../../src/tasks/encoder-similarity.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';
import { BERT_VOCAB_TXT, fixtureFiles, labelledSentences, quickNeurons } from './helpers.js';

describe('encoder rows and the cosine', () => {
  it('numbers sentences and paragraphs by their (first) line', () => {
    expect(sentenceRows('a b\n\n c \r\n', 's.txt').rows).toEqual([
      { line: 1, text: 'a b' },
      { line: 3, text: 'c' },
    ]);
    expect(paragraphRows('\none\ntwo\n\n\nthree\n', 'p.txt').rows).toEqual([
      { line: 2, text: 'one\ntwo' },
      { line: 6, text: 'three' },
    ]);
    expect(formatError(() => sentenceRows(' \n', 's.txt')).message).toBe('s.txt: has no sentences');
  });

  it('computes the cosine in float64', () => {
    expect(cosineSimilarity([1, 0], [0, 2])).toBe(0);
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 15);
    expect(cosineSimilarity([1, 1], [-1, -1])).toBeCloseTo(-1, 15);
    expect(cosineSimilarity([0, 0], [0, 0])).toBe(1);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });
});

describeFixtures('evaluateEncoderSimilarity on a BertModel folder', () => {
  const setup = (async () => {
    const kernels = await Kernels.load();
    const files = await fixtureFiles('bert-tiny-cls-hot', { 'vocab.txt': BERT_VOCAB_TXT }, (config) => {
      config.architectures = ['BertModel'];
    });
    const entry = recogniseArchitecture(files) as SequenceEncoderEntry;
    return { kernels, entry, files, tokenizer: hfTokenizer(files, 'bert-encoder') };
  })();
  const set = { file: 's.txt', rows: labelledSentences(12).map((s, i) => ({ line: i + 1, text: s.text })) };

  it('is 1 for every sentence when every op family is left float', async () => {
    const { kernels, entry, files, tokenizer } = await setup;
    expect(entry.name).toBe('bert-encoder');
    const spiking = { T: 8, spiking: Object.fromEntries(OP_FAMILIES.map((f) => [f, false])) };
    const result = evaluateEncoderSimilarity(kernels, entry.load(files).builder, set, {
      spiking,
      neurons: quickNeurons(kernels),
      calibrate: 3,
      tokenizer,
    });
    expect(result.similarity.count).toBe(12);
    for (const c of result.similarity.cosines) expect(c).toBeCloseTo(1, 6);
  });

  it('reports the mean and the least similar line of the spiking embeddings', async () => {
    const { kernels, entry, files, tokenizer } = await setup;
    const options = { spiking: { T: 8 }, neurons: quickNeurons(kernels), calibrate: 3, tokenizer, evaluate: 10 };
    const { similarity, energy } = evaluateEncoderSimilarity(kernels, entry.load(files).builder, set, options);
    expect(similarity.count).toBe(10);
    const cosines = Array.from(similarity.cosines);
    expect(similarity.meanCosine).toBeCloseTo(cosines.reduce((a, b) => a + b, 0) / 10, 12);
    expect(similarity.minCosine).toBe(Math.min(...cosines));
    expect(similarity.minLine).toBe(cosines.indexOf(similarity.minCosine) + 1);
    expect(similarity.minCosine).toBeGreaterThan(0.9);
    expect(similarity.meanCosine).toBeLessThan(1);
    expect(energy.totals.sops).toBeGreaterThan(0);

    // the reference is the float model's pooled() on the same tokens
    const model = entry.load(files).builder.build(new FloatOpSet(kernels)) as SequenceEncoder;
    model.forward(tokenizer.encode(set.rows[0]!.text));
    expect(model.pooled().length).toBe(64);
  });
});
