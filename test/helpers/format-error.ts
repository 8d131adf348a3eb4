// Runs fn and returns the FormatError it throws; anything else (or nothing) fails the test.
import { expect } from 'vitest';
import { FormatError } from '../../src/errors.js';

export function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError');
}
