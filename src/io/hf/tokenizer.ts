// A Hugging Face model folder's tokenizer, run by the @huggingface/tokenizers package (pure JS, browser-safe): from
// tokenizer.json, or from the vocabulary files a folder without one has (vocab.json + merges.txt: GPT-2 or RoBERTa
// byte-level BPE; vocab.txt: BERT WordPiece), turned into the tokenizer.json transformers would build from them.
// tokenizer_config.json and special_tokens_map.json name the special tokens (bos, eos, pad, ...) as transformers reads
// them; the tokenizer.json post-processor decides which special tokens encode() adds. A tokenizer is optional for a
// model: everything that takes text also takes token ids.
//
// The package's own .d.ts files use extensionless relative imports, which TypeScript's NodeNext resolution does not
// follow (so its exports type as `any`); the few members used here are typed by PackageTokenizer below.
import { Tokenizer } from '@huggingface/tokenizers';
import { FormatError, InvalidArgumentError } from '../../errors.js';
import { describeKind, describeValue } from '../../describe.js';
import {
  brief,
  parseMergesTxt,
  parseModelConfigHints,
  parseTokenizerJson,
  parseTokenizerSettings,
  parseVocabJson,
  parseVocabTxt,
  type ModelConfigHints,
  type TokenizerFile,
  type TokenizerJson,
  type TokenizerSettings,
} from './tokenizer-files.js';
import { checkFolderFiles } from './folder.js';
import {
  byteLevelBpeTokenizerJson,
  roleTokens,
  tokenIdIn,
  tokenizerFamily,
  withSpecialTokens,
  wordPieceTokenizerJson,
  type TokenizerFamily,
} from './tokenizer-vocab.js';

/** A Hugging Face tokenizer; structurally a TextTokenizer (src/models/interfaces.ts). */
export interface HfTokenizer {
  /** Token ids of the text, with the special tokens the tokenizer's post-processor adds ([CLS] ... [SEP], <s> ...). */
  encode(text: string): number[];
  /**
   * Token ids of a pair of texts (BERT: [CLS] a [SEP] b [SEP]; RoBERTa: <s> a </s></s> b </s>) and their token type
   * ids, as the post-processor gives them (0 for a, 1 for b; RoBERTa models, with one token type, take none). An
   * empty `b` encodes as `a` alone: the package takes an empty second text for none.
   */
  encodePair(a: string, b: string): { ids: number[]; typeIds: number[] };
  /** The text of token ids, special tokens left out; ids outside the vocabulary are an InvalidArgumentError. */
  decode(ids: readonly number[]): string;
  /** Tokens whose generation ends a text: the eos token, when there is one. */
  readonly stopTokens: readonly number[];
  readonly bos?: number;
  readonly eos?: number;
  readonly pad?: number;
  /** One past the largest token id (vocabulary and added tokens). */
  readonly vocabSize: number;
}

/** A model folder's files by base name ("tokenizer.json", "vocab.txt", ...), each with its path or File name. */
export type HfTokenizerFiles = ReadonlyMap<string, TokenizerFile>;

/** Whether the folder has the files of a tokenizer (tokenizer.json, vocab.json + merges.txt, or vocab.txt). */
export function hasHfTokenizer(files: HfTokenizerFiles): boolean {
  return files.has('tokenizer.json') || (files.has('vocab.json') && files.has('merges.txt')) || files.has('vocab.txt');
}

/** The members of the package's Tokenizer used here. */
interface PackageEncoding {
  readonly ids: readonly unknown[];
  readonly tokens: readonly string[];
  readonly token_type_ids?: readonly unknown[];
}
interface PackageTokenizer {
  encode(
    text: string,
    options?: { text_pair?: string | null; add_special_tokens?: boolean; return_token_type_ids?: boolean },
  ): PackageEncoding;
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  id_to_token(id: number): string | undefined;
}
const PackageTokenizerClass = Tokenizer as unknown as new (json: object, config: object) => PackageTokenizer;

