// Writes safetensors files in the layout the safetensors crate (and so transformers' save_pretrained) writes:
//   u64 LE header length n; an n-byte compact JSON header, `__metadata__` first, then one entry per tensor
//   { dtype, shape, data_offsets } in the order given, padded with spaces so the data starts at a multiple of 8;
//   then the data buffer, the tensors back to back in the same order (their data_offsets tile it).
// safetensors itself orders tensors by dtype alignment (8-, 4-, 2-byte dtypes), then by name; pass them in that
// order to get its bytes exactly, and so that every F32 tensor stays 4-byte aligned after F16/BF16 ones.
// F16 and BF16 values are rounded from the f32 values to nearest, ties to even (overflow to infinity, NaN kept NaN).
import { InvalidArgumentError } from '../errors.js';
import { describeKind, describeText, describeValue } from '../describe.js';
import type { FloatDtype } from './safetensors.js';

export interface WritableTensor {
  readonly name: string;
  readonly dtype: FloatDtype;
  readonly shape: readonly number[];
  /** (product of shape) row-major */
  readonly data: Float32Array;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const ELEMENT_BYTES: Readonly<Record<FloatDtype, number>> = { F32: 4, F16: 2, BF16: 2 };

/** A name for a message: at most 64 characters, control characters escaped. */
const brief = (name: string): string => describeText(name);

/** float32 bit pattern -> IEEE half bit pattern, rounded to nearest even. */
function f32BitsToF16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0); // NaN stays quiet NaN
  const e = exponent - 127 + 15; // the half's biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // a half subnormal (or zero): the 24-bit significand shifted right, rounded to nearest even
    if (e < -10) return sign; // below half the smallest subnormal (2^-25): zero
    const significand = mantissa | 0x800000;
    const shift = 14 - e;
    const half = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (rest > halfway || (rest === halfway && half & 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // a carry out of the mantissa moves to the next exponent, and from the largest finite to infinity: both right
  return sign | (rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half);
}

/** float32 bit pattern -> bfloat16 bit pattern (the top half), rounded to nearest even. */
function f32BitsToBf16(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40; // NaN stays quiet NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function check(tensor: WritableTensor, seen: Set<string>): number {
  if (typeof tensor !== 'object' || tensor === null || typeof tensor.name !== 'string') {
    throw new InvalidArgumentError(`each tensor must be { name, dtype, shape, data }, got ${describeKind(tensor)}`);
  }
  const { name, dtype, shape, data } = tensor;
  const where = `tensor "${brief(name)}"`;
  if (name === '__metadata__' || seen.has(name)) {
    throw new InvalidArgumentError(`${where}: ${seen.has(name) ? 'name given twice' : 'reserved name'}`);
  }
  seen.add(name);
  if (!Object.hasOwn(ELEMENT_BYTES, dtype)) throw new InvalidArgumentError(`${where}: dtype must be F32, F16 or BF16`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidArgumentError(`${where}: shape must be non-negative integers`);
  }
  if (!(data instanceof Float32Array)) {
    throw new InvalidArgumentError(`${where}: data must be a Float32Array, got ${describeKind(data)}`);
  }
  const count = shape.reduce((p, d) => p * d, 1);
  if (data.length !== count) {
    throw new InvalidArgumentError(
      `${where}: data has ${data.length} values, shape ${describeValue(shape)} needs ${count}`,
    );
  }
  return count * ELEMENT_BYTES[dtype];
}

/**
 * One safetensors file of `tensors` (see the top of this file for the layout) with `metadata` as its
 * `__metadata__` (left out when undefined). Bad names, dtypes, shapes or data lengths are InvalidArgumentErrors.
 */
export function writeSafetensors(
  tensors: readonly WritableTensor[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  if (!Array.isArray(tensors)) throw new InvalidArgumentError(`tensors must be an array, got ${describeKind(tensors)}`);
  const seen = new Set<string>();
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string') throw new InvalidArgumentError(`metadata "${brief(k)}": value must be a string`);
  }
  // JSON.stringify would put integer-like names first; the header is joined by hand to keep the given order
  const entries: string[] = metadata === undefined ? [] : [`"__metadata__":${JSON.stringify(metadata)}`];
  let end = 0;
  const begins: number[] = [];
  for (const tensor of tensors) {
    const size = check(tensor, seen);
    begins.push(end);
    const entry = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [end, end + size] };
    entries.push(`${JSON.stringify(tensor.name)}:${JSON.stringify(entry)}`);
    end += size;
  }
  /** (json bytes) the compact header, before its padding */
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const dataStart = 8 + headerLength;
  /** (8 + headerLength + data bytes): the whole file */
  const out = new Uint8Array(dataStart + end);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, dataStart); // space padding
  tensors.forEach(({ dtype, data }, t) => {
    const at = dataStart + (begins[t] ?? 0);
    if (dtype === 'F32') {
      if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
      else for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i] ?? 0, true);
      return;
    }
    /** (data.length) the f32 bit patterns of data */
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    const round = dtype === 'F16' ? f32BitsToF16 : f32BitsToBf16;
    for (let i = 0; i < bits.length; i++) view.setUint16(at + 2 * i, round(bits[i] ?? 0), true);
  });
  return out;
}
