// sampleSequences(): seeded, stops at a stop token or maxTokens, never returns an excluded or repeated sequence,
// and follows the model's distribution (a toy model whose next token is nearly certain).
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import type { CausalLM } from '../../src/models/interfaces.js';
import { sampleSequences } from '../../src/tasks/self-samples.js';

const V = 5;

/** Next-token logits are a function of the last token and its position; counts forward calls. */
function toyModel(logits: (token: number, position: number) => number[]) {
  const out = new Float32Array(32 * V);
  const model: CausalLM & { calls: number } = {
    calls: 0,
    vocabSize: V,
    contextLength: 32,
    forward(tokens, startPos) {
      model.calls++;
      for (let i = 0; i < tokens.length; i++) out.set(logits(tokens[i] as number, startPos + i), i * V);
      return out.subarray(0, tokens.length * V);
    },
    reset: () => undefined,
    dispose: () => undefined,
  };
  return model;
}

const uniform = () => [0, 0, 0, 0, 0];

describe('sampleSequences', () => {
  it('is deterministic for a seed, and another seed draws other sequences', () => {
    const model = toyModel(uniform);
    const a = sampleSequences(model, [1], { count: 4, maxTokens: 8, seed: 1 });
    expect(sampleSequences(model, [1], { count: 4, maxTokens: 8, seed: 1 })).toEqual(a);
    expect(sampleSequences(model, [1], { count: 4, maxTokens: 8, seed: 2 })).not.toEqual(a);
    for (const ids of a) {
      expect(ids[0]).toBe(1);
      expect(ids).toHaveLength(8); // no stop token: maxTokens each
    }
  });

  it('follows a near-certain distribution and ends at a stop token, which it does not keep', () => {
    // token t is followed by t + 1 (logit 30 against 0); 4 is the stop token
    const model = toyModel((t) => Array.from({ length: V }, (_, j) => (j === (t + 1) % V ? 30 : 0)));
    const [ids] = sampleSequences(model, [0], { count: 1, maxTokens: 10, seed: 3, stopTokens: [4] });
    expect(ids).toEqual([0, 1, 2, 3]);
  });

  it('never returns an excluded sequence or one twice, and says when it cannot draw enough', () => {
    // two possible sequences only: [0, 1] and [0, 2]
    const model = toyModel((t, p) => (p === 0 ? [-99, 0, 0, -99, -99] : [-99, -99, -99, 0, -99]));
    const one = sampleSequences(model, [0], { count: 1, maxTokens: 2, seed: 1 });
    const other = sampleSequences(model, [0], { count: 1, maxTokens: 2, seed: 1, exclude: one });
    expect(other).not.toEqual(one);
    expect([...one, ...other].map((s) => s.join(' ')).sort()).toEqual(['0 1', '0 2']);
    expect(() => sampleSequences(model, [0], { count: 3, maxTokens: 2, seed: 1 })).toThrow(
      /only 2 of 3 samples could be drawn/,
    );
  });

  it('rejects bad options with InvalidArgumentError', () => {
    const model = toyModel(uniform);
    const bad = [
      () => sampleSequences(model, [], { count: 1, maxTokens: 4, seed: 1 }),
      () => sampleSequences(model, [1], { count: 0, maxTokens: 4, seed: 1 }),
      () => sampleSequences(model, [1], { count: 1, maxTokens: 1, seed: 1 }),
      () => sampleSequences(model, [1], { count: 1, maxTokens: 33, seed: 1 }),
      () => sampleSequences(model, [1], { count: 1, maxTokens: 4, seed: 1, temperature: 0 }),
    ];
    for (const f of bad) expect(f).toThrow(InvalidArgumentError);
  });
});
