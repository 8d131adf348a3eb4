import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSafetensors, readFileBytes } from '../../src/io/node/files.js';
import { floatTensor, parseSafetensors, type FloatTensor, type RawTensor } from '../../src/io/safetensors.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';
import { concatBytes, safetensorsFile } from '../helpers/safetensors-bytes.js';

function f32(...values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

function u16(...values: number[]): Uint8Array {
  const out = new Uint8Array(2 * values.length);
  values.forEach((v, i) => new DataView(out.buffer).setUint16(2 * i, v, true));
  return out;
}

const entry = (dtype: string, shape: number[], begin: number, end: number) => ({
  dtype,
  shape,
  data_offsets: [begin, end],
});

describe('parseSafetensors', () => {
  it('reads F32, F16 and BF16 as float32, other dtypes as bytes, and the metadata', () => {
    const data = concatBytes(
      f32(1.5, -2, 3.25, 0),
      u16(0x3c00, 0xc000, 0x3800, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000), // 1, -2, 0.5, 2^-24, inf, -inf, NaN, -0
      u16(0x3f80, 0xc060), // bf16 1, -3.5
      new Uint8Array(8).fill(7),
    );
    const st = parseSafetensors(
      safetensorsFile(
        {
          __metadata__: { format: 'pt' },
          w: entry('F32', [2, 2], 0, 16),
          h: entry('F16', [8], 16, 32),
          b: entry('BF16', [1, 2], 32, 36),
          ids: entry('I64', [1], 36, 44),
        },
        data,
      ),
      'mixed.safetensors',
    );
    expect(st.metadata).toEqual({ format: 'pt' });
    expect([...st.tensors.keys()]).toEqual(['w', 'h', 'b', 'ids']);
    const w = st.tensors.get('w') as FloatTensor;
    expect(w.shape).toEqual([2, 2]);
    expect(Array.from(w.data)).toEqual([1.5, -2, 3.25, 0]);
    expect(Array.from((st.tensors.get('h') as FloatTensor).data)).toEqual([
      1,
      -2,
      0.5,
      2 ** -24,
      Infinity,
      -Infinity,
      NaN,
      -0,
    ]);
    expect(Array.from(floatTensor(st, 'b', [1, 2]).data)).toEqual([1, -3.5]);
    const ids = st.tensors.get('ids') as RawTensor;
    expect(ids.dtype).toBe('I64');
    expect(Array.from(ids.bytes)).toEqual(new Array(8).fill(7));
  });

  it('aliases aligned F32 data and copies unaligned data', () => {
    const header = { x: entry('F32', [2], 0, 8) };
    const json = JSON.stringify(header).length;
    const aligned = safetensorsFile(header, f32(1, 2), (4 - (json % 4)) % 4);
    expect(floatTensor(parseSafetensors(aligned), 'x').data.buffer).toBe(aligned.buffer);
    const unaligned = safetensorsFile(header, f32(1, 2), ((4 - (json % 4)) % 4) + 1);
    const x = floatTensor(parseSafetensors(unaligned), 'x').data;
    expect(x.buffer).not.toBe(unaligned.buffer);
    expect(Array.from(x)).toEqual([1, 2]);
  });

  it('keeps header order, also for integer-like names', () => {
    // written by hand: JSON.stringify would itself put "1" first
    const header = `{"b":${JSON.stringify(entry('F32', [1], 0, 4))},"1":${JSON.stringify(entry('F32', [1], 4, 8))}}`;
    const st = parseSafetensors(safetensorsFile(header, f32(1, 2)));
    expect([...st.tensors.keys()]).toEqual(['b', '1']);
  });

  it('accepts an empty header and zero-size tensors; metadata defaults to {}', () => {
    expect(parseSafetensors(safetensorsFile({}, new Uint8Array(0))).tensors.size).toBe(0);
    const st = parseSafetensors(safetensorsFile({ e: entry('F32', [0, 3], 0, 0), x: entry('F32', [], 0, 4) }, f32(9)));
    expect(st.metadata).toEqual({});
    expect(floatTensor(st, 'e').data.length).toBe(0);
    expect(Array.from(floatTensor(st, 'x', []).data)).toEqual([9]);
  });

  const ok = { a: entry('F32', [2], 0, 8), b: entry('F32', [1], 8, 12) };
  const okData = f32(1, 2, 3);
  it.each([
    ['a file shorter than 8 bytes', new Uint8Array(5), 'file is 5 bytes, shorter than the 8-byte header length'],
    [
      'a header length past the end',
      safetensorsFile(ok, okData).subarray(0, 40),
      'header length 108 runs past the end of the file (40 bytes)',
    ],
    ['a header that is not JSON', safetensorsFile('this is not json', okData), 'header is not valid UTF-8 JSON'],
    [
      'a header that is not UTF-8',
      safetensorsFile('"\xff"', new Uint8Array(0)).fill(0xff, 8, 9),
      'header is not valid UTF-8 JSON',
    ],
    ['a header that is not an object', safetensorsFile('[1, 2]', new Uint8Array(0)), 'header is not a JSON object'],
    [
      'a metadata value that is not a string',
      safetensorsFile({ __metadata__: { n: 1 } }, okData),
      '__metadata__.n is not a string',
    ],
    ['an entry that is not an object', safetensorsFile({ a: 3 }, okData), 'tensor "a" is not an object'],
    [
      'an unknown dtype',
      safetensorsFile({ ...ok, a: entry('F33', [2], 0, 8) }, okData),
      'tensor "a" has unknown dtype "F33"',
    ],
    ['a bad shape', safetensorsFile({ ...ok, a: entry('F32', [-2], 0, 8) }, okData), 'tensor "a" has shape [-2]'],
    [
      'reversed offsets',
      safetensorsFile({ ...ok, a: entry('F32', [2], 8, 0) }, okData),
      'tensor "a" has data_offsets [8,0]',
    ],
    [
      'offsets past the buffer',
      safetensorsFile({ ...ok, b: entry('F32', [2], 8, 16) }, okData),
      'tensor "b" has data_offsets [8, 16] past the end of the data buffer (12 bytes; file truncated?)',
    ],
    [
      'a shape that does not match the byte size',
      safetensorsFile({ ...ok, a: entry('F32', [3], 0, 8) }, okData),
      'tensor "a" has shape [3] of F32 = 12 bytes, but its data_offsets [0, 8] span 8 bytes',
    ],
    [
      'a gap between tensors',
      safetensorsFile({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 8, 12) }, okData),
      '4 bytes gap in the data buffer before tensor "b" (bytes 4..8)',
    ],
    [
      'overlapping tensors',
      safetensorsFile({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12) }, okData),
      'tensor "b" (data_offsets [4, 12]) overlaps tensor "a"',
    ],
    [
      'bytes after the last tensor',
      safetensorsFile({ a: entry('F32', [2], 0, 8) }, okData),
      '4 bytes after the last tensor: the data buffer is not fully covered',
    ],
    [
      'a duplicate name',
      safetensorsFile(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
        okData,
      ),
      'key "a" appears twice in the header',
    ],
  ])('rejects %s', (_, bytes, message) => {
    const e = formatError(() => parseSafetensors(bytes, 'bad.safetensors'));
    expect(e.message).toContain(message);
    expect(e.file).toBe('bad.safetensors');
  });

  it('floatTensor names a missing tensor, a non-float dtype and a wrong shape', () => {
    const st = parseSafetensors(
      safetensorsFile({ x: entry('F32', [2], 0, 8), i: entry('U8', [4], 8, 12) }, okData),
      'm.safetensors',
    );
    expect(() => floatTensor(st, 'y')).toThrow('m.safetensors: has no tensor "y"');
    expect(() => floatTensor(st, 'i')).toThrow('tensor "i" is U8, expected a float dtype');
    expect(() => floatTensor(st, 'x', [1, 2])).toThrow('tensor "x" has shape [2], expected [1, 2]');
  });
});

