// The vocabulary files of a folder without a tokenizer.json: vocab.json + merges.txt (GPT-2, RoBERTa), vocab.txt.
import { FormatError } from '../../errors.js';
import { brief, shown } from './json.js';
import { checkVocab } from './tokenizer-model.js';
import { MAX_VOCABULARY_BYTES, readJsonObject, readLines, type TokenizerFile } from './tokenizer-read.js';

/** vocab.json (GPT-2, RoBERTa): token -> id. */
export function parseVocabJson(file: TokenizerFile): Record<string, number> {
  const vocab = checkVocab(readJsonObject(file, MAX_VOCABULARY_BYTES), 'the vocabulary', file.name);
  if (Object.keys(vocab).length === 0) throw new FormatError(file.name, 'holds no tokens');
  return vocab;
}

/**
 * merges.txt (GPT-2, RoBERTa): a `#version` line, then one merge "a b" a line, highest priority first; empty lines
 * are skipped. Each merge's parts and their concatenation must be tokens of `vocab` (vocab.json).
 */
export function parseMergesTxt(file: TokenizerFile, vocab: Record<string, number>, vocabFile: string): string[] {
  const all = readLines(file);
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
  const tokens = readLines(file);
  if (tokens.length === 0) throw new FormatError(file.name, 'holds no tokens');
  const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
  tokens.forEach((token, i) => {
    vocab[token] = i;
  });
  return vocab;
}
