// The architecture registry on the fixtures: each entry recognises its own files and not the others',
// loads them into a builder whose model implements the task interface, and lists the files it needs.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FormatError, Kernels } from '../../src/index.js';
import { ARCHITECTURES, findArchitecture, recogniseArchitecture, type ModelFiles } from '../../src/models/registry.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';

/** The entry's files from the fixtures folder, by role. */
function fixtureFiles(name: string): ModelFiles {
  const entry = findArchitecture(name)!;
  return new Map(
    entry.files.map((f) => {
      const path = fixture(...(f.fixture ?? []));
      return [f.role, { name: path, bytes: new Uint8Array(readFileSync(path)) }];
    }),
  );
}

it('names every entry once, each with its files and default calibration', () => {
  const names = ARCHITECTURES.map((a) => a.name);
  expect(names.slice(0, 2)).toEqual(['llama2c', 'vit']);
  expect(new Set(names).size).toBe(names.length);
  for (const entry of ARCHITECTURES) {
    expect(entry.files.length > 0 || entry.folder !== undefined).toBe(true);
    expect(entry.summary.length).toBeGreaterThan(10);
  }
  expect(findArchitecture('gpt2')?.folder).toBeDefined();
  expect(findArchitecture('t5')).toBeUndefined();
});

describeFixtures('architecture registry on the fixtures', () => {
  it('recognises each architecture from its own files only', () => {
    const llama = fixtureFiles('llama2c');
    const vit = fixtureFiles('vit');
    expect(recogniseArchitecture(llama)?.name).toBe('llama2c');
    expect(recogniseArchitecture(vit)?.name).toBe('vit');
    // The ViT's safetensors given as a llama2.c checkpoint, and the reverse, are not recognised.
    const swapped: ModelFiles = new Map([
      ['checkpoint', vit.get('model')!],
      ['model', llama.get('checkpoint')!],
    ]);
    expect(recogniseArchitecture(swapped)).toBeUndefined();
  });

  it('loads each entry into a model that implements its task interface', async () => {
    const kernels = await Kernels.load();
    const ops = new FloatOpSet(kernels);
    const llama = findArchitecture('llama2c')!;
    if (llama.task !== 'causal-lm') throw new Error('llama2c is a causal LM');
    const { builder, tokenizer } = llama.load(fixtureFiles('llama2c'));
    if (!tokenizer) throw new Error('llama2c has a tokenizer');
    const lm = builder.build(ops);
    const ids = tokenizer.encode('Once upon a time');
    expect(ids[0]).toBe(1);
    expect(lm.forward(ids, 0).length).toBe(ids.length * lm.vocabSize);
    expect(tokenizer.decode(ids)).toBe('Once upon a time');
    lm.dispose();
    const vit = findArchitecture('vit')!;
    if (vit.task !== 'image-classifier') throw new Error('vit is an image classifier');
    const classifier = vit.load(fixtureFiles('vit')).builder.build(ops);
    const { height, width, channels } = classifier.image;
    expect(classifier.forward(new Uint8Array(height * width * channels)).length).toBe(classifier.classes);
    classifier.dispose();
  });

  it('recognises Hugging Face folders from config.json and loads them', async () => {
    const { readModelFolder } = await import('../../src/io/node/folder.js');
    for (const [folder, name] of [
      ['gpt2-tiny', 'gpt2'],
      ['llama3-tiny-hot', 'llama'],
      ['qwen2-tiny-hot', 'qwen2'],
    ] as const) {
      const files = await readModelFolder(fixture('hf-tiny', folder));
      const entry = recogniseArchitecture(files);
      expect(entry?.name, folder).toBe(name);
      if (entry?.task !== 'causal-lm') throw new Error(`${folder} is a causal LM`);
      const { builder, tokenizer } = entry.load(files);
      expect(tokenizer).toBeUndefined(); // hf-tiny folders carry no tokenizer files
      expect(builder.architecture).toBe(name);
    }
  });

  it('a missing file is a FormatError naming the role', () => {
    const llama = findArchitecture('llama2c')!;
    const files = new Map(fixtureFiles('llama2c'));
    files.delete('tokenizer');
    expect(() => llama.load(files)).toThrow(FormatError);
    expect(() => llama.load(files)).toThrow(/tokenizer/);
  });
});
