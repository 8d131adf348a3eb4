// How closely one causal LM follows another on the same token sequences, position by position: the KL divergence
// of their next-token distributions, how often their most likely next tokens agree, and the perplexity of each.
// A measure that needs no dataset: run on samples of the reference model, it says what a conversion lost.
import { InvalidArgumentError } from '../errors.js';
import type { CausalLM } from '../models/interfaces.js';
import { argmax, type PerplexityResult, type Progress } from './evaluate.js';

export interface FidelityResult {
  /** Positions compared (every token after the first of each sequence, as perplexity scores them). */
  readonly positions: number;
  /** Mean KL(reference || candidate) of the next-token distributions, nats. */
  readonly meanKl: number;
  /** The largest KL at any position, nats. */
  readonly maxKl: number;
  /** Fraction of positions where the two models' most likely next tokens are the same. */
  readonly top1Agreement: number;
  readonly reference: PerplexityResult;
  readonly candidate: PerplexityResult;
}

/** log softmax of one row of logits into `out`, in float64. */
export function logSoftmax(logits: Float32Array, out: Float64Array): void {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const logSum = max + Math.log(sum);
  for (let j = 0; j < logits.length; j++) out[j] = (logits[j] as number) - logSum;
}

/** The reference and the candidate over the same sequences (each one causal pass from position 0). */
export function fidelity(
  reference: CausalLM,
  candidate: CausalLM,
  sequences: readonly (readonly number[])[],
  onProgress?: Progress,
): FidelityResult {
  const V = reference.vocabSize;
  if (candidate.vocabSize !== V) {
    throw new InvalidArgumentError(`the models' vocabularies differ: ${V} and ${candidate.vocabSize}`);
  }
  const p = new Float64Array(V); // (V) log-probabilities of the reference at one position
  const q = new Float64Array(V); // (V) the candidate's
  let [positions, agree, klSum, maxKl, nllReference, nllCandidate] = [0, 0, 0, 0, 0, 0];
  sequences.forEach((ids, s) => {
    const scored = Math.min(ids.length, reference.contextLength, candidate.contextLength) - 1;
    if (scored < 1) return;
    const inputs = ids.slice(0, scored);
    reference.reset();
    const referenceLogits = reference.forward(inputs, 0).slice(0, scored * V); // (scored, V), copied: views are reused
    candidate.reset();
    const candidateLogits = candidate.forward(inputs, 0); // (scored, V): row i predicts token i + 1
    for (let i = 0; i < scored; i++) {
      const r = referenceLogits.subarray(i * V, (i + 1) * V);
      const c = candidateLogits.subarray(i * V, (i + 1) * V);
      logSoftmax(r, p);
      logSoftmax(c, q);
      let kl = 0;
      for (let j = 0; j < V; j++) {
        const pj = p[j] as number;
        kl += Math.exp(pj) * (pj - (q[j] as number));
      }
      klSum += kl;
      maxKl = Math.max(maxKl, kl);
      if (argmax(r) === argmax(c)) agree++;
      const target = ids[i + 1] as number;
      nllReference -= p[target] as number;
      nllCandidate -= q[target] as number;
    }
    positions += scored;
    onProgress?.(s + 1, sequences.length);
  });
  if (positions === 0) throw new InvalidArgumentError('fidelity needs a sequence of at least two tokens');
  const result = (nll: number): PerplexityResult => ({ perplexity: Math.exp(nll / positions), tokens: positions, nll });
  return {
    positions,
    meanKl: klSum / positions,
    maxKl,
    top1Agreement: agree / positions,
    reference: result(nllReference),
    candidate: result(nllCandidate),
  };
}
