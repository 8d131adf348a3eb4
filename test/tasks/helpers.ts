// Shared by the task tests and the CLI task tests: the hf-tiny folders with a tiny tokenizer beside them (the
// fixtures have none), a small labelled data set in its words, token-id lines, and neurons fitted briefly (a full
// fit takes ~20 s; the fixtures' activation domains are not all in the shipped table).
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelFolder } from '../../src/io/node/folder.js';
import type { Kernels } from '../../src/kernels/index.js';
import type { ModelFiles } from '../../src/models/registry.js';
import { NeuronProvider, type NeuronCache } from '../../src/ops/neuron-provider.js';
import { seededRandom } from '../../src/random.js';
import { fixture } from '../helpers/fixtures.js';
import { QUICK_FIT } from '../../src/cli/model-args.js';

export const WORDS = [
  ...['the', 'a', 'this', 'movie', 'film', 'story', 'plot', 'cast', 'is', 'was', 'not', 'very', 'quite'],
  ...['good', 'great', 'charming', 'funny', 'bad', 'dull', 'boring', 'slow', 'and', 'but', 'cat', 'sat', 'on'],
  ...['mat', '.', ',', '!'],
];

/** BERT's WordPiece vocabulary: the special tokens, then the words (ids 5 ..). */
export const BERT_VOCAB_TXT = `${['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS].join('\n')}\n`;

/** A tokenizer.json for a causal LM: <|endoftext|> (0, its BOS and EOS), [UNK], the words; whole-word pieces. */
export const CAUSAL_TOKENIZER_JSON = JSON.stringify({
  version: '1.0',
  added_tokens: [{ id: 0, content: '<|endoftext|>', special: true, normalized: false }],
  normalizer: { type: 'Lowercase' },
  pre_tokenizer: { type: 'Whitespace' },
  post_processor: null,
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: {
    type: 'WordPiece',
    vocab: Object.fromEntries(['<|endoftext|>', '[UNK]', ...WORDS].map((w, i) => [w, i])),
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
  },
});

/** `count` sentences with labels 0/1 (alternating), deterministic. */
export function labelledSentences(count: number, seed = 1): Array<{ text: string; label: number }> {
  const random = seededRandom(seed);
  const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)] as string;
  const [good, bad] = [
    ['good', 'great', 'charming', 'funny'],
    ['bad', 'dull', 'boring', 'slow'],
  ];
  return Array.from({ length: count }, (_, i) => {
    const label = i % 2;
    const noun = pick(['movie', 'film', 'story', 'plot', 'cast']);
    const adjective = pick(label === 1 ? good : bad);
    const text =
      random() < 0.3
        ? `this ${noun} was not ${pick(label === 1 ? bad : good)} , but ${adjective} !`
        : `the ${noun} is ${pick(['very ', 'quite ', ''])}${adjective} .`;
    return { text, label };
  });
}

/** An SST-2 dev.tsv of the rows: the header, then sentence<TAB>label (every third label as its name). */
export function sst2Tsv(rows: ReadonlyArray<{ text: string; label: number }>): string {
  const name = (label: number, i: number) => (i % 3 === 0 ? ['NEGATIVE', 'POSITIVE'][label] : String(label));
  return `sentence\tlabel\n${rows.map((r, i) => `${r.text}\t${name(r.label, i)}\n`).join('')}`;
}

/** `lengths.length` lines of token ids in [1, vocab), deterministic. */
export function idLines(lengths: readonly number[], vocab = 1000, seed = 2): string {
  const random = seededRandom(seed);
  return lengths
    .map((n) => Array.from({ length: n }, () => 1 + Math.floor(random() * (vocab - 1))).join(' '))
    .join('\n');
}

type ConfigPatch = (config: Record<string, unknown>) => void;

function patched(bytes: Uint8Array, patch: ConfigPatch | undefined): Uint8Array {
  if (!patch) return bytes;
  const config = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  patch(config);
  return new TextEncoder().encode(JSON.stringify(config, null, 2));
}

/** An hf-tiny folder's files in memory, with extra files beside them and config.json patched. */
export async function fixtureFiles(
  folder: string,
  extra: Readonly<Record<string, string>> = {},
  patch?: ConfigPatch,
): Promise<ModelFiles> {
  const dir = fixture('hf-tiny', folder);
  const files = new Map(await readModelFolder(dir));
  const config = files.get('config.json')!;
  files.set('config.json', { name: config.name, bytes: patched(config.bytes, patch) });
  for (const [name, text] of Object.entries(extra)) {
    files.set(name, { name: join(dir, name), bytes: new TextEncoder().encode(text) });
  }
  return files;
}

/** A temporary copy of an hf-tiny folder (weights linked), with extra files and config.json patched. */
export async function fixtureFolderCopy(
  folder: string,
  extra: Readonly<Record<string, string>> = {},
  patch?: ConfigPatch,
): Promise<string> {
  const from = fixture('hf-tiny', folder);
  const dir = await mkdtemp(join(tmpdir(), `mbe-snn-${folder}-`));
  await symlink(join(from, 'model.safetensors'), join(dir, 'model.safetensors'));
  const files = await fixtureFiles(folder, {}, patch);
  await writeFile(join(dir, 'config.json'), files.get('config.json')!.bytes);
  for (const [name, text] of Object.entries(extra)) await writeFile(join(dir, name), text);
  return dir;
}

/** Fits short enough for tests (~0.1 s each instead of ~20 s): the CLI's --quick-fits. */
export { QUICK_FIT };

/** Neurons from the shipped table, else the cache, else a quick fit; `fits` lists what was fitted. */
export function quickNeurons(kernels: Kernels, cache?: NeuronCache): NeuronProvider & { fits: string[] } {
  const fits: string[] = [];
  const provider = new NeuronProvider(kernels, {
    ...(cache ? { cache } : {}),
    fit: QUICK_FIT,
    onFit: (r) => fits.push(`${r.target} [${r.domain.join(', ')}]`),
  });
  return Object.assign(provider, { fits });
}
