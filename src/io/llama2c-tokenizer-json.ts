// llama2.c's tokenizer.bin as a Hugging Face tokenizer.json (and the tokenizer_config.json LlamaTokenizerFast reads),
// laid out as transformers' LlamaConverter lays out a SentencePiece BPE model (legacy): a BPE model with
// byte_fallback, the pieces with their ids, merges derived from the pieces and their scores, a normalizer that puts
// the dummy-prefix space in front and writes spaces as "▁", a decoder that undoes it, and <s> first.
//
// What tokenizer.bin holds (llama2.c's tokenizer.py export of a SentencePiece model): id 0 "<unk>", ids 1 and 2 the
// control pieces written as "\n<s>\n" and "\n</s>\n", ids 3..258 the byte pieces "<0x00>".."<0xFF>" (run.c's byte
// fallback is id byte + 3), then the merged pieces with "▁" written back as a plain space. Here ids 1 and 2 are named
// <s> and </s> again, and the spaces "▁", so the vocabulary is the SentencePiece model's.
//
// The merges follow transformers' generate_merges: every split of a piece into two vocabulary pieces is a merge,
// ranked by the merged piece's score, highest first; equal scores by the longer left part, then the longer right
// part, then piece id, then (left id, right id). run.c instead merges the pair whose merged piece scores highest,
// the leftmost on ties. With distinct scores (as SentencePiece gives them) the ranks order different pieces as run.c
// does, and the only ties are the splits of one piece, which settle the same way in every case tried (tok512.bin on
// all 2150 paragraphs of the fixture text, and random vocabularies with distinct scores on random strings). Pieces
// sharing a score (tiedScores) can differ: run.c takes the leftmost pair whichever piece it makes, ranks a fixed one.
import { FormatError, InvalidArgumentError } from '../errors.js';
import { describeValue } from '../describe.js';
import { Llama2cTokenizer } from './tokenizer.js';

/** SentencePiece's whitespace symbol, which tokenizer.bin writes as " ". */
const SPACE_SYMBOL = '\u2581';
/** run.c merges a pair only when its piece scores above this. */
const MERGE_FLOOR = -1e10;
/** Ids of <unk>, <s>, </s>, then the first byte piece. */
const UNK = 0;
const BYTE_PIECES_START = 3;
const SPECIALS = ['<unk>', '<s>', '</s>'] as const;

const hex = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

export interface Llama2cHfTokenizerOptions {
  /** Names tokenizer.bin in messages. */
  readonly file?: string;
  /** tokenizer_config.json's model_max_length: the model's context (seq_len). */
  readonly modelMaxLength?: number;
}

export interface Llama2cHfTokenizer {
  /** The tokenizer.json object: JSON.stringify writes the file. */
  readonly tokenizerJson: Record<string, unknown>;
  /** The tokenizer_config.json object. */
  readonly tokenizerConfig: Record<string, unknown>;
  /** The ranked merges (left, right), as tokenizerJson's model.merges holds them. */
  readonly merges: readonly (readonly [string, string])[];
  /**
   * Ids of merged pieces whose score another merged piece shares. run.c breaks such ties by position (leftmost),
   * which no rank order reproduces in general; with none (SentencePiece scores are distinct), the ranks reproduce
   * run.c's merges.
   */
  readonly tiedScores: readonly number[];
}

/** The piece of each id as the tokenizer.json vocabulary names it; a FormatError for a piece it cannot hold. */
function vocabularyPieces(tokenizer: Llama2cTokenizer, file: string): string[] {
  const V = tokenizer.vocabSize;
  if (V < BYTE_PIECES_START + 256) {
    throw new FormatError(
      file,
      `has ${V} tokens; a llama2.c vocabulary has <unk>, <s>, </s> and the 256 byte pieces (ids 3..258) first`,
    );
  }
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const pieces: string[] = [];
  for (let id = 0; id < V; id++) {
    let text: string;
    try {
      text = utf8.decode(tokenizer.pieceBytes(id));
    } catch {
      throw new FormatError(file, `token ${id} is not valid UTF-8, which a tokenizer.json vocabulary needs`);
    }
    if (id >= BYTE_PIECES_START && id < BYTE_PIECES_START + 256) {
      const expected = `<0x${hex(id - BYTE_PIECES_START)}>`;
      if (text !== expected) {
        throw new FormatError(
          file,
          `token ${id} is ${describeValue(text)}, expected the byte piece "${expected}" (run.c's byte fallback ` +
            'is id byte + 3)',
        );
      }
    }
    if (id >= BYTE_PIECES_START + 256) {
      if (text.length === 0) throw new FormatError(file, `token ${id} is empty`);
      if (text.includes(SPACE_SYMBOL)) {
        throw new FormatError(file, `token ${id} holds "${SPACE_SYMBOL}", which tokenizer.json uses for the space`);
      }
    }
    pieces.push(id < SPECIALS.length ? SPECIALS[id]! : text.replaceAll(' ', SPACE_SYMBOL));
  }
  return pieces;
}

