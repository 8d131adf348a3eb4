// safetensors files (huggingface/safetensors format):
//   u64 LE n, an n-byte JSON header { "__metadata__"?: {string: string}, name: { dtype, shape, data_offsets } },
//   then the data buffer; data_offsets [begin, end) are relative to the buffer and must tile it exactly.
// F32, F16 and BF16 tensors become Float32Array (F32 aliases the file when 4-byte aligned); tensors of the
// other dtypes of the format (e.g. the I64 position_ids buffers of old BERT checkpoints) keep their raw bytes.
// Memory: the file is never copied whole. F32 tensors are views into it when 4-byte aligned (always for files
// safetensors writes: data at a multiple of 8, tensors sorted by dtype alignment; an unaligned one is copied
// alone); each F16/BF16 tensor is widened into its own Float32Array. Peak: the file + 4 bytes per F16/BF16
// element (3x the file for an all-F16 checkpoint). Raw tensors are views into the file.
import { FormatError, InvalidArgumentError } from '../errors.js';
import { describeShape, describeText, describeValue } from '../describe.js';
import { asBytes, dataView, float32At, formatBytes } from './bytes.js';
import { checkFiniteWeights, type WeightOptions } from './finite.js';
import type { Tensor } from '../tensor.js';

export type FloatDtype = 'F32' | 'F16' | 'BF16';
export type OtherDtype =
  'F64' | 'F8_E4M3' | 'F8_E5M2' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';
export type SafetensorsDtype = FloatDtype | OtherDtype;

const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** A floating-point tensor, widened to float32. */
export interface FloatTensor {
  readonly name: string;
  readonly dtype: FloatDtype;
  readonly shape: readonly number[];
  /** (product of shape) row-major */
  readonly data: Float32Array;
}

/** A tensor of another dtype, left as its little-endian bytes. */
export interface RawTensor {
  readonly name: string;
  readonly dtype: OtherDtype;
  readonly shape: readonly number[];
  /** (product of shape * bytes per element), a view into the file */
  readonly bytes: Uint8Array;
}

export type SafetensorsTensor = FloatTensor | RawTensor;

export interface Safetensors {
  /** The name used in messages. */
  readonly file: string;
  /** The header's `__metadata__` ({} when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** In header order. */
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
}

const MAX_HEADER_BYTES = 100_000_000; // the safetensors crate's limit

/** A name for a message: at most 64 characters, control characters escaped. */
const brief = (name: string): string => describeText(name);

/** A header value for a message: its JSON, summarised (bounded however long or deeply nested it is). */
const shown = (value: unknown): string => describeValue(value);

function isFloat(tensor: SafetensorsTensor): tensor is FloatTensor {
  return tensor.dtype === 'F32' || tensor.dtype === 'F16' || tensor.dtype === 'BF16';
}

/**
 * (count) f32 values of the tensor at byte `offset`: F32 a view when aligned (float32At), F16/BF16 a new array,
 * filled bit-exactly (NaN payloads, infinities, signed zeros, F16 subnormals kept): this tensor's f32 only.
 */
function widen(bytes: Uint8Array, offset: number, dtype: FloatDtype, count: number): Float32Array {
  if (dtype === 'F32') return float32At(bytes, offset, count);
  const view = dataView(bytes);
  /** (count) f32 */
  const out = new Float32Array(count);
  /** (count) the same memory as f32 bit patterns */
  const bits = new Uint32Array(out.buffer);
  if (dtype === 'F16') {
    for (let i = 0; i < count; i++) {
      const h = view.getUint16(offset + 2 * i, true);
      const sign = (h & 0x8000) << 16;
      const exponent = (h >> 10) & 0x1f;
      const mantissa = h & 0x3ff;
      // zero and subnormals: exact as values; inf/NaN (payload kept) and normals (exponent 15 -> 127): as bits
      if (exponent === 0) out[i] = (sign ? -mantissa : mantissa) * 2 ** -24;
      else bits[i] = sign | (exponent === 0x1f ? 0x7f800000 : (exponent + 112) << 23) | (mantissa << 13);
    }
  } else {
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(offset + 2 * i, true) << 16; // bf16: f32's top half
  }
  return out;
}

/**
 * Keys of the top-level JSON object in order, duplicates kept (JSON.parse silently keeps the last one).
 * `json` has already been parsed, so it is well-formed.
 */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const start = i;
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++;
      if (depth !== 1) continue;
      let j = i + 1;
      while (/\s/.test(json[j] ?? '')) j++;
      if (json[j] === ':') keys.push(JSON.parse(json.slice(start, i + 1)) as string);
    }
  }
  return keys;
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses a safetensors file. Rejects with FormatError: a file shorter than 8 bytes, a header length past the
 * end or over 100 MB, a header that is not a JSON object, duplicate names, malformed entries (unknown dtype,
 * bad shape or offsets), offsets past the data buffer, a byte size that does not match shape x dtype, and gaps
 * or overlaps (the tensors must cover the buffer exactly). `file` only appears in messages; names and values
 * from the header are cut to 64 characters there.
 */
