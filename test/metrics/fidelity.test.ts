// fidelity(): KL divergence, top-1 agreement and perplexity of two causal LMs on the same sequences, against an
// independent float64 computation on toy models whose logits are a fixed function of the last token.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { fidelity } from '../../src/metrics/fidelity.js';
import type { CausalLM } from '../../src/models/interfaces.js';
import { seededRandom } from '../../src/random.js';

const V = 7;

/** A causal LM whose next-token logits are table[last token] (no state; rows reused as a real model's are). */
function toyModel(table: Float32Array[]): CausalLM {
  const out = new Float32Array(64 * V);
  return {
    vocabSize: V,
    contextLength: 64,
    forward(tokens) {
      for (let i = 0; i < tokens.length; i++) out.set(table[tokens[i] as number]!, i * V);
      return out.subarray(0, tokens.length * V);
    },
    reset: () => undefined,
    dispose: () => undefined,
  };
}

function randomTable(seed: number, scale: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: V }, () => Float32Array.from({ length: V }, () => scale * (random() - 0.5)));
}

/** float64 log softmax, written out independently of the code under test. */
const logProbs = (row: Float32Array) => {
  const z = Math.log([...row].reduce((s, v) => s + Math.exp(v), 0));
  return [...row].map((v) => v - z);
};

describe('fidelity', () => {
  const sequences = [
    [0, 3, 1, 6, 2],
    [5, 5, 4],
    [2, 0],
  ];

  it('matches a float64 reference: mean and max KL, top-1 agreement, both perplexities', () => {
    const a = randomTable(1, 6);
    const b = randomTable(1, 6).map((row, i) => row.map((v, j) => v + 3 * Math.sin(i + 3 * j)));
    const result = fidelity(toyModel(a), toyModel(b), sequences);
    let [kl, maxKl, agree, nllA, nllB, n] = [0, 0, 0, 0, 0, 0];
    for (const ids of sequences) {
      for (let i = 0; i + 1 < ids.length; i++) {
        const p = logProbs(a[ids[i]!]!);
        const q = logProbs(b[ids[i]!]!);
        const k = p.reduce((s, lp, j) => s + Math.exp(lp) * (lp - q[j]!), 0);
        kl += k;
        maxKl = Math.max(maxKl, k);
        if (p.indexOf(Math.max(...p)) === q.indexOf(Math.max(...q))) agree++;
        nllA -= p[ids[i + 1]!]!;
        nllB -= q[ids[i + 1]!]!;
        n++;
      }
    }
    console.log(`toy fidelity: mean KL ${result.meanKl.toExponential(3)}, agreement ${result.top1Agreement}`);
    expect(result.positions).toBe(n);
    expect(result.meanKl).toBeCloseTo(kl / n, 12);
    expect(result.maxKl).toBeCloseTo(maxKl, 12);
    expect(result.top1Agreement).toBe(agree / n);
    expect(result.reference.perplexity).toBeCloseTo(Math.exp(nllA / n), 10);
    expect(result.candidate.perplexity).toBeCloseTo(Math.exp(nllB / n), 10);
    expect(result.meanKl).toBeGreaterThan(0);
    expect(result.top1Agreement).toBeGreaterThan(0);
    expect(result.top1Agreement).toBeLessThan(1); // the pair disagrees somewhere: the count is tested
  });

  it('a model against itself: KL 0, full agreement, equal perplexities', () => {
    const a = randomTable(2, 4);
    const result = fidelity(toyModel(a), toyModel(a), sequences);
    expect(result.meanKl).toBe(0);
    expect(result.top1Agreement).toBe(1);
    expect(result.candidate.perplexity).toBe(result.reference.perplexity);
  });

  it('rejects models of different vocabularies and sequences with nothing to score', () => {
    const a = toyModel(randomTable(3, 1));
    expect(() => fidelity(a, { ...a, vocabSize: V + 1 }, sequences)).toThrow(InvalidArgumentError);
    expect(() => fidelity(a, a, [[1]])).toThrow(/at least two tokens/);
  });
});
