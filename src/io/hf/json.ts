// The bounded text and JSON files of a model folder, decoded and parsed with FormatErrors that name the file.
import { FormatError } from '../../errors.js';
import { describeText, describeValue } from '../../describe.js';
import { checkBytes } from '../bytes.js';

/** Text for a message: at most 64 characters, control characters escaped (\u0000). */
export const brief = (text: string): string => describeText(text);

/** A value for a message: JSON-like, summarised to at most 64 characters however long or deep it is. */
export const shown = (value: unknown): string => describeValue(value);

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `bytes` as UTF-8 text, at most `maxBytes` of them; `kind` says what the file is in the message ("a config"). */
export function utf8Text(bytes: Uint8Array, file: string, maxBytes: number, kind: string): string {
  checkBytes(bytes, `the bytes of ${file}`);
  if (bytes.byteLength > maxBytes) {
    throw new FormatError(file, `is ${bytes.byteLength} bytes, more than ${kind} can be (${maxBytes})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(file, 'is not valid UTF-8 text');
  }
}

/** The JSON object a file of at most `maxBytes` UTF-8 bytes holds (`kind` as for utf8Text). */
export function parseJsonFile(
  bytes: Uint8Array,
  file: string,
  maxBytes: number,
  kind: string,
): Record<string, unknown> {
  const source = utf8Text(bytes, file, maxBytes, kind);
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    throw new FormatError(file, `is not valid JSON (${describeText(error instanceof Error ? error.message : '')})`);
  }
  if (!isObject(json)) throw new FormatError(file, 'must hold a JSON object');
  return json;
}
