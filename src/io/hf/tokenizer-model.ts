// The `model` of a tokenizer.json (BPE, WordPiece or Unigram), checked as far as the tokenizer package needs.
import { FormatError } from '../../errors.js';
import { brief, isObject, shown } from './json.js';
import { isIndex } from './tokenizer-read.js';

/** The model types the tokenizer package implements. */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'];

/** `vocab` of a BPE or WordPiece model: token -> id, every id a non-negative integer. */
export function checkVocab(vocab: unknown, where: string, file: string): Record<string, number> {
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

export function checkModel(model: unknown, file: string): Record<string, unknown> {
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
