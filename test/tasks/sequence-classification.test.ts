// The sequence-classification task: the SST-2 TSV reader (every malformed line a FormatError naming the file and
// line), labels by index or name, the two calibration folds, row preparation, and accuracy on bert-tiny-cls-hot
// with a vocab.txt written beside it: float accuracy as the float model scores the rows, spiking on the same rows.
import { describe, expect, it } from 'vitest';
import { hfTokenizer } from '../../src/io/hf/tokenizer.js';
import { Kernels } from '../../src/kernels/index.js';
import type { SequenceClassifier } from '../../src/models/interfaces.js';
import { recogniseArchitecture, type SequenceClassifierEntry } from '../../src/models/registry.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import {
  evaluateSequenceClassifier,
  labelIndex,
  parseLabelledTsv,
  prepareRows,
  twoFolds,
} from '../../src/tasks/sequence-classification.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';
import { BERT_VOCAB_TXT, fixtureFiles, labelledSentences, quickNeurons, sst2Tsv } from './helpers.js';

describe('parseLabelledTsv', () => {
  it('reads sentence<TAB>label rows, skipping the header and blank lines, with their line numbers', () => {
    const set = parseLabelledTsv('sentence\tlabel\r\nit is good .\t1\r\n\n a dull film \tNEGATIVE\n', 'dev.tsv');
    expect(set).toEqual({
      file: 'dev.tsv',
      rows: [
        { line: 2, text: 'it is good .', label: '1' },
        { line: 4, text: 'a dull film', label: 'NEGATIVE' },
      ],
    });
    // a header only counts on the first line
    expect(parseLabelledTsv('x\t0\nsentence\tlabel\n', 'f').rows[1]).toEqual({
      line: 2,
      text: 'sentence',
      label: 'label',
    });
    expect(parseLabelledTsv('5 6 7\t1\n', 'ids.tsv', { ids: true }).rows).toEqual([
      { line: 1, ids: [5, 6, 7], label: '1' },
    ]);
  });

  it('rejects each malformed line with the file and line', () => {
    const cases: Array<[string, RegExp]> = [
      [
        'sentence\tlabel\ngood\t1\nno label here\n',
        /^dev\.tsv: line 3: expected two tab-separated fields \(sentence<TAB>label\), got 1$/,
      ],
      ['a\t1\nb\t0\textra\n', /^dev\.tsv: line 2: expected two tab-separated fields .*got 3$/],
      ['a\t1\n \t0\n', /^dev\.tsv: line 2: the sentence is empty$/],
      ['a\t1\nb\t \n', /^dev\.tsv: line 2: the label is empty$/],
      ['sentence\tlabel\n\n', /^dev\.tsv: has no rows$/],
    ];
    for (const [text, message] of cases)
      expect(formatError(() => parseLabelledTsv(text, 'dev.tsv')).message).toMatch(message);
    expect(formatError(() => parseLabelledTsv('5 x\t1\n', 'ids.tsv', { ids: true })).message).toMatch(
      /^ids\.tsv: line 1: "x" is not a token id/,
    );
  });
});

describe('labels, folds and rows', () => {
  it('takes an index or a label name (exactly, else ignoring case)', () => {
    const labels = ['NEGATIVE', 'POSITIVE'];
    expect(labelIndex('1', labels, 'f', 1)).toBe(1);
    expect(labelIndex('NEGATIVE', labels, 'f', 1)).toBe(0);
    expect(labelIndex('positive', labels, 'f', 1)).toBe(1);
    expect(formatError(() => labelIndex('2', labels, 'dev.tsv', 7)).message).toBe(
      'dev.tsv: line 7: label "2" is neither an index in [0, 2) nor one of the model\'s labels (NEGATIVE, POSITIVE)',
    );
  });

  it('splits into two folds, each calibrated on rows outside it', () => {
    expect(twoFolds(100, 100, 32)).toEqual([
      { start: 0, end: 50, calibration: 68 },
      { start: 50, end: 100, calibration: 0 },
    ]);
    for (const [available, total, calibrate] of [
      [100, 100, 32],
      [40, 17, 8],
      [9, 8, 4],
    ] as const) {
      for (const fold of twoFolds(available, total, calibrate)) {
        const [a, b] = [fold.calibration, fold.calibration + calibrate];
        expect(b <= fold.start || a >= fold.end, `${available} ${total} ${calibrate}`).toBe(true);
        expect(b).toBeLessThanOrEqual(available);
      }
    }
    expect(() => twoFolds(40, 40, 32)).toThrow(/32 calibration rows per fold need 2 x 32 <= evaluated <= 16 rows/);
    expect(() => twoFolds(40, 1, 1)).toThrow(/evaluate must be between 2 and 40 rows/);
  });

  it('cuts long rows to the context keeping the last token, and names the line of an id outside the vocabulary', () => {
    const set = {
      file: 'ids.tsv',
      rows: [
        { line: 3, ids: [1, 2, 3, 4, 5, 9] },
        { line: 4, ids: [7] },
      ],
    };
    expect(prepareRows(set, { vocabSize: 10, contextLength: 4 }, undefined)).toEqual({
      ids: [[1, 2, 3, 9], [7]],
      truncated: 1,
    });
    expect(formatError(() => prepareRows(set, { vocabSize: 9, contextLength: 8 }, undefined)).message).toBe(
      "ids.tsv: line 3: token id 9 is outside the model's vocabulary [0, 9)",
    );
  });
});

