// The bounded text and JSON files of a model folder, decoded and parsed with FormatErrors that name the file.
import { FormatError } from '../../errors.js';

/** Text for a message: at most 64 characters, control characters replaced. */
export function brief(text: string): string {
  const cut = text.length > 64 ? `${text.slice(0, 61)}...` : text;
  return Array.from(cut, (c) => (c < ' ' || c === '\u007f' ? '?' : c)).join('');
}

/** A value for a message: its JSON, cut short. */
export const shown = (value: unknown): string => brief(JSON.stringify(value) ?? String(value));

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `bytes` as UTF-8 text, at most `maxBytes` of them; `kind` says what the file is in the message ("a config"). */
export function utf8Text(bytes: Uint8Array, file: string, maxBytes: number, kind: string): string {
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
    throw new FormatError(file, `is not valid JSON (${brief(error instanceof Error ? error.message : '')})`);
  }
  if (!isObject(json)) throw new FormatError(file, 'must hold a JSON object');
  return json;
}
