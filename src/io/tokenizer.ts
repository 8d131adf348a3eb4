// llama2.c tokenizer.bin and its BPE encoder/decoder, as run.c's encode() and decode():
//   int32 LE max_token_length, then per token: float32 score, int32 length, `length` bytes (no terminator).
// The vocabulary size is not stored; it comes from the model header. Tokens are byte strings (pieces may be
// partial UTF-8), so lookups key them as binary strings: one char per byte, compared bytewise as strcmp does.
import { FormatError, InvalidArgumentError } from '../errors.js';
import { describeKind, describeValue } from '../describe.js';
import { mergeTokens } from './bpe.js';
import { asBytes, dataView, formatBytes } from './bytes.js';

/** Fixed ids of the llama2.c vocabularies (SentencePiece): <unk> 0, BOS 1, EOS 2, byte tokens <0x00>.. from 3. */
export const BOS = 1;
export const EOS = 2;
const BYTE_TOKEN_OFFSET = 3;

export interface EncodeOptions {
  /** Prepend BOS (1). */
  readonly bos?: boolean;
  /** Append EOS (2). */
  readonly eos?: boolean;
}

/** One byte per char, so string comparison is bytewise. */
function binary(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export class Llama2cTokenizer {
  /** (vocab) token scores: higher merges first. */
  readonly scores: Float32Array;
  /** Piece bytes as binary strings (one char per byte), indexed by id. */
  private readonly pieces: readonly string[];
  /** Piece -> id; the lowest id wins if a piece repeats. */
  private readonly ids: ReadonlyMap<string, number>;

  constructor(
    pieces: readonly Uint8Array[],
    scores: Float32Array,
    /** Longest piece in bytes, as the file declares it. */
    readonly maxTokenLength: number,
  ) {
    if (pieces.length !== scores.length) {
      throw new InvalidArgumentError(`tokenizer has ${pieces.length} pieces but ${scores.length} scores`);
    }
    this.scores = scores;
    this.pieces = pieces.map(binary);
    const ids = new Map<string, number>();
    this.pieces.forEach((p, i) => {
      if (!ids.has(p)) ids.set(p, i);
    });
    this.ids = ids;
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  /** The raw bytes of token `id`'s piece. */
  pieceBytes(id: number): Uint8Array {
    return Uint8Array.from(this.piece(id), (c) => c.charCodeAt(0));
  }

  /** Id of a piece given as bytes or as text (UTF-8), or -1 (run.c's str_lookup). */
  lookup(piece: Uint8Array | string): number {
    const key = typeof piece === 'string' ? binary(new TextEncoder().encode(piece)) : binary(piece);
    return this.ids.get(key) ?? -1;
  }

  /**
   * Token ids of `text`, exactly as run.c's encode(): a dummy-prefix " " token when the text is not empty,
   * then one token per UTF-8 codepoint (its bytes as byte tokens <0xXX> = byte + 3 when the codepoint is not
   * a piece), then repeatedly merge the adjacent pair whose concatenation is a piece with the highest score
   * (the first such pair on ties) until none is left. BOS/EOS as asked; BOS takes part in the merge scan,
   * as in run.c (no llama2.c piece contains its "\n<s>\n", so it never merges). One difference: a NUL
   * character, where run.c's C string would end, is encoded like any other byte.
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new InvalidArgumentError(`text must be a string, got ${describeKind(text)}`);
    const bytes = new TextEncoder().encode(text);
    const tokens: number[] = [];
    if (options.bos) tokens.push(BOS);
    if (bytes.length > 0) {
      // run.c looks " " up and uses it unchecked; a vocabulary without it gets the byte token instead
      const space = this.ids.get(' ');
      tokens.push(space ?? this.byteToken(0x20));
    }
    // codepoints: a lead byte plus its continuation bytes (10xxxxxx), at most 4, as run.c groups them
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      const next = bytes[i + 1];
      if (next !== undefined && (next & 0xc0) === 0x80 && i + 1 - start < 4) continue;
      const codepoint = bytes.subarray(start, i + 1);
      const id = this.ids.get(binary(codepoint));
      if (id !== undefined) tokens.push(id);
      else for (const b of codepoint) tokens.push(this.byteToken(b));
      start = i + 1;
    }
    mergeTokens(tokens, (a, b) => this.ids.get(this.pieces[a]! + this.pieces[b]!) ?? -1, this.scores);
    if (options.eos) tokens.push(EOS);
    return tokens;
  }

  /**
   * The bytes run.c's decode(prev, token) prints for `token` after `prev`: the piece, without its leading
   * space right after BOS, and the raw byte for a byte token <0xXX>.
   */
  decode(prev: number, token: number): Uint8Array {
    let piece = this.piece(token);
    if (prev === BOS && piece.startsWith(' ')) piece = piece.slice(1);
    const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
    if (byte) return Uint8Array.of(parseInt(byte[1]!, 16));
    return Uint8Array.from(piece, (c) => c.charCodeAt(0));
  }

  /**
   * The text of a token sequence: decode(previous, token) for each token, concatenated as bytes and read as
   * UTF-8 (invalid sequences become U+FFFD). BOS and EOS print nothing (run.c's generate never prints them),
   * so decodeAll(encode(text, { bos: true })) === text.
   */
  decodeAll(ids: readonly number[]): string {
    if (!Array.isArray(ids))
      throw new InvalidArgumentError(`ids must be an array of token ids, got ${describeKind(ids)}`);
    const parts: Uint8Array[] = [];
    let length = 0;
    ids.forEach((id, i) => {
      if (id === BOS || id === EOS) return;
      const part = this.decode(i > 0 ? ids[i - 1]! : -1, id);
      parts.push(part);
      length += part.length;
    });
    const out = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return new TextDecoder().decode(out);
  }

  private piece(id: number): string {
    const piece = this.pieces[id];
    if (!Number.isInteger(id) || piece === undefined) {
      throw new InvalidArgumentError(
        `token id ${describeValue(id)} is outside the vocabulary [0, ${this.pieces.length})`,
      );
    }
    return piece;
  }

  private byteToken(byte: number): number {
    const id = byte + BYTE_TOKEN_OFFSET;
    if (id >= this.pieces.length) {
      throw new InvalidArgumentError(
        `byte 0x${byte.toString(16).padStart(2, '0')} is not in the vocabulary and its fallback token ${id} ` +
          `is past the vocabulary size ${this.pieces.length}`,
      );
    }
    return id;
  }
}

/**
 * Parses tokenizer.bin for a model with `vocabSize` tokens. Rejects a file that ends inside a token, a
 * negative or over-long length, a length running past the end, and a token count other than vocabSize.
 */
export function parseTokenizer(
  data: Uint8Array | ArrayBuffer,
  vocabSize: number,
  file = 'tokenizer.bin',
): Llama2cTokenizer {
  if (!Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new InvalidArgumentError(`vocabSize must be a positive integer, got ${describeValue(vocabSize)}`);
  }
  const bytes = asBytes(data);
  const view = dataView(bytes);
  if (bytes.byteLength < 4) {
    throw new FormatError(file, `file is ${formatBytes(bytes.byteLength)}, shorter than the int32 max_token_length`);
  }
  // each token takes at least its score and length: check before the scores are allocated
  if (4 + 8 * vocabSize > bytes.byteLength) {
    throw new FormatError(
      file,
      `file is ${formatBytes(bytes.byteLength)}, too short for vocab_size = ${vocabSize} tokens ` +
        `(at least ${formatBytes(4 + 8 * vocabSize)})`,
    );
  }
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength <= 0) {
    throw new FormatError(file, `max_token_length = ${maxTokenLength}, expected a positive integer`, 0);
  }
  const pieces: Uint8Array[] = [];
  const scores = new Float32Array(vocabSize);
  let offset = 4;
  for (let i = 0; i < vocabSize; i++) {
    if (offset === bytes.byteLength) {
      throw new FormatError(file, `holds ${i} tokens, expected ${vocabSize} (the model's vocab_size)`, offset);
    }
    if (offset + 8 > bytes.byteLength) {
      throw new FormatError(file, `truncated in the score and length of token ${i}`, offset);
    }
    scores[i] = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    if (length < 0) throw new FormatError(file, `token ${i} has negative length ${length}`, offset + 4);
    if (length > maxTokenLength) {
      // run.c sizes its merge buffer from max_token_length
      throw new FormatError(file, `token ${i} has length ${length} > max_token_length ${maxTokenLength}`, offset + 4);
    }
    offset += 8;
    if (offset + length > bytes.byteLength) {
      throw new FormatError(
        file,
        `token ${i} has length ${length}, running past the end of the file (${formatBytes(bytes.byteLength)})`,
        offset,
      );
    }
    pieces.push(bytes.slice(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.byteLength) {
    throw new FormatError(
      file,
      `${formatBytes(bytes.byteLength - offset)} after token ${vocabSize - 1}: the file holds more than ` +
        `vocab_size = ${vocabSize} tokens`,
      offset,
    );
  }
  return new Llama2cTokenizer(pieces, scores, maxTokenLength);
}
