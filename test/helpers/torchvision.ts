// Small synthetic torchvision checkpoints for the ResNet and VGG tests: the state_dict names and shapes
// torchvision's resnet.py and vgg.py give, random weights (He-scaled so activations stay near 1) and random
// batch-norm statistics, written with the library's safetensors writer plus the integer num_batches_tracked
// buffers PyTorch saves beside every norm (I64, which the writer does not write: spliced in here).
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';
import { normal, seededRandom, uniform } from './random.js';
import { safetensorsFile } from './safetensors-bytes.js';

/** A checkpoint: its file and its float tensors by name (the arrays written). */
export interface Checkpoint {
  readonly bytes: Uint8Array;
  readonly tensors: ReadonlyMap<string, WritableTensor>;
}

/** A torchvision ResNet: block type, stem channels, and per stage its blocks and planes (width). */
export interface ResNetSpec {
  readonly bottleneck: boolean;
  readonly stem: number;
  readonly stages: readonly { readonly blocks: number; readonly planes: number }[];
  readonly classes: number;
  readonly inputSize: number;
  readonly seed: number;
}

/** A torchvision VGG: make_layers' configuration (channels, or 'M' for a 2x2 max pool), with or without norms. */
export interface VggSpec {
  readonly cfg: readonly (number | 'M')[];
  readonly batchNorm: boolean;
  readonly hidden: readonly [number, number];
  readonly classes: number;
  readonly inputSize: number;
  readonly seed: number;
}

/** Bottleneck's expansion (torchvision's). */
export const EXPANSION = 4;

/** One block of a ResNet spec as torchvision builds it. */
export interface SpecBlock {
  readonly prefix: string;
  readonly inChannels: number;
  readonly planes: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly downsample: boolean;
}

/** The blocks of a spec in order, with torchvision's strides and its downsample rule. */
export function specBlocks(spec: ResNetSpec): SpecBlock[] {
  const blocks: SpecBlock[] = [];
  let inChannels = spec.stem;
  spec.stages.forEach(({ blocks: count, planes }, s) => {
    const outChannels = planes * (spec.bottleneck ? EXPANSION : 1);
    for (let i = 0; i < count; i++) {
      const stride = s > 0 && i === 0 ? 2 : 1;
      const downsample = stride !== 1 || inChannels !== outChannels;
      blocks.push({ prefix: `layer${s + 1}.${i}`, inChannels, planes, outChannels, stride, downsample });
      inChannels = outChannels;
    }
  });
  return blocks;
}

/** Collects tensors in state_dict order, with random values. */
class StateDict {
  readonly tensors: WritableTensor[] = [];
  readonly integers: string[] = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  private add(name: string, shape: number[], data: Float32Array): void {
    this.tensors.push({ name, dtype: 'F32', shape, data });
  }

  conv(name: string, out: number, inChannels: number, k: number, bias: boolean): void {
    this.add(
      `${name}.weight`,
      [out, inChannels, k, k],
      normal(this.random, out * inChannels * k * k, Math.sqrt(2 / (inChannels * k * k))),
    );
    if (bias) this.add(`${name}.bias`, [out], normal(this.random, out, 0.1));
  }

  norm(name: string, channels: number): void {
    this.add(`${name}.weight`, [channels], uniform(this.random, channels, 0.5, 1.5));
    this.add(`${name}.bias`, [channels], normal(this.random, channels, 0.2));
    this.add(`${name}.running_mean`, [channels], normal(this.random, channels, 0.3));
    this.add(`${name}.running_var`, [channels], uniform(this.random, channels, 0.5, 2));
    this.integers.push(`${name}.num_batches_tracked`);
  }

  linear(name: string, out: number, inFeatures: number): void {
    this.add(`${name}.weight`, [out, inFeatures], normal(this.random, out * inFeatures, Math.sqrt(2 / inFeatures)));
    this.add(`${name}.bias`, [out], normal(this.random, out, 0.1));
  }

  /** The safetensors file: the writer's, with an I64 scalar (the value 1000) per norm appended. */
  checkpoint(metadata: Record<string, string>): Checkpoint {
    const written = writeSafetensors(this.tensors, metadata);
    const view = new DataView(written.buffer, written.byteOffset, written.byteLength);
    const headerLength = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(written.subarray(8, 8 + headerLength))) as Record<
      string,
      unknown
    >;
    const data = written.subarray(8 + headerLength);
    const integers = new Uint8Array(8 * this.integers.length); // (norms) I64
    this.integers.forEach((name, i) => {
      new DataView(integers.buffer).setBigInt64(8 * i, 1000n, true);
      header[name] = { dtype: 'I64', shape: [], data_offsets: [data.length + 8 * i, data.length + 8 * i + 8] };
    });
    const all = new Uint8Array(data.length + integers.length); // the float data, then the integers
    all.set(data);
    all.set(integers, data.length);
    const json = JSON.stringify(header);
    const bytes = safetensorsFile(json, all, (8 - (json.length % 8)) % 8);
    return { bytes, tensors: new Map(this.tensors.map((t) => [t.name, t])) };
  }
}

/** A ResNet checkpoint (torchvision names) of the spec, with its input size in the metadata. */
export function resnetCheckpoint(spec: ResNetSpec): Checkpoint {
  const state = new StateDict(spec.seed);
  state.conv('conv1', spec.stem, 3, 7, false);
  state.norm('bn1', spec.stem);
  for (const block of specBlocks(spec)) {
    const { prefix: p, inChannels, planes, outChannels } = block;
    if (spec.bottleneck) {
      state.conv(`${p}.conv1`, planes, inChannels, 1, false);
      state.norm(`${p}.bn1`, planes);
      state.conv(`${p}.conv2`, planes, planes, 3, false);
      state.norm(`${p}.bn2`, planes);
      state.conv(`${p}.conv3`, outChannels, planes, 1, false);
      state.norm(`${p}.bn3`, outChannels);
    } else {
      state.conv(`${p}.conv1`, planes, inChannels, 3, false);
      state.norm(`${p}.bn1`, planes);
      state.conv(`${p}.conv2`, outChannels, planes, 3, false);
      state.norm(`${p}.bn2`, outChannels);
    }
    if (block.downsample) {
      state.conv(`${p}.downsample.0`, outChannels, inChannels, 1, false);
      state.norm(`${p}.downsample.1`, outChannels);
    }
  }
  const features = specBlocks(spec).at(-1)!.outChannels;
  state.linear('fc', spec.classes, features);
  return state.checkpoint({ input_size: String(spec.inputSize) });
}

/** A VGG checkpoint (torchvision's make_layers numbering, classifier.0/3/6), its input size in the metadata. */
export function vggCheckpoint(spec: VggSpec): Checkpoint {
  const state = new StateDict(spec.seed);
  let index = 0;
  let channels = 3;
  for (const v of spec.cfg) {
    if (v === 'M') {
      index++;
      continue;
    }
    state.conv(`features.${index}`, v, channels, 3, true);
    if (spec.batchNorm) state.norm(`features.${index + 1}`, v);
    index += spec.batchNorm ? 3 : 2;
    channels = v;
  }
  const [first, second] = spec.hidden;
  state.linear('classifier.0', first, channels * 7 * 7);
  state.linear('classifier.3', second, first);
  state.linear('classifier.6', spec.classes, second);
  return state.checkpoint({ input_size: String(spec.inputSize) });
}

/** (count, size, size, 3) random RGB images. */
export function randomImages(seed: number, count: number, size: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: count * size * size * 3 }, () => Math.floor(256 * random()));
}