/** The tokenizer.json a folder has or stands for, and the file its messages name. */
interface Source {
  readonly json: TokenizerJson;
  readonly file: string;
  readonly family: TokenizerFamily | undefined;
}

/** What the configs say: tokenizer_config.json with special_tokens_map.json, and config.json's hints. */
interface Configs {
  readonly settings: TokenizerSettings;
  readonly hints: ModelConfigHints;
}

function readConfigs(files: HfTokenizerFiles): Configs {
  return {
    settings: parseTokenizerSettings(files.get('tokenizer_config.json'), files.get('special_tokens_map.json')),
    hints: parseModelConfigHints(files.get('config.json')),
  };
}

/**
 * The tokenizer.json object a folder without one stands for, as transformers builds it from vocab.json + merges.txt
 * (RoBERTa when tokenizer_config.json's tokenizer_class or config.json's model_type says so, or when neither names a
 * family and the vocabulary has <s> and </s>; GPT-2 otherwise) or vocab.txt (BERT); undefined without those files.
 * JSON.stringify of it is a tokenizer.json that loads the same tokenizer.
 */
export function tokenizerJsonFromVocabulary(files: HfTokenizerFiles, folder: string): TokenizerJson | undefined {
  checkFolderFiles(files);
  const configs = readConfigs(files);
  const source = vocabularySource(files, folder, configs);
  return source === undefined ? undefined : specialised(files, source, configs.settings).json;
}

function vocabularySource(files: HfTokenizerFiles, folder: string, { settings, hints }: Configs): Source | undefined {
  const named = tokenizerFamily(settings.tokenizerClass, hints.modelType);
  const vocabJson = files.get('vocab.json');
  const mergesTxt = files.get('merges.txt');
  if (vocabJson !== undefined && mergesTxt !== undefined) {
    const vocab = parseVocabJson(vocabJson);
    const merges = parseMergesTxt(mergesTxt, vocab, vocabJson.name);
    const looksRoberta = Object.hasOwn(vocab, '<s>') && Object.hasOwn(vocab, '</s>');
    const family = named === 'roberta' || (named === undefined && looksRoberta) ? 'roberta' : 'gpt2';
    const roles = roleTokens(settings, family);
    const json = byteLevelBpeTokenizerJson(family, vocab, merges, settings, roles, vocabJson.name);
    return { json, file: vocabJson.name, family };
  }
  const vocabTxt = files.get('vocab.txt');
  if (vocabTxt !== undefined) {
    const roles = roleTokens(settings, 'bert');
    const json = wordPieceTokenizerJson(parseVocabTxt(vocabTxt), settings, roles, vocabTxt.name);
    return { json, file: vocabTxt.name, family: 'bert' };
  }
  if (vocabJson !== undefined || mergesTxt !== undefined) {
    const [has, lacks] = vocabJson !== undefined ? ['vocab.json', 'merges.txt'] : ['merges.txt', 'vocab.json'];
    throw new FormatError(folder, `has ${has} but no ${lacks}: a byte-level BPE tokenizer (GPT-2, RoBERTa) needs both`);
  }
  return undefined;
}

/** The source with its special tokens added as transformers adds them. */
function specialised(files: HfTokenizerFiles, source: Source, settings: TokenizerSettings): Source {
  const roles = roleTokens(settings, source.family);
  const additionalFile = files.get('special_tokens_map.json')?.name ?? files.get('tokenizer_config.json')?.name ?? '';
  const json = withSpecialTokens(source.json, roles, settings.additionalSpecialTokens, additionalFile, source.file);
  return { ...source, json };
}

/** One past the largest id of the model vocabulary and the added tokens. */
function vocabularySize(json: TokenizerJson): number {
  const vocab = json.model['vocab'];
  let size = Array.isArray(vocab) ? vocab.length : 0;
  if (!Array.isArray(vocab))
    for (const id of Object.values(vocab as Record<string, number>)) size = Math.max(size, id + 1);
  for (const added of json.added_tokens) size = Math.max(size, added.id + 1);
  return size;
}

