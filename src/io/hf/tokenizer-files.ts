// The files of a Hugging Face tokenizer, read and checked: tokenizer.json (its shape, before the tokenizer package
// sees it), tokenizer_config.json and special_tokens_map.json (the special tokens and the options transformers reads),
// and the vocabulary files of folders without a tokenizer.json (vocab.json + merges.txt, vocab.txt). Every malformed
// file is a FormatError naming the file, and the field or line, with a bounded message.
import { FormatError } from '../../errors.js';
import { HfConfig } from './config.js';

/** One file of a model folder: a path or File name (for messages) and its bytes. */
export interface TokenizerFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Tokenizer files hold a vocabulary (a few MB, tens for the largest); anything past this is not one. */
const MAX_VOCABULARY_BYTES = 256 << 20;
/** tokenizer_config.json holds options, a chat template and maybe added_tokens_decoder: well under this. */
const MAX_CONFIG_BYTES = 32 << 20;

/** Text for a message: at most 64 characters, control characters replaced. */
export function brief(text: string): string {
  const cut = text.length > 64 ? `${text.slice(0, 61)}...` : text;
  return Array.from(cut, (c) => (c < ' ' || c === '\u007f' ? '?' : c)).join('');
}

/** A value for a message: its JSON, cut short. */
const shown = (value: unknown): string => brief(JSON.stringify(value) ?? String(value));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31;

