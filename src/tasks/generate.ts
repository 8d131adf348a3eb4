// run.c's generation loop over any causal language model: feed one token at a time with the KV cache, take
// the prompt's next token while there is one, then the argmax (temperature 0) or a sample; a stop token ends it.
import type { CausalLM, TextTokenizer } from '../models/interfaces.js';
import { InvalidArgumentError } from '../errors.js';
import { argmax } from '../metrics/evaluate.js';
import { seededRandom } from '../random.js';

export interface Generation {
  readonly text: string;
  /** Generated token ids (after the prompt's first token). */
  readonly tokens: number[];
  readonly tokensPerSecond: number;
}

export interface GenerateOptions {
  /** Token ids to start from (default: the tokenizer's encoding of the empty text, e.g. BOS alone). */
  readonly prompt?: readonly number[];
  readonly steps: number;
  /** 0 (default) is greedy. */
  readonly temperature?: number;
  readonly seed?: number;
  /** Called with each new token and the text so far. */
  readonly onToken?: (token: number, text: string) => void;
}

export function generate(model: CausalLM, tokenizer: TextTokenizer, options: GenerateOptions): Generation {
  const prompt = options.prompt ?? tokenizer.encode('');
  if (prompt.length === 0) throw new InvalidArgumentError('generation needs a prompt of at least one token');
  const temperature = options.temperature ?? 0;
  const random = seededRandom(options.seed ?? 1);
  const V = model.vocabSize;
  const steps = Math.min(options.steps, model.contextLength);
  model.reset();
  const tokens: number[] = [];
  const first = prompt[0] as number;
  let token = first;
  const started = performance.now();
  for (let pos = 0; pos < steps; pos++) {
    const logits = model.forward([token], pos);
    let next: number;
    if (pos + 1 < prompt.length) {
      next = prompt[pos + 1] as number;
    } else if (temperature === 0) {
      next = argmax(logits.subarray(0, V));
    } else {
      next = sampleToken(logits.subarray(0, V), temperature, random);
    }
    if (tokenizer.stopTokens.includes(next)) break; // run.c stops at BOS
    tokens.push(next);
    token = next;
    options.onToken?.(next, tokenizer.decode([first, ...tokens]));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    text: tokenizer.decode([first, ...tokens]),
    tokens,
    tokensPerSecond: tokens.length / Math.max(seconds, 1e-9),
  };
}

/** A token drawn from softmax(logits / temperature) (one row of logits). */
export function sampleToken(logits: Float32Array, temperature: number, random: () => number): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const weights = Array.from(logits, (v) => Math.exp((v - max) / temperature));
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < weights.length; j++) {
    r -= weights[j] as number;
    if (r <= 0) return j;
  }
  return weights.length - 1;
}
