// Which model the command line names and its files: a registry entry's name (its files from the options
// or the fixtures) or the path of a Hugging Face model folder (its architecture recognised from
// config.json), and the data its task is evaluated on.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturesDir, loadMnist, readFileBytes } from '../io/node/files.js';
import { readModelFolder } from '../io/node/folder.js';
import {
  ARCHITECTURES,
  findArchitecture,
  recogniseArchitecture,
  type ArchitectureEntry,
  type CausalLMEntry,
  type ImageClassifierEntry,
  type ModelFile,
  type ModelFiles,
} from '../models/registry.js';
import { UsageError } from './command.js';
import { TASK_DATA, type Values } from './model-args.js';

export interface ModelSource {
  readonly entry: ArchitectureEntry;
  readonly files: ModelFiles;
}

/** The path given with --<option>, or the fixture's. */
function pathOf(values: Values, option: keyof Values, fixturePath: readonly string[]): string {
  const given = values[option];
  if (typeof given === 'string') return given;
  const dir = fixturesDir();
  if (!dir) {
    throw new UsageError(
      `--${String(option)} is required: no fixtures folder (../shared/fixtures or $MBE_SNN_FIXTURES) was found`,
    );
  }
  return join(dir, ...fixturePath);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The model named by the command's first argument, of the given task when one is required. */
export async function resolveModel(
  name: string | undefined,
  values: Values,
  task?: ArchitectureEntry['task'],
): Promise<ModelSource> {
  const candidates = ARCHITECTURES.filter((a) => task === undefined || a.task === task);
  const expected = `a model folder or one of ${candidates.map((a) => `"${a.name}"`).join(', ')}`;
  if (name === undefined) throw new UsageError(`the model must be ${expected}, got nothing`);
  const named = findArchitecture(name);
  let source: ModelSource;
  if (named) {
    source = { entry: named, files: await entryFiles(named, values) };
  } else if (await isDirectory(name)) {
    const files = await readModelFolder(name);
    const entry = recogniseArchitecture(files);
    if (!entry) {
      throw new UsageError(
        `${name}: its config.json names no supported architecture; supported: ${ARCHITECTURES.map((a) => a.name).join(', ')}`,
      );
    }
    source = { entry, files };
  } else {
    throw new UsageError(`the model must be ${expected}, got "${name}"`);
  }
  if (!candidates.includes(source.entry)) {
    throw new UsageError(`${name} is a ${source.entry.task} model (${source.entry.name}); this command needs ${task}`);
  }
  return source;
}

/** A registry entry's files: a folder entry's fixture folder, or each role's option, else its fixture. */
async function entryFiles(entry: ArchitectureEntry, values: Values): Promise<ModelFiles> {
  if (entry.folder) {
    const dir = fixturesDir();
    if (!dir) throw new UsageError(`${entry.name} is read from a folder: give the folder's path instead of its name`);
    return readModelFolder(join(dir, ...entry.folder.fixture));
  }
  const files = new Map<string, ModelFile>();
  for (const f of entry.files) {
    const name = pathOf(values, f.role as keyof Values, f.fixture);
    files.set(f.role, { name, bytes: await readFileBytes(name) });
  }
  return files;
}

/** A causal LM, its tokenizer and the text it is evaluated on. */
export async function loadLanguageModel(entry: CausalLMEntry, files: ModelFiles, values: Values) {
  const { builder, tokenizer } = entry.load(files);
  if (!tokenizer) {
    throw new UsageError(
      `${entry.name}: the model has no tokenizer files (tokenizer.json, vocab.json + merges.txt, vocab.txt), so it cannot read text`,
    );
  }
  const [text] = TASK_DATA['causal-lm'];
  const textBytes = await readFileBytes(pathOf(values, text.option, text.fixture));
  return { builder, tokenizer, text: new TextDecoder().decode(textBytes) };
}

/** An image classifier and the labelled images it is evaluated on. */
export async function loadImageClassifier(entry: ImageClassifierEntry, files: ModelFiles, values: Values) {
  const loaded = entry.load(files);
  const [images, labels] = TASK_DATA['image-classifier'];
  const mnist = await loadMnist(
    pathOf(values, images.option, images.fixture),
    pathOf(values, labels.option, labels.fixture),
  );
  return { ...loaded, images: mnist.images, labels: mnist.labels };
}