/**
 * The merges of a vocabulary as transformers' generate_merges ranks them: for each piece (by id) that run.c can
 * merge into (not <unk>, <s>, </s> or a byte piece, and scoring above run.c's floor), every split into two pieces of
 * the vocabulary that are not those either, ordered by (left id, right id); then all of them stably sorted by the
 * merged piece's score, the left part's length and the right part's length (in code points), each highest first.
 */
export function rankMerges(
  pieces: readonly string[],
  scores: ArrayLike<number>,
  ids: ReadonlyMap<string, number>,
  mergeable: (id: number) => boolean,
): [string, string][] {
  interface Merge {
    readonly left: string;
    readonly right: string;
    readonly score: number;
    readonly leftLength: number;
    readonly rightLength: number;
  }
  const merges: Merge[] = [];
  pieces.forEach((piece, id) => {
    const score = scores[id]!;
    if (!mergeable(id) || !(score > MERGE_FLOOR)) return;
    const chars = Array.from(piece);
    const local: (Merge & { readonly leftId: number; readonly rightId: number })[] = [];
    for (let i = 1; i < chars.length; i++) {
      const left = chars.slice(0, i).join('');
      const right = chars.slice(i).join('');
      const leftId = ids.get(left);
      const rightId = ids.get(right);
      if (leftId === undefined || rightId === undefined || !mergeable(leftId) || !mergeable(rightId)) continue;
      local.push({ left, right, score, leftLength: i, rightLength: chars.length - i, leftId, rightId });
    }
    local.sort((a, b) => a.leftId - b.leftId || a.rightId - b.rightId);
    merges.push(...local);
  });
  // Array.prototype.sort is stable
  merges.sort((a, b) => b.score - a.score || b.leftLength - a.leftLength || b.rightLength - a.rightLength);
  return merges.map((m) => [m.left, m.right]);
}

/** A special token's flags, as tokenizer.json's added_tokens and tokenizer_config.json's added_tokens_decoder hold them. */
const specialToken = (content: string) => ({
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

/**
 * tokenizer.json and tokenizer_config.json for a llama2.c tokenizer.bin, so that a Hugging Face folder encodes text
 * as run.c's encode(text, bos) does (<s>, the dummy-prefix space when the text is not empty, codepoints or their
 * bytes, merges) and decodes as run.c prints (no leading space after <s>, byte pieces as raw bytes, <s> and </s> left
 * out). As in any Hugging Face Llama tokenizer, text that spells <unk>, <s> or </s> encodes as that special token
 * (run.c spells it out), a literal "▁" in the text reads as a space, and decoding leaves <unk> out (run.c prints
 * it). A FormatError (naming options.file) for a tokenizer.bin a tokenizer.json cannot stand for: fewer than 259
 * tokens, byte pieces not at ids 3..258, pieces that are not UTF-8, empty, hold "▁" or repeat.
 */
export function llama2cTokenizerJson(
  tokenizer: Llama2cTokenizer,
  options: Llama2cHfTokenizerOptions = {},
): Llama2cHfTokenizer {
  if (!(tokenizer instanceof Llama2cTokenizer)) {
    throw new InvalidArgumentError('tokenizer must be a Llama2cTokenizer (from parseTokenizer)');
  }
  const file = options.file ?? 'tokenizer.bin';
  const pieces = vocabularyPieces(tokenizer, file);
  const vocab: Record<string, number> = {};
  const ids = new Map<string, number>();
  pieces.forEach((piece, id) => {
    const earlier = ids.get(piece);
    if (earlier !== undefined) {
      throw new FormatError(file, `tokens ${earlier} and ${id} are both ${describeValue(piece)}`);
    }
    ids.set(piece, id);
    vocab[piece] = id;
  });
  const mergeable = (id: number) => id >= BYTE_PIECES_START + 256;
  const merges = rankMerges(pieces, tokenizer.scores, ids, mergeable);
  const merged = new Set(merges.map(([left, right]) => ids.get(left + right)!));
  const byScore = new Map<number, number[]>();
  for (const id of merged) byScore.set(tokenizer.scores[id]!, [...(byScore.get(tokenizer.scores[id]!) ?? []), id]);
  const tiedScores = [...byScore.values()]
    .filter((group) => group.length > 1)
    .flat()
    .sort((a, b) => a - b);
  const [unk, bos, eos] = SPECIALS;
  const bosToken = { SpecialToken: { id: bos, type_id: 0 } };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => ({ id, ...specialToken(content) })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPACE_SYMBOL },
        { type: 'Replace', pattern: { String: ' ' }, content: SPACE_SYMBOL },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [bosToken, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        bosToken,
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [1], tokens: [bos] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE_SYMBOL }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: pieces[UNK],
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  const tokenizerConfig = {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: Object.fromEntries(SPECIALS.map((content, id) => [String(id), specialToken(content)])),
    bos_token: bos,
    clean_up_tokenization_spaces: false,
    eos_token: eos,
    legacy: true,
    ...(options.modelMaxLength === undefined ? {} : { model_max_length: options.modelMaxLength }),
    pad_token: null,
    sp_model_kwargs: {},
    tokenizer_class: 'LlamaTokenizer',
    unk_token: unk,
  };
  return { tokenizerJson, tokenizerConfig, merges, tiedScores };
}