/** A sample run at load, so that a tokenizer.json the package cannot run fails there, naming the file. */
const PROBE = 'Hello, world! 123 \u00e7a va?';

class PackageHfTokenizer implements HfTokenizer {
  readonly stopTokens: readonly number[];
  readonly bos?: number;
  readonly eos?: number;
  readonly pad?: number;

  constructor(
    private readonly tokenizer: PackageTokenizer,
    /** The file messages name: tokenizer.json, vocab.json or vocab.txt. */
    private readonly file: string,
    readonly vocabSize: number,
    special: { readonly bos: number | undefined; readonly eos: number | undefined; readonly pad: number | undefined },
  ) {
    if (special.bos !== undefined) this.bos = special.bos;
    if (special.eos !== undefined) this.eos = special.eos;
    if (special.pad !== undefined) this.pad = special.pad;
    this.stopTokens = special.eos === undefined ? [] : [special.eos];
  }

  encode(text: string): number[] {
    checkText(text, 'text');
    return this.ids(
      this.inPackage('encode', () => this.tokenizer.encode(text)),
      text,
    );
  }

  encodePair(a: string, b: string): { ids: number[]; typeIds: number[] } {
    checkText(a, 'a');
    checkText(b, 'b');
    const pair = this.inPackage('encode', () =>
      this.tokenizer.encode(a, { text_pair: b, return_token_type_ids: true }),
    );
    const types = pair.token_type_ids;
    if (types !== undefined && types.length === pair.ids.length) {
      return { ids: this.ids(pair, a), typeIds: types.map((t) => (typeof t === 'number' ? t : 0)) };
    }
    // Post-processors without a pair template (ByteLevel, none) add no special tokens: a's ids, then b's, as the
    // tokenizers library encodes a pair with them (type ids 0 and 1). The package drops b there, so it is joined here.
    const first = this.ids(
      this.inPackage('encode', () => this.tokenizer.encode(a)),
      a,
    );
    const second = this.ids(
      this.inPackage('encode', () => this.tokenizer.encode(b, { add_special_tokens: false })),
      b,
    );
    return { ids: [...first, ...second], typeIds: [...first.map(() => 0), ...second.map(() => 1)] };
  }

  decode(ids: readonly number[]): string {
    if (!Array.isArray(ids))
      throw new InvalidArgumentError(`ids must be an array of token ids, got ${describeKind(ids)}`);
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.tokenizer.id_to_token(id) === undefined) {
        throw new InvalidArgumentError(
          `ids[${i}] = ${describeValue(id)} is not a token id of the vocabulary [0, ${this.vocabSize})`,
        );
      }
    });
    return ids.length === 0
      ? ''
      : this.inPackage('decode', () => this.tokenizer.decode([...ids], { skip_special_tokens: true }));
  }

  /**
   * Runs a call into the package: what it throws on a text the load-time probe did not meet (its own TypeErrors,
   * say) is a FormatError naming the tokenizer file, like every other fault of the file.
   */
  private inPackage<T>(what: string, call: () => T): T {
    try {
      return call();
    } catch (error) {
      const reason = brief(error instanceof Error ? error.message : String(error));
      throw new FormatError(this.file, `@huggingface/tokenizers failed to ${what} with this tokenizer (${reason})`);
    }
  }

  /** The encoding's ids, each checked to be a token of the vocabulary. */
  private ids(encoding: PackageEncoding, text: string): number[] {
    return encoding.ids.map((id, i) => {
      if (typeof id !== 'number' || !Number.isInteger(id)) {
        const token = encoding.tokens[i] ?? '';
        throw new FormatError(this.file, `has no id for the token "${brief(token)}" of the text "${brief(text)}"`);
      }
      return id;
    });
  }
}

