// Text a causal LM writes itself, for calibrating and evaluating without a dataset: sequences sampled from the
// model's own next-token distributions (temperature 1 by default), seeded so that every run draws the same ones.
import { InvalidArgumentError } from '../errors.js';
import type { CausalLM } from '../models/interfaces.js';
import { seededRandom } from '../random.js';
import { sampleToken } from './generate.js';

export interface SelfSampleOptions {
  /** Sequences drawn. */
  readonly count: number;
  /** Tokens per sequence at most, the start tokens included (at most the model's context). */
  readonly maxTokens: number;
  readonly seed: number;
  /** Sampling temperature (default 1: the model's own distribution). */
  readonly temperature?: number;
  /** Token ids that end a sequence when drawn (not kept), e.g. llama2.c's BOS. */
  readonly stopTokens?: readonly number[];
  /** Sequences never returned (another set's), so that two sets are disjoint; a draw equal to one is redrawn. */
  readonly exclude?: readonly (readonly number[])[];
  readonly onProgress?: (done: number, total: number) => void;
}

/** Draws beyond `count` before giving up on sequences that end at once or repeat an excluded one. */
const SPARE_DRAWS = 64;

/**
 * `count` sequences, each the start tokens followed by tokens sampled one at a time with the KV cache until a stop
 * token or `maxTokens`. Every sequence has at least one sampled token (so it can be scored).
 */
export function sampleSequences(model: CausalLM, start: readonly number[], options: SelfSampleOptions): number[][] {
  const { count, maxTokens, seed } = options;
  if (start.length === 0) throw new InvalidArgumentError('sampling needs at least one start token (e.g. BOS)');
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`count must be >= 1, got ${count}`);
  if (!Number.isInteger(maxTokens) || maxTokens <= start.length || maxTokens > model.contextLength) {
    throw new InvalidArgumentError(
      `maxTokens must be an integer in (${start.length}, ${model.contextLength}] (after the start tokens, within ` +
        `the context), got ${maxTokens}`,
    );
  }
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0 && temperature <= 100)) {
    throw new InvalidArgumentError(`temperature must be in (0, 100], got ${temperature}`);
  }
  const stop = new Set(options.stopTokens ?? []);
  const excluded = new Set((options.exclude ?? []).map((ids) => ids.join(' ')));
  const random = seededRandom(seed);
  const V = model.vocabSize;
  const sequences: number[][] = [];
  for (let draw = 0; sequences.length < count; draw++) {
    if (draw >= count + SPARE_DRAWS) {
      throw new InvalidArgumentError(
        `only ${sequences.length} of ${count} samples could be drawn in ${draw} draws: the model ends its text at ` +
          'once or repeats the excluded samples',
      );
    }
    model.reset();
    const ids = [...start];
    let logits = model.forward(ids, 0);
    let row = logits.subarray((ids.length - 1) * V, ids.length * V);
    while (ids.length < maxTokens) {
      const next = sampleToken(row, temperature, random);
      if (stop.has(next)) break;
      ids.push(next);
      if (ids.length === maxTokens) break;
      logits = model.forward([next], ids.length - 1);
      row = logits.subarray(0, V);
    }
    const key = ids.join(' ');
    if (ids.length === start.length || excluded.has(key)) continue;
    excluded.add(key); // no sequence twice within a set either
    sequences.push(ids);
    options.onProgress?.(sequences.length, count);
  }
  model.reset();
  return sequences;
}
