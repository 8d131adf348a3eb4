// One fuzz case: a seed of a format mutated one to three times (reproducible from the seed and the case number),
// read, and classified: accepted, rejected with an MbeError, or a failure (an untyped error, a case that ran too
// long, a message over MAX_MESSAGE characters or with raw control characters).
import { MbeError } from '../../src/errors.js';
import { seededRandom } from '../../src/random.js';
import { mutateGzip, mutatePng } from './containers.js';
import type { Files, FuzzFormat } from './formats.js';
import { mutateBytes, mutateJsonText, type Random } from './mutate.js';

/** The longest message a rejection may have. */
export const MAX_MESSAGE = 500;

export type Outcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rejected' }
  | { readonly kind: 'untyped'; readonly detail: string }
  | { readonly kind: 'long message'; readonly detail: string }
  | { readonly kind: 'hang'; readonly detail: string };

const hash = (text: string): number => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};

/** The header of a safetensors file as text, edited structurally; the length is rewritten (or, sometimes, kept). */
function mutateSafetensors(random: Random, bytes: Uint8Array): Uint8Array {
  if (bytes.length < 8) return mutateBytes(random, bytes);
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (length > bytes.length - 8) return mutateBytes(random, bytes);
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const edited = new TextEncoder().encode(mutateJsonText(random, header));
  const out = new Uint8Array(8 + edited.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(random() < 0.9 ? edited.length : length), true);
  out.set(edited, 8);
  out.set(bytes.subarray(8 + length), 8 + edited.length);
  return out;
}

/**
 * One edit of one file: half of the time structure-aware (JSON values, a safetensors header, inside a PNG's
 * checksums or a gzip stream), bytes otherwise.
 */
function mutateFile(random: Random, name: string, bytes: Uint8Array): Uint8Array {
  if (random() < 0.5) {
    if (name.endsWith('.json')) {
      return new TextEncoder().encode(mutateJsonText(random, new TextDecoder().decode(bytes)));
    }
    if (name.endsWith('.safetensors')) return mutateSafetensors(random, bytes);
    if (name.endsWith('.png')) return mutatePng(random, bytes);
    if (name.endsWith('.gz')) return mutateGzip(random, bytes);
  }
  return mutateBytes(random, bytes);
}

/** Case `index` of a format: the same files for the same seed and index, on every run and machine. */
export function caseFiles(format: FuzzFormat, seed: number, index: number): Files {
  const random = seededRandom((hash(format.name) ^ Math.imul(seed, 0x9e3779b1) ^ Math.imul(index, 0x85ebca6b)) >>> 0);
  const files = new Map(format.seeds[Math.floor(random() * format.seeds.length)]);
  const names = [...files.keys()];
  for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
    const name = names[Math.floor(random() * names.length)]!;
    files.set(name, mutateFile(random, name, files.get(name)!));
  }
  return files;
}

const describe = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}... (${text.length} characters)` : text;
};

/** Reads the files and classifies what happened; a read longer than `slowMs` counts as a hang. */
export async function runCase(format: FuzzFormat, files: Files, slowMs: number): Promise<Outcome> {
  const start = performance.now();
  let outcome: Outcome;
  try {
    await format.read(files);
    outcome = { kind: 'accepted' };
  } catch (error) {
    if (!(error instanceof MbeError)) outcome = { kind: 'untyped', detail: describe(error) };
    else if (error.message.length > MAX_MESSAGE || /\p{Cc}/u.test(error.message)) {
      outcome = { kind: 'long message', detail: describe(error) };
    } else outcome = { kind: 'rejected' };
  }
  const ms = performance.now() - start;
  return ms > slowMs ? { kind: 'hang', detail: `${Math.round(ms)} ms (${outcome.kind})` } : outcome;
}

/** Per-format counts, as the fuzz script prints them. */
export interface FuzzCounts {
  accepted: number;
  rejected: number;
  untyped: number;
  hangs: number;
  longMessages: number;
}

export const emptyCounts = (): FuzzCounts => ({ accepted: 0, rejected: 0, untyped: 0, hangs: 0, longMessages: 0 });

export function count(counts: FuzzCounts, outcome: Outcome): void {
  if (outcome.kind === 'accepted') counts.accepted++;
  else if (outcome.kind === 'rejected') counts.rejected++;
  else if (outcome.kind === 'untyped') counts.untyped++;
  else if (outcome.kind === 'hang') counts.hangs++;
  else counts.longMessages++;
}
