// Reads, and for threads rewrites, the memory import of a kernel build. Every build imports its memory
// (env.memory) so that JavaScript creates it: a plain memory for one thread, a shared one for several. The
// shared build is the same code with the import's limits marked shared (flag 0x01 -> 0x03): one byte, same
// length, so the bundle carries each build once.

/** The limits of a build's memory import, and where its flag byte is. */
export interface MemoryImport {
  /** Pages the module needs at instantiation (its static data). */
  readonly initialPages: number;
  readonly maximumPages: number;
  readonly shared: boolean;
  /** Byte offset of the limits flag in the binary. */
  readonly flagOffset: number;
}

const FLAG_MAX = 0x01;
const FLAG_SHARED = 0x02;
const SECTION_IMPORT = 2;
const KIND_FUNC = 0;
const KIND_TABLE = 1;
const KIND_MEMORY = 2;
const KIND_GLOBAL = 3;

/** A cursor over a wasm binary; every read is bounds-checked (the bytes are our own builds). */
class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
  ) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error('memory-import: the wasm binary ends early');
    return this.bytes[this.at++] ?? 0;
  }

  /** An unsigned LEB128 of up to 32 bits. */
  u32(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw new Error('memory-import: a LEB128 longer than 5 bytes');
  }

  skip(n: number): void {
    this.at += n;
  }

  /** Limits: a flag byte, the minimum and (with the flag's max bit) the maximum. */
  limits(): { flag: number; min: number; max: number | undefined } {
    const flag = this.byte();
    const min = this.u32();
    const max = flag & FLAG_MAX ? this.u32() : undefined;
    return { flag, min, max };
  }
}

/** The memory import of a kernel build (which must have one, with a maximum). */
export function readMemoryImport(bytes: Uint8Array): MemoryImport {
  const reader = new Reader(bytes, 8); // past the magic and version
  while (reader.at < bytes.length) {
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.at + size;
    if (id !== SECTION_IMPORT) {
      reader.skip(size);
      continue;
    }
    const count = reader.u32();
    for (let i = 0; i < count; i++) {
      reader.skip(reader.u32()); // module name
      reader.skip(reader.u32()); // field name
      const kind = reader.byte();
      if (kind === KIND_FUNC) reader.u32();
      else if (kind === KIND_TABLE) {
        reader.byte();
        reader.limits();
      } else if (kind === KIND_GLOBAL) reader.skip(2);
      else if (kind === KIND_MEMORY) {
        const flagOffset = reader.at;
        const { flag, min, max } = reader.limits();
        if (max === undefined) throw new Error('memory-import: the memory import has no maximum');
        return { initialPages: min, maximumPages: max, shared: (flag & FLAG_SHARED) !== 0, flagOffset };
      } else throw new Error(`memory-import: unknown import kind ${kind}`);
    }
    reader.at = end;
  }
  throw new Error('memory-import: the build imports no memory');
}

/** A copy of a build whose memory import is shared (for several threads over one memory). */
export function withSharedMemory(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const { flagOffset } = readMemoryImport(bytes);
  const copy = bytes.slice();
  copy[flagOffset] = (copy[flagOffset] ?? 0) | FLAG_SHARED;
  return copy;
}
