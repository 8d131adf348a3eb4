// The tokenizer families whose folders may come without a tokenizer.json (GPT-2 and RoBERTa: vocab.json + merges.txt,
// byte-level BPE; BERT: vocab.txt, WordPiece): their default special tokens, as transformers' tokenizer classes have
// them, and the tokenizer.json transformers' converters (convert_slow_tokenizer.py: GPT2Converter, RobertaConverter,
// BertConverter) build from the vocabulary files, as an object the tokenizer package loads like the file.
import { FormatError } from '../../errors.js';
import {
  brief,
  SPECIAL_ROLES,
  type AddedTokenJson,
  type SpecialRole,
  type SpecialToken,
  type TokenizerJson,
  type TokenizerSettings,
} from './tokenizer-files.js';

export type TokenizerFamily = 'gpt2' | 'roberta' | 'bert';

/** The family of a tokenizer_config.json tokenizer_class (without "Fast") or, failing that, a config.json model_type. */
export function tokenizerFamily(
  tokenizerClass: string | undefined,
  modelType: string | undefined,
): TokenizerFamily | undefined {
  const byClass: Readonly<Record<string, TokenizerFamily>> = {
    GPT2Tokenizer: 'gpt2',
    RobertaTokenizer: 'roberta',
    BertTokenizer: 'bert',
  };
  if (tokenizerClass !== undefined) return byClass[tokenizerClass];
  return modelType === 'gpt2' || modelType === 'roberta' || modelType === 'bert' ? modelType : undefined;
}

const token = (content: string, flags: Partial<SpecialToken> = {}): SpecialToken => ({
  content,
  lstrip: false,
  rstrip: false,
  single_word: false,
  normalized: false,
  ...flags,
});

/** The special tokens of GPT2Tokenizer, RobertaTokenizer and BertTokenizer when no config names them. */
const CLASS_DEFAULTS: Readonly<Record<TokenizerFamily, Readonly<Partial<Record<SpecialRole, SpecialToken>>>>> = {
  gpt2: { bos: token('<|endoftext|>'), eos: token('<|endoftext|>'), unk: token('<|endoftext|>') },
  roberta: {
    bos: token('<s>'),
    eos: token('</s>'),
    sep: token('</s>'),
    cls: token('<s>'),
    unk: token('<unk>'),
    pad: token('<pad>'),
    mask: token('<mask>', { lstrip: true }),
  },
  bert: { unk: token('[UNK]'), sep: token('[SEP]'), pad: token('[PAD]'), cls: token('[CLS]'), mask: token('[MASK]') },
};

/** A special token of a role, and the config file that named it (undefined for a class default). */
export interface RoleToken {
  readonly token: SpecialToken;
  readonly file: string | undefined;
}

/** The special tokens by role: the configs' (null there means none), else the family's class defaults. */
export function roleTokens(
  settings: TokenizerSettings,
  family: TokenizerFamily | undefined,
): Partial<Record<SpecialRole, RoleToken>> {
  const roles: Partial<Record<SpecialRole, RoleToken>> = {};
  for (const role of SPECIAL_ROLES) {
    const named = settings.tokens[role];
    const fallback = family === undefined ? undefined : CLASS_DEFAULTS[family][role];
    if (named !== undefined && named !== null) roles[role] = named;
    else if (named === undefined && fallback !== undefined) roles[role] = { token: fallback, file: undefined };
  }
  return roles;
}

/** The id of `content` in a tokenizer.json: its added token, else its model vocabulary entry. */
export function tokenIdIn(json: TokenizerJson, content: string): number | undefined {
  const added = json.added_tokens.find((t) => t.content === content);
  if (added !== undefined) return added.id;
  const vocab = json.model['vocab'];
  if (Array.isArray(vocab)) {
    const index = vocab.findIndex((entry: unknown) => Array.isArray(entry) && entry[0] === content);
    return index < 0 ? undefined : index;
  }
  const record = vocab as Readonly<Record<string, number>>;
  return Object.hasOwn(record, content) ? record[content] : undefined;
}

/**
 * The tokenizer.json with the special tokens added as transformers' fast tokenizers add them: each role's token and
 * each additional special token that is in the vocabulary but not yet an added token becomes a special added token.
 * A token a config names that the vocabulary lacks is a FormatError naming that config (`vocabulary` says where the
 * vocabulary is); a class default the vocabulary lacks is left out.
 */
