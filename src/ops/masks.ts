// Which columns of a softmax row take part: the causal mask (row r of its block sees columns 0 .. causalOffset + r)
// and the key mask (padding keys never do). Every OpSet applies them the same way.
import type { SoftmaxOptions } from './opset.js';

/** Columns 0 .. visibleColumns - 1 of row r pass the causal mask (all n without one). */
export function visibleColumns(options: SoftmaxOptions, r: number, n: number): number {
  if (options.causalOffset === undefined) return n;
  const row = options.rowBlock === undefined ? r : r % options.rowBlock;
  return Math.min(n, Math.max(0, options.causalOffset + row + 1));
}

/** Whether column j takes part, given its row's causal limit `valid`. */
export function isVisible(options: SoftmaxOptions, valid: number, j: number): boolean {
  return j < valid && (options.keyMask === undefined || options.keyMask[j] !== 0);
}

/** How many columns of row r take part. */
export function visibleCount(options: SoftmaxOptions, r: number, n: number): number {
  const valid = visibleColumns(options, r, n);
  if (options.keyMask === undefined) return valid;
  let count = 0;
  for (let j = 0; j < valid; j++) if (options.keyMask[j] !== 0) count++;
  return count;
}
