import { describe, expect, it } from 'vitest';
import { readFolderTensors, parseSafetensorsIndex, type FolderFiles } from '../../src/io/hf/folder.js';
import { readFileBytes } from '../../src/io/node/files.js';
import { parseSafetensors, type FloatTensor, type SafetensorsTensor } from '../../src/io/safetensors.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors-writer.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';
import { folderOf, indexJson, shardFiles, shardName, writableTensors } from '../helpers/hf-folder.js';

const text = (s: string) => new TextEncoder().encode(s);
const float = (t: SafetensorsTensor | undefined): FloatTensor => {
  if (t === undefined || !('data' in t)) throw new Error('not a float tensor');
  return t;
};
/** (count * 4) the f32 bytes of a tensor, for bit-exact comparisons */
const bytesOf = (t: SafetensorsTensor | undefined) => {
  const { data } = float(t);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
};

/** Six small synthetic tensors, a..f, each filled with its index. */
const SMALL: WritableTensor[] = 'abcdef'.split('').map((name, i) => ({
  name,
  dtype: 'F32',
  shape: [2],
  data: Float32Array.of(i, i + 0.5),
}));

describe('readFolderTensors', () => {
  it('reads model.safetensors when there is no index', () => {
    const tensors = readFolderTensors(folderOf(new Map([['model.safetensors', writeSafetensors(SMALL)]])), 'mem');
    expect([...tensors.keys()]).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('merges shards in shard-name order whatever the order of the files, each in its header order', () => {
    const files = shardFiles([...SMALL].reverse(), 3);
    const shuffled = new Map([...files].reverse());
    const tensors = readFolderTensors(folderOf(shuffled), 'mem');
    expect([...tensors.keys()]).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
    expect(Array.from(float(tensors.get('c')).data)).toEqual([2, 2.5]);
  });

  it('says what a folder without weights needs, and that a .bin is not read', () => {
    const config = { name: 'mem/config.json', bytes: text('{}') };
    const none = formatError(() => readFolderTensors(new Map([['config.json', config]]), 'my-model'));
    expect(none.file).toBe('my-model');
    expect(none.message).toContain('my-model: has no model.safetensors or model.safetensors.index.json');
    expect(none.message).not.toContain('.bin');
    const bin: FolderFiles = new Map([
      ['config.json', config],
      ['pytorch_model.bin', { name: 'mem/pytorch_model.bin', bytes: new Uint8Array(4) }],
    ]);
    expect(formatError(() => readFolderTensors(bin, 'my-model')).message).toContain(
      'found pytorch_model.bin, but only safetensors weights are read',
    );
    const shardsOnly = folderOf(new Map([[shardName(0, 2), writeSafetensors(SMALL)]]));
    expect(formatError(() => readFolderTensors(shardsOnly, 'my-model')).message).toContain(
      'found model-00001-of-00002.safetensors but no index',
    );
  });

  describe('sharded folders', () => {
    const good = () => shardFiles(SMALL, 3); // a b | c d | e f
    const index = (weightMap: Record<string, string>) =>
      new Map([...good(), ['model.safetensors.index.json', indexJson(weightMap)]]);
    const all = Object.fromEntries(SMALL.map((t, i) => [t.name, shardName(Math.floor(i / 2), 3)]));
    const rejects = (files: Map<string, Uint8Array>, file: string, message: string) => {
      const e = formatError(() => readFolderTensors(folderOf(files), 'mem'));
      expect(e.file).toBe(`mem/${file}`);
      expect(e.message).toContain(message);
    };

    it('rejects a missing shard, naming the index, the shard and a tensor in it', () => {
      const files = good();
      files.delete(shardName(1, 3));
      rejects(
        files,
        'model.safetensors.index.json',
        'weight_map puts tensor "c" in shard "model-00002-of-00003.safetensors", which is not in the folder mem',
      );
    });

    it('rejects a tensor in two shards', () => {
      const files = good();
      files.set(shardName(2, 3), writeSafetensors(SMALL.slice(3))); // d e f: d is also in shard 2
      rejects(files, shardName(2, 3), 'tensor "d" is in two shards: mem/model-00002-of-00003.safetensors and this one');
    });

    it('rejects a tensor the index names but its shard lacks', () => {
      rejects(
        index({ ...all, g: shardName(0, 3) }),
        shardName(0, 3),
        'has no tensor "g", which the weight_map of mem/model.safetensors.index.json puts in it',
      );
    });

    it('rejects a shard tensor the index does not list, or puts in another shard', () => {
      const withoutC = Object.fromEntries(Object.entries(all).filter(([name]) => name !== 'c'));
      rejects(index(withoutC), shardName(1, 3), 'tensor "c" is not listed in the weight_map of mem/model.safetensors');
      rejects(
        index({ ...all, c: shardName(2, 3) }),
        shardName(1, 3),
        'tensor "c" is in this shard, but mem/model.safetensors.index.json puts it in "model-00003-of-00003.safetensors"',
      );
    });

    it('rejects an index that is not JSON, has no weight_map, or maps to a non-string, with a bounded message', () => {
      const bad = (json: string, message: string) =>
        rejects(
          new Map([...good(), ['model.safetensors.index.json', text(json)]]),
          'model.safetensors.index.json',
          message,
        );
      bad('{"weight_map": ', 'is not valid JSON');
      bad('[1]', 'must hold a JSON object');
      bad('{"metadata": {}}', 'field "weight_map" must be an object');
      bad('{"weight_map": []}', 'field "weight_map" must be an object');
      bad('{"weight_map": {"a": 3}}', 'weight_map["a"] must be a shard file name');
      bad('{"weight_map": {}}', 'weight_map lists no tensors');
      const long = `{"weight_map": {"${'x'.repeat(100_000)}": null}}`;
      const e = formatError(() => parseSafetensorsIndex(text(long), 'i.json'));
      expect(e.message.length).toBeLessThan(200);
      expect(() => parseSafetensorsIndex(new Uint8Array((64 << 20) + 1), 'i.json')).toThrow(
        'is 67108865 bytes, more than an index can be',
      );
    });
  });
});

describeFixtures('readFolderTensors on hf-tiny/gpt2-tiny', () => {
  const dir = () => fixture('hf-tiny', 'gpt2-tiny');
  const single = async () => {
    const path = fixture('hf-tiny', 'gpt2-tiny', 'model.safetensors');
    return { path, bytes: await readFileBytes(path) };
  };

  const malformed: Record<string, [message: string, offset: number | undefined]> = {
    a_truncated_data: ['tensor "transformer.ln_f.weight" has data_offsets [512, 768] past the end', 800],
    a2_truncated_in_header: ['header length 280 runs past the end of the file (148 bytes)', 0],
    b_header_length_exceeds_file: ['header length 1000000 runs past the end of the file', 0],
    c_data_offsets_exceed_buffer: ['has data_offsets [512, 1536] past the end of the data buffer (768 bytes', 800],
    d_unknown_dtype: ['tensor "transformer.h.0.ln_1.weight" has unknown dtype "F33"', 8],
    e_file_shorter_than_8_bytes: ['file is 5 bytes, shorter than the 8-byte header length', undefined],
    f_shape_does_not_match_offsets: ['has shape [65] of F32 = 260 bytes, but its data_offsets [256, 512]', 544],
    g_gap_between_tensors: ['8 bytes gap in the data buffer before tensor "transformer.ln_f.weight"', 800],
    h_header_not_json: ['header is not valid UTF-8 JSON', 8],
  };

  it.each(Object.entries(malformed))('rejects malformed/%s naming the file and where', async (name, [message, at]) => {
    const path = fixture('hf-tiny', 'gpt2-tiny', 'malformed', `${name}.safetensors`);
    const files: FolderFiles = new Map([['model.safetensors', { name: path, bytes: await readFileBytes(path) }]]);
    const e = formatError(() => readFolderTensors(files, dir()));
    expect(e.file).toBe(path);
    expect(e.offset).toBe(at);
    expect(e.message).toContain(message);
    expect(e.message.startsWith(at === undefined ? `${path}: ` : `${path} at byte ${at}: `)).toBe(true);
  });

  it('accepts malformed/ok_small', async () => {
    const path = fixture('hf-tiny', 'gpt2-tiny', 'malformed', 'ok_small.safetensors');
    const files: FolderFiles = new Map([['model.safetensors', { name: path, bytes: await readFileBytes(path) }]]);
    expect([...readFolderTensors(files, dir()).keys()]).toEqual([
      'transformer.h.0.ln_1.bias',
      'transformer.h.0.ln_1.weight',
      'transformer.ln_f.weight',
    ]);
  });

  it('reads 3 shards + index to the same tensors, bit for bit, as the single file; F32 stays a view', async () => {
    const { path, bytes } = await single();
    const reference = parseSafetensors(bytes, path);
    const files = folderOf(shardFiles(writableTensors(reference), 3, reference.metadata));
    const sharded = readFolderTensors(files, 'mem');
    expect([...sharded.keys()]).toEqual([...reference.tensors.keys()]);
    const buffers = new Set([...files.values()].map((f) => f.bytes.buffer));
    for (const [name, t] of reference.tensors) {
      expect(sharded.get(name)?.shape, name).toEqual(t.shape);
      expect(bytesOf(sharded.get(name)).equals(bytesOf(t)), name).toBe(true);
      // no copy: every F32 tensor is a view into its shard's bytes, as in the single file
      expect(buffers.has(float(sharded.get(name)).data.buffer as ArrayBuffer), name).toBe(true);
      expect(float(t).data.buffer, name).toBe(bytes.buffer);
    }
  });

  const bounds = { F16: 2 ** -11, BF16: 2 ** -8 } as const;
  it.each(['F16', 'BF16'] as const)('loads a %s copy (made by the writer) within its rounding', async (dtype) => {
    const { path, bytes } = await single();
    const reference = parseSafetensors(bytes, path);
    const copy = writeSafetensors(writableTensors(reference, dtype), reference.metadata);
    expect(copy.length).toBeLessThan(bytes.length / 2 + 4096);
    const tensors = readFolderTensors(folderOf(new Map([['model.safetensors', copy]])), 'mem');
    let maxRelative = 0;
    let maxAbsolute = 0;
    let maxSubnormal = 0; // F16 below 2^-14: absolute error, at most half the spacing 2^-24
    let subnormals = 0;
    for (const [name, t] of reference.tensors) {
      const read = float(tensors.get(name));
      expect(read.dtype).toBe(dtype);
      expect(read.data.buffer.byteLength, name).toBe(read.data.length * 4); // one f32 array per tensor
      const original = float(t).data;
      original.forEach((x, i) => {
        const error = Math.abs((read.data[i] ?? NaN) - x);
        maxAbsolute = Math.max(maxAbsolute, error);
        if (dtype === 'F16' && Math.abs(x) < 2 ** -14) {
          subnormals++;
          maxSubnormal = Math.max(maxSubnormal, error);
        } else maxRelative = Math.max(maxRelative, x === 0 ? error : error / Math.abs(x));
      });
    }
    console.log(
      `gpt2-tiny as ${dtype}: max |difference| ${maxAbsolute.toExponential(3)}, max relative ` +
        `${maxRelative.toExponential(3)} (bound ${bounds[dtype].toExponential(3)})` +
        (dtype === 'F16' ? `; ${subnormals} subnormal values, max |difference| ${maxSubnormal.toExponential(3)}` : ''),
    );
    expect(maxRelative).toBeLessThanOrEqual(bounds[dtype]);
    expect(maxRelative).toBeGreaterThan(bounds[dtype] / 4); // the values really were rounded
    expect(maxSubnormal).toBeLessThanOrEqual(2 ** -25);
  });
});
