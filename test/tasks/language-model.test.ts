// The causal-LM task: token-id files, the sliding-window plan of Hugging Face's perplexity guide and its
// perplexity on gpt2-tiny-hot (equal to the full-context one when a window covers the document; every token
// scored once when stride < window; the guide's own loop as the reference), and the evaluation on id lines.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { Kernels } from '../../src/kernels/index.js';
import { negativeLogLikelihood, perplexity } from '../../src/metrics/evaluate.js';
import type { CausalLM } from '../../src/models/interfaces.js';
import { recogniseArchitecture, type CausalLMEntry } from '../../src/models/registry.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import {
  checkIdLines,
  evaluateCausalLMIds,
  parseIdLines,
  slidingWindows,
  windowedPerplexity,
} from '../../src/tasks/language-model.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';
import { fixtureFiles, idLines, quickNeurons } from './helpers.js';

describe('token-id files', () => {
  it('reads one sequence a line, skipping blank lines, keeping line numbers', () => {
    expect(parseIdLines('1 2  3\n\n  4\t5 \r\n6\n', 'ids.txt')).toEqual([
      { line: 1, ids: [1, 2, 3] },
      { line: 3, ids: [4, 5] },
      { line: 4, ids: [6] },
    ]);
  });

  it('names the file and line of a malformed id, and of an id outside the vocabulary', () => {
    expect(formatError(() => parseIdLines('1 2\n3 x4\n', 'ids.txt')).message).toBe(
      'ids.txt: line 2: "x4" is not a token id (a non-negative integer)',
    );
    expect(formatError(() => parseIdLines('1 -2\n', 'ids.txt')).message).toMatch(/line 1: "-2" is not a token id/);
    // control bytes are escaped and a long token is cut (found by the fuzzer)
    expect(formatError(() => parseIdLines(`1 \u0000\u001b${'9'.repeat(500)}\n`, 'ids.txt')).message).toMatch(
      /^ids\.txt: line 1: "\\u0000\\u001b9+\.\.\." is not a token id/,
    );
    expect(formatError(() => parseIdLines('\n \n', 'ids.txt')).message).toBe('ids.txt: has no lines of token ids');
    const lines = parseIdLines('1 2\n\n999 1000\n', 'ids.txt');
    expect(formatError(() => checkIdLines(lines, 'ids.txt', 1000)).message).toBe(
      "ids.txt: line 3: token id 1000 is outside the model's vocabulary [0, 1000)",
    );
  });
});

describe('slidingWindows (the perplexity guide)', () => {
  it('with stride < window scores every token after the first exactly once, with window - stride of context', () => {
    for (const [n, window, stride] of [
      [50, 16, 5],
      [64, 16, 8],
      [17, 16, 15],
      [100, 7, 1],
      [10, 32, 16],
    ] as const) {
      const scored = new Array<number>(n).fill(0);
      for (const w of slidingWindows(n, window, stride)) {
        expect(w.end - w.begin).toBeLessThanOrEqual(window);
        for (let t = w.firstTarget; t < w.end; t++) {
          scored[t]!++;
          expect(t - w.begin).toBeGreaterThanOrEqual(Math.min(t, window - stride));
        }
      }
      expect(scored, `${n} ${window} ${stride}`).toEqual([0, ...new Array<number>(n - 1).fill(1)]);
    }
  });

  it('with stride = window leaves each window start unscored, as the guide does', () => {
    const windows = slidingWindows(40, 16, 16);
    expect(windows).toEqual([
      { begin: 0, end: 16, firstTarget: 1 },
      { begin: 16, end: 32, firstTarget: 17 },
      { begin: 32, end: 40, firstTarget: 33 },
    ]);
  });

  it('rejects a window below 2 and a stride outside [1, window]', () => {
    expect(() => slidingWindows(10, 1, 1)).toThrow(InvalidArgumentError);
    expect(() => slidingWindows(10, 8, 0)).toThrow(/stride must be an integer in \[1, window = 8\]/);
    expect(() => slidingWindows(10, 8, 9)).toThrow(InvalidArgumentError);
  });
});

