// What every causal LM's forward pass starts with: the span of positions checked against the buffers and
// the context, and the token embeddings looked up (a table read, declared non-spiking by each model).
import { InvalidArgumentError } from '../errors.js';
import type { LinearLayer } from '../ops/opset.js';

/** Throws unless S tokens at positions startPos .. startPos + S - 1 fit maxRows buffers and the context. */
export function checkSpan(S: number, startPos: number, maxRows: number, contextLength: number): void {
  if (S < 1 || S > maxRows) throw new InvalidArgumentError(`forward takes 1 to ${maxRows} tokens, got ${S}`);
  if (!Number.isInteger(startPos) || startPos < 0 || startPos + S > contextLength) {
    throw new InvalidArgumentError(`positions ${startPos} .. ${startPos + S - 1} must lie in [0, ${contextLength})`);
  }
}

/**
 * out (S, dim) = the table's (vocab, dim) rows of the tokens, each checked against the vocabulary. The table is an
 * array, or the classifier it is tied to (its weight rows, read back from the resident copy).
 */
export function embedTokens(
  out: Float32Array,
  table: Float32Array | LinearLayer,
  tokens: ArrayLike<number>,
  dim: number,
): void {
  const vocabSize = table instanceof Float32Array ? table.length / dim : table.outFeatures;
  for (let s = 0; s < tokens.length; s++) {
    const token = tokens[s] as number;
    if (!Number.isInteger(token) || token < 0 || token >= vocabSize) {
      throw new InvalidArgumentError(`token ${token} at index ${s} is outside the vocabulary [0, ${vocabSize})`);
    }
    const row = out.subarray(s * dim, (s + 1) * dim);
    if (table instanceof Float32Array) row.set(table.subarray(token * dim, (token + 1) * dim));
    else table.weightRow(token, row);
  }
}
