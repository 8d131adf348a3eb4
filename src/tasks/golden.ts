// Checking a float model against a golden file (the format of the hf-tiny fixtures, which users can write
// from PyTorch): for each case, the max absolute difference of the logits and of the last hidden state
// from the reference, against the file's tolerance. It is how a user sees that a checkpoint loads right.
import { FormatError } from '../errors.js';
import { argmax } from '../metrics/evaluate.js';
import type { CausalLM, ImageClassifier, SequenceClassifier, SequenceEncoder } from '../models/interfaces.js';

export type GoldenModel =
  | { readonly task: 'causal-lm'; readonly model: CausalLM }
  | { readonly task: 'sequence-classifier'; readonly model: SequenceClassifier }
  | { readonly task: 'sequence-encoder'; readonly model: SequenceEncoder }
  | { readonly task: 'image-classifier'; readonly model: ImageClassifier };

export interface GoldenCaseResult {
  readonly name: string;
  /** max |logits - golden| (undefined when the case or the model has none). */
  readonly logits: number | undefined;
  readonly hidden: number | undefined;
  /** Greedy tokens equal to the golden's (causal LMs with a `greedy` entry). */
  readonly greedy: boolean | undefined;
  readonly pass: boolean;
}

export interface GoldenReport {
  readonly tolerance: { readonly logits: number; readonly hidden: number };
  readonly cases: readonly GoldenCaseResult[];
  readonly pass: boolean;
}

type Json = Record<string, unknown>;

/** The innermost row of a batch-of-one input ([[...]] -> [...]). */
function row(file: string, value: unknown, field: string): number[] {
  const inner = Array.isArray(value) && Array.isArray(value[0]) ? value[0] : value;
  if (!Array.isArray(inner) || !inner.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new FormatError(file, `field "${field}" must be a list of numbers (batch of one)`);
  }
  return inner as number[];
}

function maxAbsDiff(file: string, field: string, actual: ArrayLike<number>, expected: unknown): number {
  const flat = (Array.isArray(expected) ? expected.flat(Infinity) : []) as unknown[];
  if (flat.length !== actual.length || !flat.every((v) => typeof v === 'number')) {
    throw new FormatError(file, `field "${field}" has ${flat.length} numbers; the model gave ${actual.length}`);
  }
  let max = 0;
  for (let i = 0; i < flat.length; i++) max = Math.max(max, Math.abs((actual[i] as number) - (flat[i] as number)));
  return max;
}

function tolerance(file: string, golden: Json): GoldenReport['tolerance'] {
  const t = (golden.tolerance as Json | undefined)?.suggested_atol as Json | undefined;
  const value = (key: string) => {
    const v = t?.[key];
    if (typeof v !== 'number' || !(v > 0))
      throw new FormatError(file, `field "tolerance.suggested_atol.${key}" must be a positive number`);
    return v;
  };
  return { logits: value('logits'), hidden: value('last_hidden_state') };
}

/** Runs every case of the golden file (parsed JSON) on the model. */
export function checkGolden(target: GoldenModel, golden: unknown, file: string): GoldenReport {
  if (typeof golden !== 'object' || golden === null || !Array.isArray((golden as Json).cases)) {
    throw new FormatError(file, 'must be a JSON object with a "cases" list');
  }
  const tol = tolerance(file, golden as Json);
  const cases = ((golden as Json).cases as Json[]).map((c, i): GoldenCaseResult => {
    const name = typeof c.name === 'string' ? c.name : `case ${i}`;
    const { logits, hidden, greedy } = runGoldenCase(target, c, file);
    const diffs = {
      logits: c.logits === undefined || !logits ? undefined : maxAbsDiff(file, `${name}.logits`, logits, c.logits),
      hidden:
        c.last_hidden_state === undefined || !hidden
          ? undefined
          : maxAbsDiff(file, `${name}.last_hidden_state`, hidden, c.last_hidden_state),
    };
    const pass = (diffs.logits ?? 0) <= tol.logits && (diffs.hidden ?? 0) <= tol.hidden && greedy !== false;
    return { name, ...diffs, greedy, pass };
  });
  return { tolerance: tol, cases, pass: cases.every((c) => c.pass) };
}

/** The model's logits and last hidden state on one golden case (and whether its greedy tokens match). */
export function runGoldenCase(
  target: GoldenModel,
  c: Json,
  file: string,
): { logits: Float32Array | undefined; hidden: Float32Array | undefined; greedy: boolean | undefined } {
  const copy = (a: Float32Array | undefined) => (a ? Float32Array.from(a) : undefined);
  if (target.task === 'image-classifier') {
    const pixels = Uint8Array.from((c.image_uint8_hwc as unknown[] | undefined)?.flat(Infinity) as number[]);
    const logits = copy(target.model.forward(pixels));
    return { logits, hidden: copy(target.model.lastHiddenState?.()), greedy: undefined };
  }
  const ids = row(file, c.input_ids, 'input_ids');
  if (target.task === 'causal-lm') {
    const model = target.model;
    model.reset();
    const logits = copy(model.forward(ids, 0));
    const hidden = copy(model.lastHiddenState?.());
    const expected = (c.greedy as Json | undefined)?.new_tokens as number[] | undefined;
    let greedy: boolean | undefined;
    if (expected) {
      // Decode from the prompt with the KV cache, one token at a time, taking the argmax.
      let last = model.forward(ids, 0).subarray((ids.length - 1) * model.vocabSize);
      const tokens: number[] = [];
      for (let step = 0; step < expected.length && ids.length + step < model.contextLength; step++) {
        const next = argmax(last);
        tokens.push(next);
        last = model.forward([next], ids.length + step);
      }
      greedy = tokens.length === expected.length && tokens.every((t, i) => t === expected[i]);
    }
    return { logits, hidden, greedy };
  }
  const mask = c.attention_mask === undefined ? undefined : row(file, c.attention_mask, 'attention_mask');
  const types = c.token_type_ids === undefined ? undefined : row(file, c.token_type_ids, 'token_type_ids');
  if (target.task === 'sequence-classifier') {
    const logits = copy(target.model.forward(ids, mask, types));
    return { logits, hidden: copy(target.model.lastHiddenState?.()), greedy: undefined };
  }
  return { logits: undefined, hidden: copy(target.model.forward(ids, mask, types)), greedy: undefined };
}
