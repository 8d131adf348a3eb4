// Argument checks shared by the kernel facade: they throw InvalidArgumentError (or WasmMemoryError for
// operands that cannot fit) before wasm can trap or a typed-array constructor throw a RangeError.
import { InvalidArgumentError, WasmMemoryError } from '../errors.js';
import { describeKind, describeValue } from '../describe.js';
import { MAX_WASM_BYTES } from './heap.js';

/** Bases per neuron and timesteps per run the membrane kernels (and their table block) are sized for. */
export const MAX_BASES = 8;
export const MAX_TIMESTEPS = 32;
/** Elements per operand and rows or columns per matrix: keeps every byte offset inside wasm32. */
export const MAX_ELEMENTS = 2 ** 28;
export const MAX_DIM = 2 ** 24;

/** An integer in [min, max]. */
export function checkInt(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
}

type TypedArrayClass<T> = { new (length: number): T; readonly name: string };

/** A typed array of the given class (a plain Array, null or another typed array is an InvalidArgumentError). */
export function checkTypedArray<T>(name: string, value: unknown, type: TypedArrayClass<T>): asserts value is T {
  if (!(value instanceof type))
    throw new InvalidArgumentError(`${name} must be a ${type.name}, got ${describeKind(value)}`);
}

export function checkFloat32Array(name: string, value: unknown): asserts value is Float32Array {
  checkTypedArray(name, value, Float32Array);
}

/** An object argument (tables, planes); null, arrays and other values are an InvalidArgumentError. */
export function checkObject(name: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an object, got ${describeKind(value)}`);
  }
}

/** An options argument: undefined or an object. */
export function checkOptions(name: string, value: unknown): void {
  if (value !== undefined) checkObject(name, value);
}

/**
 * A typed array of exactly `length` elements (the expected shape is named in the message; give it as a function
 * where formatting it at every call of a hot kernel would cost more than the check).
 */
export function checkLength(
  name: string,
  array: ArrayLike<number>,
  length: number,
  shape: string | (() => string),
): void {
  if (array.length !== length) {
    const described = typeof shape === 'string' ? shape : shape();
    throw new InvalidArgumentError(`${name} must have ${length} elements ${described}, got ${array.length}`);
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
export function checkFiniteNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} must be a finite number, got ${describeValue(value)}`);
  }
}

/**
 * Throws WasmMemoryError when one call's operands and results (`bytes` of wasm memory) cannot fit in wasm32,
 * checked before the results are allocated: past 2^32 bytes a typed-array constructor would throw a RangeError.
 */
export function checkWasmBytes(what: string, bytes: number): void {
  if (bytes > MAX_WASM_BYTES) {
    throw new WasmMemoryError(
      `${what} need ${bytes.toLocaleString('en-US')} bytes of wasm memory; the wasm32 limit is ` +
        `${MAX_WASM_BYTES.toLocaleString('en-US')} (4 GiB)`,
    );
  }
}

/** A new result array; an allocation the JS engine refuses is a WasmMemoryError, not a bare RangeError. */
export function newArray<T>(type: TypedArrayClass<T>, length: number, name: string): T {
  try {
    return new type(length);
  } catch (cause) {
    if (!(cause instanceof RangeError)) throw cause;
    throw new WasmMemoryError(`${name}: ${length.toLocaleString('en-US')} elements could not be allocated`);
  }
}
