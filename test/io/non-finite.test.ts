// Non-finite weights (issue 13): the weight readers reject a NaN or infinity with a FormatError naming the tensor
// and the element, unless { allowNonFinite: true } asks for it.
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { firstNonFinite } from '../../src/io/finite.js';
import { parseLlama2c } from '../../src/io/llama2c.js';
import { floatTensor, floatTensorMap, parseSafetensors } from '../../src/io/safetensors.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { Kernels } from '../../src/kernels/index.js';
import { findArchitecture, type CausalLMEntry } from '../../src/models/registry.js';
import { Weights } from '../../src/models/weights.js';
import { readModelFolder } from '../../src/io/node/folder.js';
import { GPT2_ENTRY } from '../../src/models/hf/entries.js';
import { writeSafetensors } from '../../src/io/safetensors-writer.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { writableTensors } from '../helpers/hf-folder.js';
import { llama2cVocabulary, tokenizerBin } from '../helpers/llama2c.js';
import { formatError } from '../helpers/format-error.js';

// dim 4, hidden 6, 2 layers, 2 heads of size 2, 1 kv head, vocab 5, seq 3: 286 floats, wq from float 28
const HEADER = [4, 6, 2, 2, 1, 5, 3];
const FLOATS = 286;

/** A checkpoint whose floats are all 0.5 but `value` at float `at`. */
function checkpoint(at: number, value: number): Uint8Array {
  const bytes = new Uint8Array(4 * (HEADER.length + FLOATS));
  const view = new DataView(bytes.buffer);
  HEADER.forEach((v, i) => view.setInt32(4 * i, v, true));
  for (let k = 0; k < FLOATS; k++) view.setFloat32(28 + 4 * k, k === at ? value : 0.5, true);
  return bytes;
}

describe('non-finite weights', () => {
  it('firstNonFinite finds NaN and both infinities in one pass', () => {
    expect(firstNonFinite(Float32Array.of(0, -0, 3.4e38, 1e-45))).toBe(-1);
    expect(firstNonFinite(Float32Array.of(1, NaN, Infinity))).toBe(1);
    expect(firstNonFinite(Float32Array.of(1, 2, -Infinity))).toBe(2);
  });

  it('parseLlama2c names the tensor, the element and its byte offset', () => {
    // float 31 is wq's element 3, at byte 28 + 4 * 31
    const e = formatError(() => parseLlama2c(checkpoint(31, NaN), 'tiny.bin'));
    expect(e.message).toBe(
      'tiny.bin at byte 152: tensor "wq" has NaN at element 3; weights must be finite ' +
        '(allowNonFinite: true, or --allow-non-finite, loads them anyway)',
    );
    expect(formatError(() => parseLlama2c(checkpoint(277, Infinity))).message).toContain(
      'rms_final_weight" has Infinity',
    );
    expect(parseLlama2c(checkpoint(31, NaN), 'tiny.bin', { allowNonFinite: true }).weights.wq[3]).toBeNaN();
  });

  it('parseLlama2c leaves the skipped legacy RoPE tables unchecked', () => {
    expect(parseLlama2c(checkpoint(281, NaN)).parameterCount).toBe(280);
  });

  it('floatTensor and floatTensorMap reject a NaN in any float dtype, unless allowed', () => {
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const data = Float32Array.of(1, 2, -Infinity, NaN);
      const st = parseSafetensors(writeSafetensors([{ name: 'patch.weight', dtype, shape: [2, 2], data }]), 'vit.st');
      const e = formatError(() => floatTensorMap(st));
      expect(e.message).toBe(
        'vit.st: tensor "patch.weight" has -Infinity at element 2; weights must be finite ' +
          '(allowNonFinite: true, or --allow-non-finite, loads them anyway)',
      );
      expect(() => floatTensor(st, 'patch.weight', [2, 2])).toThrow(FormatError);
      expect(floatTensorMap(st, { allowNonFinite: true }).get('patch.weight')?.data[3]).toBeNaN();
      expect(floatTensor(st, 'patch.weight', [2, 2], { allowNonFinite: true }).data[2]).toBe(-Infinity);
    }
  });

  it('Weights.tensor rejects a non-finite tensor a model fetches, unless allowed', () => {
    const tensors = new Map([['cls_token', { data: Float32Array.of(0, NaN), shape: [2] }]]);
    expect(formatError(() => new Weights(tensors, 'model.safetensors').tensor('cls_token', [2])).message).toContain(
      'model.safetensors: tensor "cls_token" has NaN at element 1',
    );
    expect(new Weights(tensors, 'm', { allowNonFinite: true }).tensor('cls_token', [2])[1]).toBeNaN();
  });

  it("a registry entry rejects them, and loads them when its load is given allowNonFinite (the CLI's flag)", async () => {
    const entry = findArchitecture('llama2c') as CausalLMEntry;
    const files = new Map([
      ['checkpoint', { name: 'tiny.bin', bytes: checkpoint(31, NaN) }],
      ['tokenizer', { name: 'tok.bin', bytes: tokenizerBin(llama2cVocabulary([]).slice(0, 5)) }],
    ]);
    expect(formatError(() => entry.load(files)).message).toMatch(/^tiny\.bin.*tensor "wq" has NaN at element 3/);
    const model = entry.load(files, { allowNonFinite: true }).builder.build(new FloatOpSet(await Kernels.load()));
    // the NaN in wq reaches the logits: loaded as asked, not repaired
    expect(Array.from(model.forward([1, 2], 0)).some(Number.isNaN)).toBe(true);
  });
});

describeFixtures('non-finite weights in a Hugging Face folder', () => {
  it('the entry names the tensor; with allowNonFinite its tensors reach the model as they are', async () => {
    const files = new Map(await readModelFolder(fixture('hf-tiny', 'gpt2-tiny')));
    const model = files.get('model.safetensors')!;
    const tensors = writableTensors(parseSafetensors(model.bytes, model.name)).map((t) =>
      t.name.endsWith('wte.weight') ? { ...t, data: Float32Array.from(t.data, (v, i) => (i === 5 ? Infinity : v)) } : t,
    );
    files.set('model.safetensors', { ...model, bytes: writeSafetensors(tensors) });
    const ops = new FloatOpSet(await Kernels.load());
    // the tensors are checked where the model fetches them, when it is built
    expect(formatError(() => GPT2_ENTRY.load(files).builder.build(ops)).message).toMatch(
      /wte\.weight" has Infinity at element 5/,
    );
    const built = GPT2_ENTRY.load(files, { allowNonFinite: true }).builder.build(ops);
    expect(Array.from(built.forward([0, 1], 0)).some((v) => !Number.isFinite(v))).toBe(true);
  });
});
