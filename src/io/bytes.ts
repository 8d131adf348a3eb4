// Byte-buffer helpers shared by the readers: one view type for every input, little-endian scalars, and
// float32 views that alias the file's bytes when they can.
import { InvalidArgumentError } from '../errors.js';
import { describeKind } from '../describe.js';

/** Whether this platform stores numbers little-endian (every file format read here is little-endian). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Throws InvalidArgumentError unless `data` is a Uint8Array (a Node Buffer is one) or an ArrayBuffer. */
export function checkBytes(data: unknown, name = 'data'): asserts data is Uint8Array | ArrayBuffer {
  if (!(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) {
    throw new InvalidArgumentError(`${name} must be a Uint8Array or an ArrayBuffer, got ${describeKind(data)}`);
  }
}

/**
 * The bytes as a plain Uint8Array view (no copy); a Node Buffer becomes a plain view of the same memory.
 * Anything else (null, a plain Array, a string) is an InvalidArgumentError naming `name`.
 */
export function asBytes(data: Uint8Array | ArrayBuffer, name = 'data'): Uint8Array {
  checkBytes(data, name);
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A DataView over exactly the bytes of `bytes`. */
export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * (count) little-endian float32 values starting at byte `offset` of `bytes`: a zero-copy view when the
 * absolute address is 4-byte aligned (and the platform is little-endian), a copy otherwise. The caller
 * has checked that the range lies inside `bytes`.
 */
export function float32At(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const start = bytes.byteOffset + offset;
  if (LITTLE_ENDIAN && start % 4 === 0) return new Float32Array(bytes.buffer, start, count);
  const view = dataView(bytes);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
  return out;
}

/** Formats a byte count with thousands separators for messages ("1,056,540 bytes"; "1.23e+30 bytes" past 2^53). */
export function formatBytes(n: number): string {
  // a size computed from a corrupt header may have hundreds of digits
  const digits = Number.isSafeInteger(n) ? n.toLocaleString('en-US') : n.toPrecision(3);
  return `${digits} byte${n === 1 ? '' : 's'}`;
}
