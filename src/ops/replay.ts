// Replaying a recorded run: an allocator's sensitivity run changes one site's timesteps and runs the whole model
// again, though every call upstream of that site computes what the uniform run computed. A recording keeps the
// uniform run's calls (their inputs and outputs); a replay returns a recorded output, without computing it, for a
// call whose site is not the studied one, whose arguments are the same and whose inputs equal the recorded ones
// bit for bit. The op sets must differ at most at the studied site: then every replayed output is the one the
// call would have computed. The inner op set's counters see only the calls it computed.
import { OP_TABLE, type OpArgs, type OpName } from './op-table.js';
import type { ConvGeometry, ConvLayer, LinearLayer, OpSet } from './opset.js';

interface RecordedCall {
  readonly site: string;
  readonly op: OpName;
  /** The arguments that are not activation buffers: numbers, options, which prepared layer. */
  readonly key: string;
  readonly reads: readonly Float32Array[];
  readonly writes: Float32Array;
}

/** One run's calls, in call order, up to a byte budget (the calls past it are not kept, and compute in a replay). */
export class OpRecording {
  readonly calls: RecordedCall[] = [];
  bytes = 0;
  /** Whether every call of the run fitted in the budget. */
  complete = true;

  constructor(readonly maxBytes: number) {}
}

/** Calls a replay returned from the recording, and calls it computed. */
export interface ReplayStatistics {
  replayed: number;
  computed: number;
}

const bitsOf = (x: Float32Array) => new Int32Array(x.buffer, x.byteOffset, x.length);

function bitEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const [x, y] = [bitsOf(a), bitsOf(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * An OpSet around `inner` that records every call into `recording` (no `studied` site), or replays it (`studied`:
 * the site whose calls always compute).
 */
export class ReplayOpSet implements OpSet {
  readonly kind: OpSet['kind'];
  readonly statistics: ReplayStatistics = { replayed: 0, computed: 0 };
  /** Prepared layers by preparation order, so a rebuilt model's layers match the recorded run's. */
  private readonly layerIndex = new WeakMap<object, number>();
  private prepared = 0;
  private next = 0;

  constructor(
    private readonly inner: OpSet,
    private readonly recording: OpRecording,
    private readonly studied?: string,
  ) {
    this.kind = inner.kind;
  }

  prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array): LinearLayer {
    const layer = this.inner.prepareLinear(weight, inFeatures, outFeatures, bias);
    this.layerIndex.set(layer, this.prepared++);
    return layer;
  }

  prepareConv(weight: Float32Array, geometry: ConvGeometry, bias?: Float32Array): ConvLayer {
    const layer = this.inner.prepareConv(weight, geometry, bias);
    this.layerIndex.set(layer, this.prepared++);
    return layer;
  }

  linear(...args: OpArgs<'linear'>): void {
    this.call('linear', args, () => this.inner.linear(...args));
  }

  conv2d(...args: OpArgs<'conv2d'>): void {
    this.call('conv2d', args, () => this.inner.conv2d(...args));
  }

  maxPool(...args: OpArgs<'maxPool'>): void {
    this.call('maxPool', args, () => this.inner.maxPool(...args));
  }

  activation(...args: OpArgs<'activation'>): void {
    this.call('activation', args, () => this.inner.activation(...args));
  }

  mul(...args: OpArgs<'mul'>): void {
    this.call('mul', args, () => this.inner.mul(...args));
  }

  matmul(...args: OpArgs<'matmul'>): void {
    this.call('matmul', args, () => this.inner.matmul(...args));
  }

  softmax(...args: OpArgs<'softmax'>): void {
    this.call('softmax', args, () => this.inner.softmax(...args));
  }

  layerNorm(...args: OpArgs<'layerNorm'>): void {
    this.call('layerNorm', args, () => this.inner.layerNorm(...args));
  }

  rmsNorm(...args: OpArgs<'rmsNorm'>): void {
    this.call('rmsNorm', args, () => this.inner.rmsNorm(...args));
  }

  add(...args: OpArgs<'add'>): void {
    this.call('add', args, () => this.inner.add(...args));
  }

  private call<K extends OpName>(op: K, args: OpArgs<K>, compute: () => void): void {
    const record = OP_TABLE[op];
    record.check(args); // a bad call fails as the inner op set's would, before it is recorded
    const site = args[0];
    const { reads, writes } = record.buffers(args);
    const key = this.keyOf(args);
    const index = this.next++;
    if (this.studied === undefined) {
      this.record(site, op, key, reads, compute, writes);
      return;
    }
    const recorded = this.recording.calls[index];
    const same =
      recorded !== undefined &&
      site !== this.studied &&
      recorded.site === site &&
      recorded.op === op &&
      recorded.key === key &&
      recorded.reads.length === reads.length &&
      recorded.reads.every((r, i) => bitEqual(r, reads[i] as Float32Array));
    if (same) {
      writes.set(recorded.writes);
      this.statistics.replayed++;
    } else {
      compute();
      this.statistics.computed++;
    }
  }

  private record(
    site: string,
    op: OpName,
    key: string,
    reads: readonly Float32Array[],
    compute: () => void,
    writes: Float32Array,
  ): void {
    const recording = this.recording;
    const bytes = 4 * (reads.reduce((sum, r) => sum + r.length, 0) + writes.length);
    const keep = recording.complete && recording.bytes + bytes <= recording.maxBytes;
    const copies = keep ? reads.map((r) => r.slice()) : []; // before the call: it may write over its inputs
    compute();
    this.statistics.computed++;
    if (!keep) {
      recording.complete = false;
      return;
    }
    recording.calls.push({ site, op, key, reads: copies, writes: writes.slice() });
    recording.bytes += bytes;
  }

  /** The arguments past the site that are not activation buffers, as a string: equal strings, equal arguments. */
  private keyOf(args: readonly unknown[]): string {
    const parts: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const arg = args[i];
      if (ArrayBuffer.isView(arg)) continue; // compared by content (the op table's reads)
      const layer = typeof arg === 'object' && arg !== null ? this.layerIndex.get(arg) : undefined;
      if (layer !== undefined) parts.push(`layer ${layer}`);
      else
        parts.push(
          JSON.stringify(arg, (_, v: unknown) =>
            ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
          ),
        );
    }
    return parts.join('|');
  }
}
