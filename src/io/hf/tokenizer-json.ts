// tokenizer.json, checked before the tokenizer package sees it: its added_tokens, pipeline parts and model.
import { FormatError } from '../../errors.js';
import { isObject, shown } from './json.js';
import { checkModel } from './tokenizer-model.js';
import { isIndex, MAX_VOCABULARY_BYTES, readJsonObject, type TokenizerFile } from './tokenizer-read.js';

/** A tokenizer.json object as the tokenizer package reads it (its parts checked only as far as described below). */
export interface TokenizerJson {
  readonly added_tokens: readonly AddedTokenJson[];
  readonly normalizer: unknown;
  readonly pre_tokenizer: unknown;
  readonly post_processor: unknown;
  readonly decoder: unknown;
  readonly model: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** One entry of tokenizer.json's added_tokens. */
export interface AddedTokenJson {
  readonly id: number;
  readonly content: string;
  readonly single_word: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly normalized: boolean;
  readonly special: boolean;
}

/** The `added_tokens` list: ids and contents, the flags defaulted as the tokenizers library does. */
export function checkAddedTokens(list: unknown, where: string, file: string): AddedTokenJson[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new FormatError(file, `${where} must be an array`);
  return list.map((entry: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(entry)) throw new FormatError(file, `${at} must be an object with "id" and "content"`);
    const { id, content } = entry;
    if (!isIndex(id)) throw new FormatError(file, `${at}.id must be a non-negative integer; got ${shown(id)}`);
    if (typeof content !== 'string' || content.length === 0) {
      throw new FormatError(file, `${at}.content must be a non-empty string; got ${shown(content)}`);
    }
    const flag = (name: string, fallback: boolean): boolean => {
      const value = entry[name];
      if (value === undefined || value === null) return fallback;
      if (typeof value !== 'boolean') throw new FormatError(file, `${at}.${name} must be true or false`);
      return value;
    };
    const special = flag('special', false);
    return {
      id,
      content,
      single_word: flag('single_word', false),
      lstrip: flag('lstrip', false),
      rstrip: flag('rstrip', false),
      normalized: flag('normalized', !special),
      special,
    };
  });
}

/** A pipeline part (normalizer, pre_tokenizer, post_processor, decoder): null or an object with a string `type`. */
function checkPart(value: unknown, field: string, file: string): unknown {
  if (value === undefined || value === null) return null;
  if (!isObject(value) || typeof value['type'] !== 'string') {
    throw new FormatError(file, `field "${field}" must be null or an object with a string "type"`);
  }
  return value;
}

/**
 * tokenizer.json, checked as far as the tokenizer package needs to load it safely: a JSON object whose `model` is a
 * BPE, WordPiece or Unigram model with a well-typed vocabulary (and merges whose tokens are in it, as the tokenizers
 * library requires), `added_tokens` entries with ids and contents, and pipeline parts that are null or typed objects.
 * What the package then rejects (an unknown normalizer type, a bad pattern) is reported by the loader.
 */
export function parseTokenizerJson(file: TokenizerFile): TokenizerJson {
  const json = readJsonObject(file, MAX_VOCABULARY_BYTES);
  return {
    ...json,
    added_tokens: checkAddedTokens(json['added_tokens'], 'added_tokens', file.name),
    normalizer: checkPart(json['normalizer'], 'normalizer', file.name),
    pre_tokenizer: checkPart(json['pre_tokenizer'], 'pre_tokenizer', file.name),
    post_processor: checkPart(json['post_processor'], 'post_processor', file.name),
    decoder: checkPart(json['decoder'], 'decoder', file.name),
    model: checkModel(json['model'], file.name),
  };
}