function checkText(text: unknown, name: string): string {
  if (typeof text !== 'string') throw new InvalidArgumentError(`${name} must be a string; got ${typeof text}`);
  return text;
}

/**
 * The tokenizer of a model folder, from its files by base name (`folder` names the folder in messages): tokenizer.json
 * when there is one, else vocab.json + merges.txt, else vocab.txt (see tokenizerJsonFromVocabulary). bos, eos and pad
 * are the tokens tokenizer_config.json / special_tokens_map.json name (special_tokens_map.json first), else the
 * tokenizer class's defaults (GPT-2: <|endoftext|>; RoBERTa: <s>, </s>, <pad>; BERT: [PAD]), else config.json's
 * bos/eos/pad_token_id. clean_up_tokenization_spaces (" ," -> "," and the like, when decoding) is tokenizer_config.json's,
 * by default true for BERT and false otherwise, as in transformers since 4.45.
 * A folder with none of the files is a FormatError naming it and what it needs; a malformed file is a FormatError
 * naming the file.
 */
export function hfTokenizer(files: HfTokenizerFiles, folder: string): HfTokenizer {
  checkFolderFiles(files);
  const tokenizerJson = files.get('tokenizer.json');
  const configs = readConfigs(files);
  const { settings, hints } = configs;
  let source: Source | undefined;
  if (tokenizerJson !== undefined) {
    const family = tokenizerFamily(settings.tokenizerClass, hints.modelType);
    source = { json: parseTokenizerJson(tokenizerJson), file: tokenizerJson.name, family };
  } else {
    source = vocabularySource(files, folder, configs);
  }
  if (source === undefined) {
    throw new FormatError(
      folder,
      'has no tokenizer: it needs tokenizer.json, or vocab.json and merges.txt (byte-level BPE: GPT-2, RoBERTa), ' +
        'or vocab.txt (WordPiece: BERT); without one, give token ids instead of text',
    );
  }
  const { json, file } = specialised(files, source, settings);
  const vocabSize = vocabularySize(json);

  const config: Record<string, unknown> = {
    clean_up_tokenization_spaces: settings.cleanUpTokenizationSpaces ?? source.family === 'bert',
    additional_special_tokens: settings.additionalSpecialTokens.map((t) => t.content),
  };
  if (settings.removeSpace !== undefined) config['remove_space'] = settings.removeSpace;
  if (settings.doLowercaseAndRemoveAccent !== undefined) {
    config['do_lowercase_and_remove_accent'] = settings.doLowercaseAndRemoveAccent;
  }
  const roles = roleTokens(settings, source.family);
  for (const role of ['bos', 'eos', 'pad', 'unk'] as const) {
    const content = roles[role]?.token.content;
    if (content !== undefined) config[`${role}_token`] = content;
  }

  let tokenizer: PackageTokenizer;
  try {
    tokenizer = new PackageTokenizerClass(json, config);
    // a single text and a pair: the post-processor has a template for each
    for (const probe of [tokenizer.encode(PROBE), tokenizer.encode(PROBE, { text_pair: PROBE })]) {
      if (probe.ids.some((id) => typeof id !== 'number')) throw new Error('some tokens of a sample text have no id');
      tokenizer.decode(probe.ids as number[]);
    }
  } catch (error) {
    const reason = brief(error instanceof Error ? error.message : String(error));
    throw new FormatError(file, `is not a tokenizer @huggingface/tokenizers can run (${reason})`);
  }

  const special = (role: 'bos' | 'eos' | 'pad'): number | undefined => {
    const content = roles[role]?.token.content;
    const id = content === undefined ? undefined : tokenIdIn(json, content);
    if (id !== undefined) return id;
    const fallback = hints.tokenIds[role];
    return fallback !== undefined && fallback < vocabSize ? fallback : undefined;
  };
  return new PackageHfTokenizer(tokenizer, file, vocabSize, {
    bos: special('bos'),
    eos: special('eos'),
    pad: special('pad'),
  });
}
