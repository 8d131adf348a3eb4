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

/** A slot's buffer and the last view handed out of it (handed out again for the same type and length). */
interface Slot {
  buffer: ArrayBuffer;
  view: Typed | undefined;
}

export class Scratch {
  private readonly slots = new Map<string, Slot>();

  /** Bytes held by every slot. */
  get bytes(): number {
    let total = 0;
    for (const slot of this.slots.values()) total += slot.buffer.byteLength;
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
  private view<A extends Typed>(name: string, n: number, type: TypedConstructor<A>): A {
    const bytes = n * type.BYTES_PER_ELEMENT;
    let slot = this.slots.get(name);
    if (!slot || slot.buffer.byteLength < bytes) {
      // Grow by half again, so a sequence growing one token at a time reallocates rarely.
      const held = slot?.buffer.byteLength ?? 0;
      slot = { buffer: new ArrayBuffer(Math.max(bytes, Math.ceil((held * 1.5) / 8) * 8)), view: undefined };
      this.slots.set(name, slot);
    }
    const last = slot.view;
    if (last !== undefined && last.length === n && last.constructor === type) return last as A;
    const view = new type(slot.buffer, 0, n);
    slot.view = view;
    return view;
  }
}
