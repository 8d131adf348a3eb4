// Evaluation loops: perplexity of a language model over paragraphs (each scored from BOS in one causal
// pass), top-1 accuracy of an image classifier. Both work on the model interfaces, whatever the architecture.
import type { CausalLM, ImageClassifier } from '../models/interfaces.js';

export type Progress = (done: number, total: number) => void;

export interface PerplexityResult {
  readonly perplexity: number;
  /** Tokens scored (every token after BOS). */
  readonly tokens: number;
  /** Sum of -log p over the scored tokens, nats. */
  readonly nll: number;
}

/** The index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if ((values[j] as number) > (values[best] as number)) best = j;
  return best;
}

/** -log softmax(logits)[target] for one row, in float64. */
export function negativeLogLikelihood(logits: Float32Array, target: number): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  return -((logits[target] as number) - max - Math.log(sum));
}

/** Perplexity over paragraphs given as token ids that start with BOS; each is one causal pass from position 0. */
export function perplexity(
  model: CausalLM,
  paragraphs: readonly (readonly number[])[],
  onProgress?: Progress,
): PerplexityResult {
  const V = model.vocabSize;
  let nll = 0;
  let tokens = 0;
  paragraphs.forEach((ids, p) => {
    const scored = Math.min(ids.length, model.contextLength) - 1;
    if (scored < 1) return;
    const logits = model.forward(ids.slice(0, scored), 0); // (scored, V): row i predicts token i + 1
    for (let i = 0; i < scored; i++)
      nll += negativeLogLikelihood(logits.subarray(i * V, (i + 1) * V), ids[i + 1] as number);
    tokens += scored;
    onProgress?.(p + 1, paragraphs.length);
  });
  return { perplexity: Math.exp(nll / tokens), tokens, nll };
}

export interface AccuracyResult {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
  /** (total) predicted class of each image */
  readonly predictions: Uint8Array;
}

/** Top-1 accuracy over `count` images (count, pixels per image) with their labels. */
export function accuracy(
  model: ImageClassifier,
  images: Uint8Array,
  labels: Uint8Array | Uint16Array,
  count: number,
  onProgress?: Progress,
): AccuracyResult {
  const size = images.length / labels.length;
  const predictions = new Uint8Array(count);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const best = argmax(model.forward(images.subarray(i * size, (i + 1) * size)));
    predictions[i] = best;
    if (best === labels[i]) correct++;
    onProgress?.(i + 1, count);
  }
  return { correct, total: count, accuracy: correct / count, predictions };
}
