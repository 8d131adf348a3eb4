// llama2.c's files for the tests: tokenizer.bin bytes written in memory, and the fixtures' tok512.bin,
// TinyStories text and the energy groups of stories260K (only call the fixture loaders inside describeFixtures).
import { readFileSync } from 'node:fs';
import { loadTokenizer } from '../../src/io/node/files.js';
import type { Llama2cTokenizer } from '../../src/io/tokenizer.js';
import { splitParagraphs } from '../../src/tasks/language-model.js';
import { fixture } from './fixtures.js';

/** A tokenizer.bin piece and its score; a piece given as bytes is written as it is. */
export type ScoredPiece = readonly [string | Uint8Array, number];

/** tokenizer.bin bytes for (piece, score) pairs; max_token_length defaults to the longest piece. */
export function tokenizerBin(tokens: readonly ScoredPiece[], maxTokenLength?: number): Uint8Array {
  const encoded = tokens.map(([p, s]) => [typeof p === 'string' ? new TextEncoder().encode(p) : p, s] as const);
  const out = new Uint8Array(4 + encoded.reduce((n, [b]) => n + 8 + b.length, 0));
  const view = new DataView(out.buffer);
  view.setInt32(0, maxTokenLength ?? Math.max(...encoded.map(([b]) => b.length)), true);
  let at = 4;
  for (const [bytes, score] of encoded) {
    view.setFloat32(at, score, true);
    view.setInt32(at + 4, bytes.length, true);
    out.set(bytes, at + 8);
    at += 8 + bytes.length;
  }
  return out;
}

/** The 256 byte pieces <0x00> .. <0xFF>, score 0. */
export function bytePieces(): [string, number][] {
  return Array.from({ length: 256 }, (_, b): [string, number] => [
    `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
    0,
  ]);
}

/** As llama2.c's tokenizer.py writes a SentencePiece model: <unk>, BOS, EOS, the byte pieces (ids 3..258), then `pieces`. */
export function llama2cVocabulary<P extends ScoredPiece>(pieces: readonly P[]): (P | [string, number])[] {
  return [['<unk>', 0], ['\n<s>\n', 0], ['\n</s>\n', 0], ...bytePieces(), ...pieces];
}

/** The fixtures' tok512.bin (512 pieces), read as `vocabSize` tokens. */
export const loadTok512 = (vocabSize = 512): Promise<Llama2cTokenizer> =>
  loadTokenizer(fixture('llama2c', 'tok512.bin'), vocabSize);

/** The fixtures' TinyStories validation text. */
export const tinyStoriesText = (): string => readFileSync(fixture('text', 'tinystories_valid_part1.txt'), 'utf8');

/** Paragraphs `start` to `end` (exclusive) of the TinyStories text. */
export const tinyStoriesParagraphs = (start: number, end: number): string[] =>
  splitParagraphs(tinyStoriesText()).slice(start, end);

/** stories260K's energy groups: its five layers and the final norm and head. */
export const STORIES260K_GROUPS = ['layer0', 'layer1', 'layer2', 'layer3', 'layer4', 'final'];
