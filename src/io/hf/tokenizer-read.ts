// One file of a tokenizer, read with a size bound as UTF-8 text, as lines, or as a JSON object.
import { parseJsonFile, utf8Text } from './json.js';

/** One file of a model folder: a path or File name (for messages) and its bytes. */
export interface TokenizerFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Tokenizer files hold a vocabulary (a few MB, tens for the largest); anything past this is not one. */
export const MAX_VOCABULARY_BYTES = 256 << 20;
/** tokenizer_config.json holds options, a chat template and maybe added_tokens_decoder: well under this. */
export const MAX_CONFIG_BYTES = 32 << 20;

const KIND = 'a tokenizer file';

/** A token id: a non-negative integer below 2^31. */
export const isIndex = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31;

/** The file's JSON object, at most `max` bytes. */
export function readJsonObject(file: TokenizerFile, max: number): Record<string, unknown> {
  return parseJsonFile(file.bytes, file.name, max, KIND);
}

/** The lines of a text file, without line ends (\n or \r\n) and without the empty line after a final newline. */
export function readLines(file: TokenizerFile): string[] {
  const all = utf8Text(file.bytes, file.name, MAX_VOCABULARY_BYTES, KIND).split('\n');
  if (all.at(-1) === '') all.pop();
  return all.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
