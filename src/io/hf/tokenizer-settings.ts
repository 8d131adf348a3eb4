// tokenizer_config.json and special_tokens_map.json: the special tokens and the options transformers reads.
import { FormatError } from '../../errors.js';
import { brief, isObject, shown } from './json.js';
import { checkAddedTokens, type AddedTokenJson } from './tokenizer-json.js';
import { MAX_CONFIG_BYTES, readJsonObject, type TokenizerFile } from './tokenizer-read.js';

/** The special-token roles transformers knows by name (`<role>_token`). */
export const SPECIAL_ROLES = ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'] as const;
export type SpecialRole = (typeof SPECIAL_ROLES)[number];

/** A special token as the configs give it: a string, or an AddedToken object with its flags. */
export interface SpecialToken {
  readonly content: string;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly single_word: boolean;
  readonly normalized: boolean;
}

/** A special token and the file that named it. */
export interface NamedToken {
  readonly token: SpecialToken;
  readonly file: string;
}

/** What transformers reads from tokenizer_config.json and special_tokens_map.json (absent fields undefined). */
export interface TokenizerSettings {
  /** `tokenizer_class`, e.g. "GPT2Tokenizer" (without a "Fast" suffix). */
  readonly tokenizerClass: string | undefined;
  /** The special tokens by role; null where a config sets the role to null (none, overriding a class default). */
  readonly tokens: Readonly<Partial<Record<SpecialRole, NamedToken | null>>>;
  readonly additionalSpecialTokens: readonly SpecialToken[];
  /** tokenizer_config.json's added_tokens_decoder (id -> token), as added_tokens entries. */
  readonly addedTokens: readonly AddedTokenJson[];
  readonly doLowerCase: boolean | undefined;
  readonly stripAccents: boolean | null | undefined;
  readonly tokenizeChineseChars: boolean | undefined;
  readonly addPrefixSpace: boolean | undefined;
  readonly addBosToken: boolean | undefined;
  readonly cleanUpTokenizationSpaces: boolean | undefined;
  readonly removeSpace: boolean | undefined;
  readonly doLowercaseAndRemoveAccent: boolean | undefined;
}

function specialToken(value: unknown, field: string, file: string): SpecialToken {
  if (typeof value === 'string' && value.length > 0) {
    return { content: value, lstrip: false, rstrip: false, single_word: false, normalized: false };
  }
  if (isObject(value) && typeof value['content'] === 'string' && value['content'].length > 0) {
    const flag = (name: string): boolean => {
      const v = value[name];
      if (v === undefined || v === null) return false;
      if (typeof v !== 'boolean') throw new FormatError(file, `field "${field}".${name} must be true or false`);
      return v;
    };
    return {
      content: value['content'],
      lstrip: flag('lstrip'),
      rstrip: flag('rstrip'),
      single_word: flag('single_word'),
      normalized: flag('normalized'),
    };
  }
  throw new FormatError(
    file,
    `field "${field}" must be a token (a non-empty string or an object with "content"); got ${shown(value)}`,
  );
}

function optionalBoolean(json: Record<string, unknown>, field: string, file: string): boolean | undefined {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new FormatError(file, `field "${field}" must be true or false; got ${shown(value)}`);
  return value;
}

function additional(json: Record<string, unknown>, file: string): SpecialToken[] | undefined {
  const list = json['additional_special_tokens'];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw new FormatError(file, 'field "additional_special_tokens" must be an array of tokens');
  return list.map((v: unknown, i) => specialToken(v, `additional_special_tokens[${i}]`, file));
}

/** tokenizer_config.json's added_tokens_decoder: an object of id -> AddedToken object. */
function addedTokensDecoder(json: Record<string, unknown>, file: string): AddedTokenJson[] {
  const decoder = json['added_tokens_decoder'];
  if (decoder === undefined || decoder === null) return [];
  if (!isObject(decoder)) throw new FormatError(file, 'field "added_tokens_decoder" must be an object of id -> token');
  const entries = Object.entries(decoder).map(([id, token]) => {
    if (!/^\d{1,10}$/.test(id)) throw new FormatError(file, `added_tokens_decoder key "${brief(id)}" must be an id`);
    return isObject(token) ? { ...token, id: Number(id) } : token;
  });
  return checkAddedTokens(entries, 'added_tokens_decoder', file);
}

/**
 * The settings of tokenizer_config.json and special_tokens_map.json (either may be absent). As transformers loads
 * them, special_tokens_map.json's tokens take precedence over tokenizer_config.json's.
 */
export function parseTokenizerSettings(
  config: TokenizerFile | undefined,
  specialTokensMap: TokenizerFile | undefined,
): TokenizerSettings {
  const tokens: Partial<Record<SpecialRole, NamedToken | null>> = {};
  let additionalSpecialTokens: SpecialToken[] = [];
  const readTokens = (json: Record<string, unknown>, file: string): void => {
    for (const role of SPECIAL_ROLES) {
      const field = `${role}_token`;
      if (!Object.hasOwn(json, field)) continue;
      const value = json[field];
      tokens[role] = value === null ? null : { token: specialToken(value, field, file), file };
    }
    additionalSpecialTokens = additional(json, file) ?? additionalSpecialTokens;
  };
  const json = config === undefined ? {} : readJsonObject(config, MAX_CONFIG_BYTES);
  const file = config?.name ?? 'tokenizer_config.json';
  readTokens(json, file);
  if (specialTokensMap !== undefined)
    readTokens(readJsonObject(specialTokensMap, MAX_CONFIG_BYTES), specialTokensMap.name);

  const tokenizerClass = json['tokenizer_class'];
  if (tokenizerClass !== undefined && tokenizerClass !== null && typeof tokenizerClass !== 'string') {
    throw new FormatError(file, `field "tokenizer_class" must be a string; got ${shown(tokenizerClass)}`);
  }
  const stripAccents = json['strip_accents'];
  if (stripAccents !== undefined && stripAccents !== null && typeof stripAccents !== 'boolean') {
    throw new FormatError(file, `field "strip_accents" must be true, false or null; got ${shown(stripAccents)}`);
  }
  return {
    tokenizerClass: typeof tokenizerClass === 'string' ? tokenizerClass.replace(/Fast$/, '') : undefined,
    tokens,
    additionalSpecialTokens,
    addedTokens: addedTokensDecoder(json, file),
    doLowerCase: optionalBoolean(json, 'do_lower_case', file),
    stripAccents: stripAccents as boolean | null | undefined,
    tokenizeChineseChars: optionalBoolean(json, 'tokenize_chinese_chars', file),
    addPrefixSpace: optionalBoolean(json, 'add_prefix_space', file),
    addBosToken: optionalBoolean(json, 'add_bos_token', file),
    cleanUpTokenizationSpaces: optionalBoolean(json, 'clean_up_tokenization_spaces', file),
    removeSpace: optionalBoolean(json, 'remove_space', file),
    doLowercaseAndRemoveAccent: optionalBoolean(json, 'do_lowercase_and_remove_accent', file),
  };
}
