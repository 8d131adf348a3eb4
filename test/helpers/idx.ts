// IDX files for the tests: the MNIST container, built in memory.

/** An IDX file: big-endian magic and dims, then `body` (default: 0, 1, 2, ... for every element, mod 256). */
export function idxFile(magic: number, dims: readonly number[], body?: Uint8Array): Uint8Array {
  const data = body ?? Uint8Array.from({ length: dims.reduce((p, d) => p * d, 1) }, (_, i) => i & 0xff);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
