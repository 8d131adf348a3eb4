// Mutations inside the checksummed containers: a PNG's chunks get their CRCs recomputed and a gzip stream is
// re-compressed around its mutated content, so that edits reach the decoders instead of failing the checksum.
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32 } from '../helpers/images.js';
import { mutateBytes, type Random } from './mutate.js';

/** A byte edit of a PNG, then every whole chunk's CRC made right again (length, type, data, CRC from byte 8). */
export function mutatePng(random: Random, bytes: Uint8Array): Uint8Array {
  const out = mutateBytes(random, bytes);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let at = 8; at + 12 <= out.length;) {
    const length = view.getUint32(at);
    if (at + 12 + length > out.length) break;
    view.setUint32(at + 8 + length, crc32(out.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  }
  return out;
}

/** The gzip stream's content edited and compressed again; now and then, a stream inflating past 1 MiB. */
export function mutateGzip(random: Random, bytes: Uint8Array): Uint8Array {
  if (random() < 0.05) return new Uint8Array(gzipSync(new Uint8Array((1 << 20) + 1))); // just past the fuzz bound
  let content: Uint8Array;
  try {
    content = new Uint8Array(gunzipSync(bytes));
  } catch {
    return mutateBytes(random, bytes);
  }
  return new Uint8Array(gzipSync(mutateBytes(random, content)));
}