export function parseSafetensors(data: Uint8Array | ArrayBuffer, file = 'safetensors'): Safetensors {
  const bytes = asBytes(data);
  if (bytes.byteLength < 8) {
    throw new FormatError(file, `file is ${formatBytes(bytes.byteLength)}, shorter than the 8-byte header length`);
  }
  const headerLength = dataView(bytes).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new FormatError(file, `header length ${headerLength} is over the ${formatBytes(MAX_HEADER_BYTES)} limit`, 0);
  }
  if (headerLength > BigInt(bytes.byteLength - 8)) {
    throw new FormatError(
      file,
      `header length ${headerLength} runs past the end of the file (${formatBytes(bytes.byteLength)})`,
      0,
    );
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `header is not valid UTF-8 JSON (${describeText((e as Error).message)})`, 8);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new FormatError(file, 'header is not a JSON object', 8);
  }
  // header order, which Object.keys would not keep for integer-like names
  const names = topLevelKeys(text);
  const seen = new Set<string>();
  for (const key of names) {
    if (seen.has(key)) throw new FormatError(file, `key "${brief(key)}" appears twice in the header`, 8);
    seen.add(key);
  }

  const entries = names.map((name) => [name, (header as Record<string, unknown>)[name]] as const);
  let metadata: Record<string, string> = {};
  const bufferLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of entries) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new FormatError(file, '__metadata__ is not a JSON object', 8);
      }
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new FormatError(file, `__metadata__.${brief(k)} is not a string`, 8);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const where = `tensor "${brief(name)}"`;
    if (typeof entry !== 'object' || entry === null) throw new FormatError(file, `${where} is not an object`, 8);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      throw new FormatError(
        file,
        `${where} has unknown dtype ${shown(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`,
        8,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      throw new FormatError(file, `${where} has shape ${shown(shape)}, expected non-negative integers`, 8);
    }
    const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? (offsets as unknown[]) : [];
    if (!isNonNegativeInteger(begin) || !isNonNegativeInteger(end) || begin > end) {
      throw new FormatError(
        file,
        `${where} has data_offsets ${shown(offsets)}, expected [begin, end] with 0 <= begin <= end`,
        8,
      );
    }
    if (end > bufferLength) {
      throw new FormatError(
        file,
        `${where} has data_offsets [${begin}, ${end}] past the end of the data buffer ` +
          `(${formatBytes(bufferLength)}; file truncated?)`,
        dataStart + begin,
      );
    }
    const elementBytes = DTYPE_BYTES[dtype as SafetensorsDtype];
    const count = shape.reduce((p: number, d: number) => p * d, 1);
    if (count * elementBytes !== end - begin) {
      throw new FormatError(
        file,
        `${where} has shape ${describeShape(shape)} of ${dtype} = ${formatBytes(count * elementBytes)}, but its ` +
          `data_offsets [${begin}, ${end}] span ${formatBytes(end - begin)}`,
        dataStart + begin,
      );
    }
    spans.push({ name, begin, end });
    const common = { name, shape: shape as number[] };
    tensors.set(
      name,
      dtype === 'F32' || dtype === 'F16' || dtype === 'BF16'
        ? { ...common, dtype, data: widen(bytes, dataStart + begin, dtype, count) }
        : { ...common, dtype: dtype as OtherDtype, bytes: bytes.subarray(dataStart + begin, dataStart + end) },
    );
  }

  // the tensors must tile [0, bufferLength) with no hole and no overlap
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const { name, begin, end } of spans) {
    if (begin > covered) {
      throw new FormatError(
        file,
        `${formatBytes(begin - covered)} gap in the data buffer before tensor "${brief(name)}" (bytes ${covered}..${begin})`,
        dataStart + covered,
      );
    }
    if (begin < covered) {
      throw new FormatError(
        file,
        `tensor "${brief(name)}" (data_offsets [${begin}, ${end}]) overlaps tensor "${brief(previous)}"`,
        dataStart + begin,
      );
    }
    covered = end;
    previous = name;
  }
  if (covered !== bufferLength) {
    throw new FormatError(
      file,
      `${formatBytes(bufferLength - covered)} after the last tensor: the data buffer is not fully covered`,
      dataStart + covered,
    );
  }
  return { file, metadata, tensors };
}

function checkParsed(st: Safetensors): void {
  if (typeof st !== 'object' || st === null || !(st.tensors instanceof Map)) {
    throw new InvalidArgumentError('expected a parsed safetensors file (from parseSafetensors)');
  }
}

/**
 * The float tensor `name`, checked against `shape` when given. Throws FormatError naming the file when it
 * is missing, not a float dtype, of another shape, or holds a NaN or infinity (unless options.allowNonFinite).
 */
export function floatTensor(
  st: Safetensors,
  name: string,
  shape?: readonly number[],
  options?: WeightOptions,
): FloatTensor {
  checkParsed(st);
  const tensor = st.tensors.get(name);
  if (tensor === undefined) throw new FormatError(st.file, `has no tensor "${brief(name)}"`);
  if (!isFloat(tensor))
    throw new FormatError(st.file, `tensor "${brief(name)}" is ${tensor.dtype}, expected a float dtype`);
  if (shape && (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i]))) {
    throw new FormatError(
      st.file,
      `tensor "${brief(name)}" has shape ${describeShape(tensor.shape)}, expected ${describeShape(shape)}`,
    );
  }
  checkFiniteWeights(tensor.data, st.file, name, options);
  return tensor;
}

/**
 * The float tensors of a file, by name (other dtypes, such as integer buffers, are left out). A tensor holding a
 * NaN or infinity is a FormatError naming it and the element, unless options.allowNonFinite.
 */
export function floatTensorMap(file: Safetensors, options?: WeightOptions): Map<string, Tensor> {
  checkParsed(file);
  const map = new Map<string, Tensor>();
  for (const [name, tensor] of file.tensors) {
    if (!isFloat(tensor)) continue;
    checkFiniteWeights(tensor.data, file.file, name, options);
    map.set(name, { data: tensor.data, shape: tensor.shape });
  }
  return map;
}