export function withSpecialTokens(
  json: TokenizerJson,
  roles: Partial<Record<SpecialRole, RoleToken>>,
  additional: readonly SpecialToken[],
  additionalFile: string,
  vocabulary: string,
): TokenizerJson {
  const added: AddedTokenJson[] = [...json.added_tokens];
  const add = (special: SpecialToken, file: string | undefined, field: string): void => {
    if (added.some((t) => t.content === special.content)) return;
    const id = tokenIdIn(json, special.content);
    if (id === undefined) {
      if (file === undefined) return;
      throw new FormatError(file, `${field} "${brief(special.content)}" is not in the vocabulary (${vocabulary})`);
    }
    added.push({ id, ...special, special: true });
  };
  for (const role of SPECIAL_ROLES) {
    const named = roles[role];
    if (named !== undefined) add(named.token, named.file, `${role}_token`);
  }
  for (const special of additional) add(special, additionalFile, 'additional_special_tokens');
  added.sort((a, b) => a.id - b.id);
  return { ...json, added_tokens: added };
}

/** A template item of TemplateProcessing. */
const special = (id: string, typeId: number): unknown => ({ SpecialToken: { id, type_id: typeId } });
const sequence = (id: 'A' | 'B', typeId: number): unknown => ({ Sequence: { id, type_id: typeId } });

/** The id of a role's token, which the family's template needs, in `vocab`; a FormatError on `file` otherwise. */
function requiredId(
  vocab: Readonly<Record<string, number>>,
  roles: Partial<Record<SpecialRole, RoleToken>>,
  role: SpecialRole,
  family: string,
  file: string,
): [string, number] {
  const content = roles[role]?.token.content;
  if (content === undefined) throw new FormatError(file, `a ${family} tokenizer needs a ${role}_token; none is set`);
  if (!Object.hasOwn(vocab, content)) {
    throw new FormatError(file, `has no token "${brief(content)}", the ${role}_token a ${family} tokenizer needs`);
  }
  return [content, vocab[content]!];
}

/** The tokenizer.json of a byte-level BPE folder (vocab.json + merges.txt): GPT2Converter / RobertaConverter. */
export function byteLevelBpeTokenizerJson(
  family: 'gpt2' | 'roberta',
  vocab: Readonly<Record<string, number>>,
  merges: readonly string[],
  settings: TokenizerSettings,
  roles: Partial<Record<SpecialRole, RoleToken>>,
  vocabFile: string,
): TokenizerJson {
  const addPrefixSpace = settings.addPrefixSpace ?? false;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true };
  let postProcessor: unknown;
  if (family === 'roberta') {
    postProcessor = {
      type: 'RobertaProcessing',
      sep: requiredId(vocab, roles, 'sep', 'RoBERTa', vocabFile),
      cls: requiredId(vocab, roles, 'cls', 'RoBERTa', vocabFile),
      trim_offsets: true,
      add_prefix_space: addPrefixSpace,
    };
  } else if (settings.addBosToken === true) {
    const [bos, id] = requiredId(vocab, roles, 'bos', 'GPT-2 (add_bos_token)', vocabFile);
    postProcessor = {
      type: 'TemplateProcessing',
      single: [special(bos, 0), sequence('A', 0)],
      pair: [special(bos, 0), sequence('A', 0), sequence('B', 1)],
      special_tokens: { [bos]: { id: bos, ids: [id], tokens: [bos] } },
    };
  } else {
    postProcessor = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: settings.addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: postProcessor,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/**
 * The tokenizer.json of a WordPiece folder (vocab.txt): BertConverter. Lower-casing from do_lower_case (default true,
 * as bert-base-uncased), accents stripped when strip_accents says so (by default when lower-casing), CJK characters
 * split when tokenize_chinese_chars (default true); [CLS] A [SEP] and [CLS] A [SEP] B [SEP] with type ids 0 / 1.
 */
export function wordPieceTokenizerJson(
  vocab: Readonly<Record<string, number>>,
  settings: TokenizerSettings,
  roles: Partial<Record<SpecialRole, RoleToken>>,
  vocabFile: string,
): TokenizerJson {
  const [unk] = requiredId(vocab, roles, 'unk', 'BERT', vocabFile);
  const [cls, clsId] = requiredId(vocab, roles, 'cls', 'BERT', vocabFile);
  const [sep, sepId] = requiredId(vocab, roles, 'sep', 'BERT', vocabFile);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: settings.addedTokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: settings.tokenizeChineseChars ?? true,
      strip_accents: settings.stripAccents ?? null,
      lowercase: settings.doLowerCase ?? true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
      pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
      special_tokens: {
        [cls]: { id: cls, ids: [clsId], tokens: [cls] },
        [sep]: { id: sep, ids: [sepId], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}
