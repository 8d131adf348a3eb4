// What the tokenizer takes from the model's config.json: its model_type and bos/eos/pad token ids.
import { HfConfig } from './config.js';
import { isIndex, type TokenizerFile } from './tokenizer-read.js';

/** config.json's model_type and bos/eos/pad token ids (their range unchecked). */
export interface ModelConfigHints {
  readonly modelType: string | undefined;
  readonly tokenIds: Readonly<Partial<Record<'bos' | 'eos' | 'pad', number>>>;
}

/** config.json's model_type and `<role>_token_id` fields (an id, or a list of ids whose first is taken). */
export function parseModelConfigHints(config: TokenizerFile | undefined): ModelConfigHints {
  if (config === undefined) return { modelType: undefined, tokenIds: {} };
  const parsed = HfConfig.parse(config.bytes, config.name);
  const tokenIds: Partial<Record<'bos' | 'eos' | 'pad', number>> = {};
  for (const role of ['bos', 'eos', 'pad'] as const) {
    const field = `${role}_token_id`;
    const value = parsed.raw(field);
    if (value === undefined) continue;
    const id = Array.isArray(value) ? (value[0] as unknown) : value;
    if (!isIndex(id)) throw parsed.error(field, 'a token id or a list of token ids', value);
    tokenIds[role] = id;
  }
  return { modelType: parsed.modelType, tokenIds };
}
