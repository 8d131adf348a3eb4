// Reusable buffers of the spiking operators, like run.c's RunState: each slot (a name such as
// "softmax.fraction") keeps one buffer that grows to the largest request and is handed out again on the
// next call, so a forward pass allocates no new arrays once every shape has been seen. A slot's contents
// live until the next request of that slot: an operator must not ask for the same slot twice while it
// still reads the first view.

type Typed = Float32Array | Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

interface TypedConstructor<A extends Typed> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): A;
  readonly BYTES_PER_ELEMENT: number;
}

export class Scratch {
  private readonly buffers = new Map<string, ArrayBuffer>();

  /** Bytes held by every slot. */
  get bytes(): number {
    let total = 0;
    for (const buffer of this.buffers.values()) total += buffer.byteLength;
    return total;
  }

  f32(slot: string, n: number): Float32Array {
    return this.view(slot, n, Float32Array);
  }

  f64(slot: string, n: number): Float64Array {
    return this.view(slot, n, Float64Array);
  }

  i32(slot: string, n: number): Int32Array {
    return this.view(slot, n, Int32Array);
  }

  u32(slot: string, n: number): Uint32Array {
    return this.view(slot, n, Uint32Array);
  }

  u16(slot: string, n: number): Uint16Array {
    return this.view(slot, n, Uint16Array);
  }

  u8(slot: string, n: number): Uint8Array {
    return this.view(slot, n, Uint8Array);
  }

  /** A view of n elements of the slot's buffer (its old contents, not zeros). */
  private view<A extends Typed>(slot: string, n: number, type: TypedConstructor<A>): A {
    const bytes = n * type.BYTES_PER_ELEMENT;
    let buffer = this.buffers.get(slot);
    if (!buffer || buffer.byteLength < bytes) {
      // Grow by half again, so a sequence growing one token at a time reallocates rarely.
      buffer = new ArrayBuffer(Math.max(bytes, Math.ceil(((buffer?.byteLength ?? 0) * 1.5) / 8) * 8));
      this.buffers.set(slot, buffer);
    }
    return new type(buffer, 0, n);
  }
}
