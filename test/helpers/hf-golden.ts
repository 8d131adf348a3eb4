// The hf-tiny fixtures' goldens (../shared/fixtures/hf-tiny/README.md): a folder's config, tensors and
// golden cases, and the max absolute difference of a float32 result from a float64 golden.
import { readFileSync } from 'node:fs';
import { HfConfig } from '../../src/io/hf/config.js';
import { parseSafetensors, type SafetensorsTensor } from '../../src/io/safetensors.js';
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
