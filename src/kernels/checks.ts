// Argument checks shared by the kernel facade: they throw InvalidArgumentError before wasm can trap.
import { InvalidArgumentError } from '../errors.js';

/** Bases per neuron and timesteps per run the membrane kernels (and their table block) are sized for. */
export const MAX_BASES = 8;
export const MAX_TIMESTEPS = 32;
/** Elements per operand and rows or columns per matrix: keeps every byte offset inside wasm32. */
export const MAX_ELEMENTS = 2 ** 28;
export const MAX_DIM = 2 ** 24;

/** An integer in [min, max]. */
export function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

/** A typed array of exactly `length` elements (the expected shape is named in the message). */
export function checkLength(name: string, array: ArrayLike<number>, length: number, shape: string): void {
  if (array.length !== length) {
    throw new InvalidArgumentError(`${name} must have ${length} elements ${shape}, got ${array.length}`);
  }
}

/** Every element finite; names the first offending index. */
export function checkFinite(name: string, array: ArrayLike<number>): void {
  for (let i = 0; i < array.length; i++) {
    const v = array[i] as number;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${name}[${i}] must be finite, got ${v}`);
  }
}

/** A finite number. */
export function checkFiniteNumber(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`${name} must be a finite number, got ${value}`);
}
