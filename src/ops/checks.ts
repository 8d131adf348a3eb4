// Shape checks for OpSet calls: a wrong buffer length is a clear error naming the site, not a silent
// read past a row.
import { InvalidArgumentError } from '../errors.js';
import { ACTIVATION_KINDS, type ActivationKind } from './opset.js';

export function checkLength(site: string, name: string, array: ArrayLike<number>, length: number): void {
  if (array.length < length) {
    throw new InvalidArgumentError(`${site}: ${name} has ${array.length} elements, the operation needs ${length}`);
  }
}

/** A (rows, n) buffer. */
export function checkRows(site: string, array: ArrayLike<number>, rows: number, n: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`${site}: shape (${rows}, ${n}) must be non-negative integers`);
  }
  checkLength(site, `buffer (${rows}, ${n})`, array, rows * n);
}

/** A softmax's rowBlock: a positive integer whose blocks tile the rows. */
export function checkRowBlock(site: string, rowBlock: number, rows: number): void {
  if (!Number.isInteger(rowBlock) || rowBlock < 1 || rows % rowBlock !== 0) {
    throw new InvalidArgumentError(
      `${site}: rowBlock must be a positive integer dividing the ${rows} rows, got ${String(rowBlock)}`,
    );
  }
}

export function checkActivation(site: string, kind: string): asserts kind is ActivationKind {
  if (!ACTIVATION_KINDS.includes(kind as ActivationKind)) {
    throw new InvalidArgumentError(
      `${site}: unknown activation "${kind}"; expected one of ${ACTIVATION_KINDS.join(', ')}`,
    );
  }
}

/** Each `[field, min]` of `record` an integer in [min, 65536]; a message starting with `what` otherwise. */
export function checkIntegerFields<R extends object>(
  what: string,
  record: R,
  fields: ReadonlyArray<readonly [keyof R & string, number]>,
): void {
  for (const [field, min] of fields) {
    const v = record[field];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > 65_536) {
      throw new InvalidArgumentError(`${what} ${field} must be an integer in [${min}, 65536], got ${String(v)}`);
    }
  }
}