describeFixtures('safetensors fixtures', () => {
  it('loads the MNIST ViT with its 74 tensors and metadata', async () => {
    const st = await loadSafetensors(fixture('vit', 'vit_mnist.safetensors'));
    expect(st.tensors.size).toBe(74);
    expect(st.metadata['arch']).toContain('lucidrains-vit-pytorch');
    const shapes = Object.fromEntries([...st.tensors].map(([name, t]) => [name, t.shape]));
    expect(shapes).toMatchObject({
      cls_token: [1, 1, 64],
      pos_embedding: [1, 17, 64],
      'patch_to_embedding.weight': [64, 49],
      'patch_to_embedding.bias': [64],
      'transformer.layers.0.0.fn.norm.weight': [64],
      'transformer.layers.0.0.fn.fn.to_qkv.weight': [192, 64],
      'transformer.layers.5.0.fn.fn.to_out.weight': [64, 64],
      'transformer.layers.5.1.fn.fn.net.0.weight': [128, 64],
      'transformer.layers.5.1.fn.fn.net.2.weight': [64, 128],
      'mlp_head.0.weight': [128, 64],
      'mlp_head.2.weight': [10, 128],
      'mlp_head.2.bias': [10],
    });
    const parameters = [...st.tensors.values()].reduce((n, t) => n + t.shape.reduce((p, d) => p * d, 1), 0);
    expect(parameters).toBe(213_642);
    for (const t of st.tensors.values()) expect(t.dtype).toBe('F32');
  });

  it('loads every hf-tiny model.safetensors, including the mixed-dtype BERT variant', async () => {
    const gpt2 = await loadSafetensors(fixture('hf-tiny', 'gpt2-tiny', 'model.safetensors'));
    expect(gpt2.tensors.size).toBe(28);
    expect(gpt2.metadata).toEqual({ format: 'pt' });
    expect(floatTensor(gpt2, 'transformer.h.0.attn.c_attn.weight', [64, 192]).data.length).toBe(64 * 192);
    const bert = await loadSafetensors(
      fixture('hf-tiny', 'bert-tiny-cls', 'variants', 'model.legacy-gamma-beta-position_ids.safetensors'),
    );
    const positions = bert.tensors.get('bert.embeddings.position_ids');
    expect(positions?.dtype).toBe('I64');
    expect(positions?.shape).toEqual([1, 64]);
    for (const name of ['bert-tiny-cls', 'roberta-tiny-cls', 'vit-tiny-cls']) {
      expect((await loadSafetensors(fixture('hf-tiny', name, 'model.safetensors'))).tensors.size).toBe(
        name === 'vit-tiny-cls' ? 40 : 41,
      );
    }
  });

  const malformed = {
    a_truncated_data: 'past the end of the data buffer',
    a2_truncated_in_header: 'runs past the end of the file',
    b_header_length_exceeds_file: 'header length 1000000 runs past the end of the file',
    c_data_offsets_exceed_buffer: 'data_offsets [512, 1536] past the end of the data buffer (768 bytes',
    d_unknown_dtype: 'unknown dtype "F33"',
    e_file_shorter_than_8_bytes: 'shorter than the 8-byte header length',
    f_shape_does_not_match_offsets: 'has shape [65] of F32 = 260 bytes, but its data_offsets [256, 512] span 256 bytes',
    g_gap_between_tensors: '8 bytes gap in the data buffer before tensor "transformer.ln_f.weight"',
    h_header_not_json: 'header is not valid UTF-8 JSON',
  };

  it('loads ok_small and rejects each malformed file with a message naming the problem', async () => {
    const dir = fixture('hf-tiny', 'gpt2-tiny', 'malformed');
    const names = readdirSync(dir).map((f) => f.replace(/\.safetensors$/, ''));
    expect(names.sort()).toEqual([...Object.keys(malformed), 'ok_small'].sort());
    const ok = await loadSafetensors(fixture('hf-tiny', 'gpt2-tiny', 'malformed', 'ok_small.safetensors'));
    expect([...ok.tensors.keys()]).toEqual([
      'transformer.h.0.ln_1.bias',
      'transformer.h.0.ln_1.weight',
      'transformer.ln_f.weight',
    ]);
    for (const [name, message] of Object.entries(malformed)) {
      const path = fixture('hf-tiny', 'gpt2-tiny', 'malformed', `${name}.safetensors`);
      const bytes = await readFileBytes(path);
      const e = formatError(() => parseSafetensors(bytes, path));
      expect(e.message, name).toContain(message);
      expect(e.message, name).toContain(path);
    }
  });
});
