// Seeded mutators for the reader fuzzer: byte-level edits (bit flips, interesting integers, cuts, splices) for any
// file, and structure-aware edits for JSON (a value replaced by a deep, long, huge or wrongly typed one), so that
// mutated files get past the first checks and into the readers' deeper code.

import { concat } from '../helpers/images.js';

export type Random = () => number;

const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)] as T;

/** 32-bit values that sit on the readers' boundaries (sizes, counts, signs). */
const INTERESTING_U32 = [0, 1, 2, 3, 7, 8, 16, 255, 256, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
/** float32 bit patterns: NaN, infinities, the largest finite, a subnormal, -0. */
const INTERESTING_F32 = [0x7fc00000, 0x7f800000, 0xff800000, 0x7f7fffff, 0x00000001, 0x80000000];

/** One byte-level edit of a copy of `bytes`. */
export function mutateBytes(random: Random, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes); // a copy (a Buffer's slice() would alias the seed)
  const at = int(random, Math.max(out.length, 1));
  const view = new DataView(out.buffer);
  switch (int(random, 9)) {
    case 0: // flip a few bits
      for (let k = 0, n = 1 + int(random, 8); k < n && out.length > 0; k++)
        out[int(random, out.length)]! ^= 1 << int(random, 8);
      return out;
    case 1: // a byte set to an edge value
      if (out.length > 0) out[at] = pick(random, [0, 0x7f, 0x80, 0xff, 0x22, 0x5b, 0x7b]);
      return out;
    case 2: // an aligned 32-bit word set to an interesting integer, either endianness
      if (out.length >= 4)
        view.setUint32(Math.min(at & ~3, out.length - 4), pick(random, INTERESTING_U32), random() < 0.7);
      return out;
    case 3: // an aligned float set to NaN, an infinity or an extreme
      if (out.length >= 4) view.setUint32(Math.min(at & ~3, out.length - 4), pick(random, INTERESTING_F32), true);
      return out;
    case 4: // cut
      return out.subarray(0, int(random, out.length + 1));
    case 5: {
      // delete a chunk
      const end = Math.min(out.length, at + 1 + int(random, 64));
      return concat([out.subarray(0, at), out.subarray(end)]);
    }
    case 6: {
      // duplicate a chunk in place
      const end = Math.min(out.length, at + 1 + int(random, 256));
      return concat([out.subarray(0, end), out.subarray(at, end), out.subarray(end)]);
    }
    case 7: // random bytes inserted
      return concat([out.subarray(0, at), randomBytes(random, 1 + int(random, 32)), out.subarray(at)]);
    default: // random bytes appended
      return concat([out, randomBytes(random, 1 + int(random, 512))]);
  }
}

function randomBytes(random: Random, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => int(random, 256));
}

/** JSON text for values that stress the readers; written as text so they can be deep without recursing here. */
function strangeJson(random: Random): string {
  switch (int(random, 14)) {
    case 0:
      return '['.repeat(4000) + ']'.repeat(4000); // deep nesting
    case 1:
      return `"${'x'.repeat(100_000 + int(random, 100_000))}"`; // a long string
    case 2:
      return `"${'\\u0000\\u0001\\n\\u001b'.repeat(1 + int(random, 50))}"`; // control characters
    case 3:
      return `[${'1,'.repeat(100_000)}1]`; // a long array
    case 4:
      return pick(random, ['1e308', '-1e308', '1e999', '9007199254740993', '-1', '0', '0.5', '2147483648', '-0']);
    case 5:
      return pick(random, ['null', 'true', 'false', '{}', '[]', '""']);
    case 6:
      return `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":${i}`).join(',')}}`; // a wide object
    case 7:
      return `[${'[1,2],'.repeat(1000)}[]]`;
    case 8:
      return '"\\ud800"'; // a lone surrogate
    case 9:
      return String(int(random, 100_000));
    case 10:
      return `"${pick(random, ['F32', 'F16', 'BF16', 'I64', 'U8', 'BPE', 'WordPiece', 'Unigram', 'gelu', 'bicubic'])}"`;
    case 11:
      return `[${int(random, 10)},${int(random, 1 << 20)}]`;
    case 12:
      return '{"__proto__":{"polluted":1},"constructor":{"prototype":{}}}';
    default: // any UTF-16 code units, lone surrogates included (JSON.stringify escapes what it must)
      return JSON.stringify(
        String.fromCharCode(...Array.from({ length: 1 + int(random, 20) }, () => int(random, 0x10000))),
      );
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every [container, key] in `value`, breadth first, at most `limit` of them. */
function slots(value: Json, limit: number): [Json[] | Record<string, Json>, string | number][] {
  const out: [Json[] | Record<string, Json>, string | number][] = [];
  const queue: Json[] = [value];
  while (queue.length > 0 && out.length < limit) {
    const node = queue.shift()!;
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push([node, i]);
        queue.push(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        out.push([node, key]);
        queue.push(child);
      }
    }
  }
  return out;
}

/** Marks a slot so its replacement can be spliced in as text. */
const MARK = '\u0001fuzz\u0001';

/** One structure-aware edit of a JSON document (text in, text out); falls back to a byte edit on unparsable text. */
export function mutateJsonText(random: Random, text: string): string {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return new TextDecoder().decode(mutateBytes(random, new TextEncoder().encode(text)));
  }
  const all = slots(value, 5000);
  if (all.length === 0 || random() < 0.1) return random() < 0.5 ? strangeJson(random) : `${text}${text}`;
  const [container, key] = pick(random, all);
  const edit = int(random, 10);
  if (edit === 0 && !Array.isArray(container)) {
    Reflect.deleteProperty(container, key); // a missing field
    return JSON.stringify(value);
  }
  if (edit === 1 && !Array.isArray(container)) {
    // the same key twice (JSON.parse keeps the last; some readers must notice)
    const json = JSON.stringify(value);
    const entry = `${JSON.stringify(key)}:${JSON.stringify(container[key as string])}`;
    return json.replace(entry, `${entry},${entry}`);
  }
  (container as Record<string | number, Json>)[key] = MARK;
  return JSON.stringify(value).replace(JSON.stringify(MARK), () => strangeJson(random));
}
