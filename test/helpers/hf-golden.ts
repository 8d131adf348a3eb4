// The hf-tiny fixtures' goldens (../shared/fixtures/hf-tiny/README.md): a folder's config, tensors and
// golden cases, and the max absolute difference of a float32 result from a float64 golden.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { HfConfig } from '../../src/io/hf/config.js';
import { parseSafetensors, type SafetensorsTensor } from '../../src/io/safetensors.js';
import type { CausalLM } from '../../src/models/interfaces.js';
import { generate } from '../../src/tasks/generate.js';
import { fixture } from './fixtures.js';

export interface GoldenCase {
  readonly name: string;
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  readonly token_type_ids?: number[][];
  readonly pixel_values?: number[][][][];
  readonly image_uint8_hwc?: number[][][];
  readonly logits: unknown;
  readonly last_hidden_state: unknown;
  readonly greedy?: { readonly new_tokens: number[] };
}

export interface Golden {
  readonly tolerance: { readonly suggested_atol: { readonly logits: number; readonly last_hidden_state: number } };
  readonly cases: readonly GoldenCase[];
}

export interface HfFixture {
  readonly config: HfConfig;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  readonly golden: Golden;
  readonly source: string;
}

/** An hf-tiny folder; `weights` picks another safetensors file of it (a variant). */
export function hfFixture(folder: string, weights = 'model.safetensors'): HfFixture {
  const path = (name: string) => fixture('hf-tiny', folder, name);
  const source = path(weights);
  return {
    config: HfConfig.parse(readFileSync(path('config.json')), path('config.json')),
    tensors: parseSafetensors(readFileSync(source), source).tensors,
    golden: JSON.parse(readFileSync(path('golden.json'), 'utf8')) as Golden,
    source,
  };
}

/** max |actual - expected| over a nested float64 array flattened row-major. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: unknown): number {
  const flat = (expected as unknown[]).flat(Infinity) as number[];
  if (flat.length !== actual.length) throw new Error(`golden has ${flat.length} values, result ${actual.length}`);
  let max = 0;
  for (let i = 0; i < flat.length; i++) max = Math.max(max, Math.abs((actual[i] as number) - (flat[i] as number)));
  return max;
}

/** The folder's config.json with fields changed. */
export function editedConfig(f: HfFixture, folder: string, changes: Record<string, unknown>): HfConfig {
  const json = JSON.parse(readFileSync(fixture('hf-tiny', folder, 'config.json'), 'utf8')) as object;
  return HfConfig.parse(new TextEncoder().encode(JSON.stringify({ ...json, ...changes })), f.config.file);
}

/** The fixture's tensors with some removed and some replaced by another tensor of the file. */
export function editedTensors(
  f: HfFixture,
  remove: readonly string[],
  replace: Readonly<Record<string, string>> = {},
): Map<string, SafetensorsTensor> {
  const tensors = new Map(f.tensors);
  for (const name of remove) tensors.delete(name);
  for (const [name, from] of Object.entries(replace)) tensors.set(name, f.tensors.get(from)!);
  return tensors;
}

/** Every case of a causal LM's golden: logits and hidden state within tolerance, the greedy tokens equal. */
export function expectCausalGolden(model: CausalLM, f: HfFixture, label: string): void {
  const atol = f.golden.tolerance.suggested_atol;
  for (const c of f.golden.cases) {
    const ids = c.input_ids[0] as number[];
    model.reset();
    const logits = maxAbsDiff(model.forward(ids, 0), c.logits);
    const hidden = maxAbsDiff(model.lastHiddenState!(), c.last_hidden_state);
    console.log(
      `${label} ${c.name}: max |logits - golden| ${logits.toExponential(2)}, hidden ${hidden.toExponential(2)}`,
    );
    expect(logits).toBeLessThanOrEqual(atol.logits);
    expect(hidden).toBeLessThanOrEqual(atol.last_hidden_state);
    // Greedy decoding with the KV cache, one token at a time after the prompt.
    const steps = ids.length - 1 + (c.greedy?.new_tokens.length ?? 0);
    const tokenizer = { encode: () => ids, decode: () => '', stopTokens: [] };
    const { tokens } = generate(model, tokenizer, { prompt: ids, steps });
    expect(tokens.slice(ids.length - 1)).toEqual(c.greedy?.new_tokens);
  }
}