/** Hugging Face's loop, transcribed: labels -100 but for the last trg_len of each window, shifted by one. */
function guideNll(model: CausalLM, ids: readonly number[], maxLength: number, stride: number) {
  const V = model.vocabSize;
  let [nll, count, prevEnd] = [0, 0, 0];
  for (let begin = 0; begin < ids.length; begin += stride) {
    const end = Math.min(begin + maxLength, ids.length);
    const trgLen = end - prevEnd;
    const input = ids.slice(begin, end);
    model.reset();
    const logits = Float32Array.from(model.forward(input, 0));
    for (let j = 1; j < input.length; j++) {
      if (j < input.length - trgLen) continue; // label -100
      nll += negativeLogLikelihood(logits.subarray((j - 1) * V, j * V), input[j] as number);
      count++;
    }
    prevEnd = end;
    if (end === ids.length) break;
  }
  return { nll, count };
}

describeFixtures('sliding-window perplexity on gpt2-tiny-hot', () => {
  const setup = (async () => {
    const kernels = await Kernels.load();
    const files = await fixtureFiles('gpt2-tiny-hot');
    const entry = recogniseArchitecture(files) as CausalLMEntry;
    return { kernels, entry, files, model: entry.load(files).builder.build(new FloatOpSet(kernels)) };
  })();
  const doc = parseIdLines(idLines([50]), 'doc')[0]!.ids;

  it('equals the full-context NLL when a window holds the whole document', async () => {
    const { model } = await setup;
    const full = perplexity(model, [doc]);
    for (const [window, stride] of [
      [64, 32],
      [50, 50],
      [50, 7],
    ] as const) {
      const windowed = windowedPerplexity(model, [doc], { window, stride });
      expect(windowed.windows).toBe(1);
      expect(windowed.tokens).toBe(49);
      expect(windowed.nll).toBeCloseTo(full.nll, 9);
    }
  });

  it('with stride < window scores each of the n - 1 tokens once, as the guide computes it', async () => {
    const { model } = await setup;
    for (const [window, stride] of [
      [16, 5],
      [16, 16],
      [20, 13],
    ] as const) {
      const windowed = windowedPerplexity(model, [doc], { window, stride });
      const guide = guideNll(model, doc, window, stride);
      expect(windowed.tokens).toBe(guide.count);
      if (stride < window) expect(windowed.tokens).toBe(doc.length - 1);
      expect(windowed.nll).toBeCloseTo(guide.nll, 9);
      expect(windowed.perplexity).toBeCloseTo(Math.exp(guide.nll / guide.count), 9);
    }
    expect(() => windowedPerplexity(model, [doc], { window: 65, stride: 8 })).toThrow(/at most the model's context/);
  });

  it('evaluates id lines: the last ones calibrate, the others are scored by float and spiking models', async () => {
    const { kernels, entry, files } = await setup;
    const lines = parseIdLines(idLines([40, 30, 20, 20]), 'ids.txt');
    const neurons = quickNeurons(kernels);
    const options = { spiking: { T: 8 }, neurons, calibrate: 2, slidingWindow: { window: 16, stride: 8 } };
    const result = evaluateCausalLMIds(kernels, entry.load(files).builder, lines, 'ids.txt', options);
    expect(result.sequences).toBe(2);
    const model = entry.load(files).builder.build(new FloatOpSet(kernels));
    const reference = windowedPerplexity(model, [lines[0]!.ids, lines[1]!.ids], options.slidingWindow);
    expect(result.float).toEqual(reference);
    expect(result.spiking.tokens).toBe(39 + 29);
    expect(Math.abs(Math.log(result.spiking.perplexity / reference.perplexity))).toBeLessThan(0.2);
    expect(result.energy.totals.sops).toBeGreaterThan(0);

    // ids outside the vocabulary are found before calibration runs or neurons are fitted
    const bad = parseIdLines(`${idLines([10, 10, 10])}\n1 2 1000`, 'bad.txt');
    const fresh = quickNeurons(kernels);
    const error = formatError(() =>
      evaluateCausalLMIds(kernels, entry.load(files).builder, bad, 'bad.txt', { ...options, neurons: fresh }),
    );
    expect(error.message).toMatch(/^bad\.txt: line 4: token id 1000 is outside/);
    expect(fresh.fits).toEqual([]);
    expect(() =>
      evaluateCausalLMIds(kernels, entry.load(files).builder, bad, 'bad.txt', { ...options, calibrate: 4 }),
    ).toThrow(/bad\.txt has 4 lines/);
  });
});