/** The file's bytes as UTF-8 text, at most `max` bytes. */
function text(file: TokenizerFile, max: number): string {
  if (file.bytes.byteLength > max) {
    throw new FormatError(file.name, `is ${file.bytes.byteLength} bytes, more than a tokenizer file can be (${max})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    throw new FormatError(file.name, 'is not valid UTF-8 text');
  }
}

/** The file's JSON object. */
function jsonObject(file: TokenizerFile, max: number): Record<string, unknown> {
  let json: unknown;
  const source = text(file, max);
  try {
    json = JSON.parse(source);
  } catch (error) {
    throw new FormatError(file.name, `is not valid JSON (${brief(error instanceof Error ? error.message : '')})`);
  }
  if (!isObject(json)) throw new FormatError(file.name, 'must hold a JSON object');
  return json;
}

// ---------------------------------------------------------------------------------------------------------------
// tokenizer.json

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

/** The model types the tokenizer package implements. */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'];

/** `vocab` of a BPE or WordPiece model: token -> id, every id a non-negative integer. */
function checkVocab(vocab: unknown, where: string, file: string): Record<string, number> {
  if (!isObject(vocab)) throw new FormatError(file, `${where} must be an object of token -> id`);
  for (const [token, id] of Object.entries(vocab)) {
    if (!isIndex(id)) {
      throw new FormatError(file, `${where}["${brief(token)}"] must be a non-negative integer id; got ${shown(id)}`);
    }
  }
  return vocab as Record<string, number>;
}

/**
 * BPE merges ("a b" strings or [a, b] pairs, all alike): each pair's parts and the merged token must be in the vocabulary (the
 * merged token is a + b, less b's continuing-subword prefix when the model has one), as the tokenizers library checks.
 */
function checkMerges(merges: unknown, vocab: Record<string, number>, prefix: string, file: string): void {
  if (!Array.isArray(merges)) throw new FormatError(file, 'model.merges must be an array');
  // the package reads every merge in the format of the first
  const strings = typeof merges[0] === 'string';
  merges.forEach((merge: unknown, i) => {
    let pair: unknown[] | undefined;
    if (strings && typeof merge === 'string') {
      const parts = merge.split(' ');
      if (parts.length === 2) pair = parts;
    } else if (!strings && Array.isArray(merge) && merge.length === 2) pair = merge;
    const [a, b] = pair ?? [];
    if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0 || b.length === 0) {
      const format = strings ? '"a b" (as model.merges[0] is)' : '["a", "b"] (as model.merges[0] is)';
      throw new FormatError(file, `model.merges[${i}] must be ${format}; got ${shown(merge)}`);
    }
    const merged = a + (prefix.length > 0 && b.startsWith(prefix) ? b.slice(prefix.length) : b);
    for (const token of [a, b, merged]) {
      if (!Object.hasOwn(vocab, token)) {
        throw new FormatError(file, `model.merges[${i}] (${shown(merge)}) needs "${brief(token)}", not in model.vocab`);
      }
    }
  });
}

function checkModel(model: unknown, file: string): Record<string, unknown> {
  if (!isObject(model)) throw new FormatError(file, 'field "model" must be an object');
  const type = model['type'];
  if (typeof type !== 'string' || !MODEL_TYPES.includes(type)) {
    throw new FormatError(file, `model.type must be one of ${MODEL_TYPES.join(', ')}; got ${shown(type)}`);
  }
  const unk = model['unk_token'];
  if (type === 'Unigram') {
    const vocab = model['vocab'];
    if (!Array.isArray(vocab) || vocab.length === 0) {
      throw new FormatError(file, 'model.vocab of a Unigram model must be a non-empty array of [token, score]');
    }
    vocab.forEach((entry: unknown, i) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isFinite(entry[1])) {
        throw new FormatError(file, `model.vocab[${i}] must be [token, score]; got ${shown(entry)}`);
      }
    });
    const unkId = model['unk_id'];
    if (unkId !== undefined && unkId !== null && !(isIndex(unkId) && unkId < vocab.length)) {
      throw new FormatError(file, `model.unk_id must be null or an id below ${vocab.length}; got ${shown(unkId)}`);
    }
    return model;
  }
  const vocab = checkVocab(model['vocab'], 'model.vocab', file);
  for (const field of ['continuing_subword_prefix', 'end_of_word_suffix', 'continuing_subword_suffix']) {
    const value = model[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new FormatError(file, `model.${field} must be a string or null; got ${shown(value)}`);
    }
  }
  if (type === 'BPE') {
    const prefix = model['continuing_subword_prefix'];
    checkMerges(model['merges'], vocab, typeof prefix === 'string' ? prefix : '', file);
    if (unk !== undefined && unk !== null && (typeof unk !== 'string' || !Object.hasOwn(vocab, unk))) {
      throw new FormatError(file, `model.unk_token must be null or a token of model.vocab; got ${shown(unk)}`);
    }
  } else if (typeof unk !== 'string' || !Object.hasOwn(vocab, unk)) {
    throw new FormatError(
      file,
      `model.unk_token of a WordPiece model must be a token of model.vocab; got ${shown(unk)}`,
    );
  }
  return model;
}

/** The `added_tokens` list: ids and contents, the flags defaulted as the tokenizers library does. */
function checkAddedTokens(list: unknown, where: string, file: string): AddedTokenJson[] {
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
  const json = jsonObject(file, MAX_VOCABULARY_BYTES);
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

// ---------------------------------------------------------------------------------------------------------------
// vocab.json, merges.txt, vocab.txt

/** vocab.json (GPT-2, RoBERTa): token -> id. */
export function parseVocabJson(file: TokenizerFile): Record<string, number> {
  const vocab = checkVocab(jsonObject(file, MAX_VOCABULARY_BYTES), 'the vocabulary', file.name);
  if (Object.keys(vocab).length === 0) throw new FormatError(file.name, 'holds no tokens');
  return vocab;
}

/** The lines of a text file, without line ends (\n or \r\n) and without the empty line after a final newline. */
function lines(file: TokenizerFile): string[] {
  const all = text(file, MAX_VOCABULARY_BYTES).split('\n');
  if (all.at(-1) === '') all.pop();
  return all.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/**
 * merges.txt (GPT-2, RoBERTa): a `#version` line, then one merge "a b" a line, highest priority first; empty lines
 * are skipped. Each merge's parts and their concatenation must be tokens of `vocab` (vocab.json).
 */
export function parseMergesTxt(file: TokenizerFile, vocab: Record<string, number>, vocabFile: string): string[] {
  const all = lines(file);
  const merges: string[] = [];
  all.forEach((line, i) => {
    if ((i === 0 && line.startsWith('#version')) || line.length === 0) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new FormatError(file.name, `line ${i + 1} must be a merge "a b"; got ${shown(line)}`);
    }
    for (const token of [parts[0]!, parts[1]!, parts[0]! + parts[1]!]) {
      if (!Object.hasOwn(vocab, token)) {
        throw new FormatError(file.name, `line ${i + 1} (${shown(line)}) needs "${brief(token)}", not in ${vocabFile}`);
      }
    }
    merges.push(line);
  });
  return merges;
}

/** vocab.txt (BERT): one token a line, its id the line number from 0; a repeated token keeps its last line. */
export function parseVocabTxt(file: TokenizerFile): Record<string, number> {
  const tokens = lines(file);
  if (tokens.length === 0) throw new FormatError(file.name, 'holds no tokens');
  const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
  tokens.forEach((token, i) => {
    vocab[token] = i;
  });
  return vocab;
}

// ---------------------------------------------------------------------------------------------------------------
// tokenizer_config.json and special_tokens_map.json

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
  const json = config === undefined ? {} : jsonObject(config, MAX_CONFIG_BYTES);
  const file = config?.name ?? 'tokenizer_config.json';
  readTokens(json, file);
  if (specialTokensMap !== undefined) readTokens(jsonObject(specialTokensMap, MAX_CONFIG_BYTES), specialTokensMap.name);

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

/** What the tokenizer takes from the model's config.json: its model_type and bos/eos/pad token ids (range unchecked). */
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