describeFixtures('evaluateSequenceClassifier on bert-tiny-cls-hot', () => {
  const setup = (async () => {
    const kernels = await Kernels.load();
    const files = await fixtureFiles('bert-tiny-cls-hot', { 'vocab.txt': BERT_VOCAB_TXT });
    const entry = recogniseArchitecture(files) as SequenceClassifierEntry;
    const tokenizer = hfTokenizer(files, 'bert-tiny-cls-hot');
    return { kernels, entry, files, tokenizer };
  })();
  const sentences = labelledSentences(16);
  const set = parseLabelledTsv(sst2Tsv(sentences), 'dev.tsv');

  it('scores float and spiking models on the same rows; rows of ids give the same result', async () => {
    const { kernels, entry, files, tokenizer } = await setup;
    const options = { spiking: { T: 8 }, neurons: quickNeurons(kernels), calibrate: 4 };
    const result = evaluateSequenceClassifier(kernels, entry.load(files).builder, set, { ...options, tokenizer });
    expect(result.labels).toEqual(['NEGATIVE', 'POSITIVE']);
    const model = entry.load(files).builder.build(new FloatOpSet(kernels)) as SequenceClassifier;
    const argmax = (l: Float32Array) => (l[1]! > l[0]! ? 1 : 0);
    const floatPredictions = sentences.map((s) => argmax(model.forward(tokenizer.encode(s.text))));
    expect(Array.from(result.float!.predictions)).toEqual(floatPredictions);
    const correct = floatPredictions.filter((p, i) => p === sentences[i]!.label).length;
    expect(result.float).toMatchObject({ correct, total: 16, accuracy: correct / 16 });
    expect(result.spiking.total).toBe(16);
    expect(result.agreement).toBe(
      Array.from(result.spiking.predictions).filter((p, i) => p === floatPredictions[i]).length,
    );
    expect(result.energy.totals.sops).toBeGreaterThan(0);
    expect(result.conversion.report.sites.length).toBeGreaterThan(10);

    const ids = parseLabelledTsv(
      sentences.map((s) => `${tokenizer.encode(s.text).join(' ')}\t${s.label}`).join('\n'),
      'ids.tsv',
      { ids: true },
    );
    const viaIds = evaluateSequenceClassifier(kernels, entry.load(files).builder, ids, options);
    expect(viaIds.spiking).toEqual(result.spiking);
    expect(viaIds.float).toEqual(result.float);
  });

  it('rejects an unknown label before calibration or any neuron fit', async () => {
    const { kernels, entry, files, tokenizer } = await setup;
    const bad = parseLabelledTsv(`${sst2Tsv(sentences)}the cat sat .\tneutral\n`, 'dev.tsv');
    const neurons = quickNeurons(kernels);
    const error = formatError(() =>
      evaluateSequenceClassifier(kernels, entry.load(files).builder, bad, {
        spiking: { T: 8 },
        neurons,
        calibrate: 4,
        tokenizer,
      }),
    );
    expect(error.message).toMatch(/^dev\.tsv: line 18: label "neutral" is neither an index in \[0, 2\)/);
    expect(neurons.fits).toEqual([]);
  });
});
