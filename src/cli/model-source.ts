// Which model the command line names and its files: a registry entry's name (its files from the options
// or the fixtures) or the path of a Hugging Face model folder (its architecture recognised from
// config.json), and the data its task is evaluated on.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fixturesDir, loadMnist, readFileBytes } from '../io/node/files.js';
import { readModelFolder } from '../io/node/folder.js';
import { readImageFolder } from '../io/node/images.js';
import { stories260K } from '../io/embedded/stories260K.js';
import { describeText, describeValue } from '../describe.js';
import { fitImage, idxImages, prepareImages } from '../tasks/image-data.js';
import {
  ARCHITECTURES,
  findArchitecture,
  recogniseArchitecture,
  type ArchitectureEntry,
  type CausalLMEntry,
  type ImageClassifierEntry,
  type ModelFile,
  type ModelFiles,
  type SequenceClassifierEntry,
  type SequenceEncoderEntry,
} from '../models/registry.js';
import type { TextTokenizer } from '../models/interfaces.js';
import { parseIdLines, type IdLine } from '../tasks/language-model.js';
import { paragraphRows, sentenceRows } from '../tasks/encoder-similarity.js';
import { parseLabelledTsv } from '../tasks/sequence-classification.js';
import { UsageError } from './command.js';
import { TASK_DATA, weightOptions, type Values } from './model-args.js';

export interface ModelSource {
  readonly entry: ArchitectureEntry;
  readonly files: ModelFiles;
  /** The embedded default model's description, when it is that one. */
  readonly embedded?: string;
}

/** The name that selects the embedded default model (also what no model argument means). */
export const EMBEDDED_MODEL = 'stories260K';

/** The embedded stories260K, through the registry's llama2c entry. */
function embeddedSource(): ModelSource {
  const model = stories260K();
  const entry = findArchitecture(model.architecture);
  if (!entry) throw new Error(`the registry has no "${model.architecture}" entry for the embedded model`);
  return { entry, files: model.files, embedded: model.description };
}

/** The path given with --<option>, or the fixture's. */
function pathOf(values: Values, option: keyof Values, fixturePath: readonly string[] | undefined): string {
  const given = values[option];
  if (typeof given === 'string') return given;
  if (fixturePath === undefined)
    throw new UsageError(`--${String(option)} <file> is required (the fixtures hold no default one)`);
  const dir = fixturesDir();
  if (!dir) {
    throw new UsageError(
      `--${String(option)} is required: no fixtures folder (../shared/fixtures or $MBE_SNN_FIXTURES) was found`,
    );
  }
  return join(dir, ...fixturePath);
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A checkpoint file given as the model: the single-file entry (ViT, LeNet-5, ResNet, VGG) that recognises it. */
async function singleFileSource(path: string): Promise<ModelSource> {
  const bytes = await readFileBytes(path);
  const singleFile = ARCHITECTURES.filter((a) => !a.folder && a.files.length === 1);
  for (const entry of singleFile) {
    const files = new Map([[entry.files[0]!.role, { name: path, bytes }]]);
    if (entry.recognise(files)) return { entry, files };
  }
  throw new UsageError(
    `${path}: not a checkpoint of ${singleFile.map((a) => a.name).join(', ')} (a llama2.c checkpoint is given as ` +
      '"llama2c --checkpoint <file> --tokenizer <file>", a Hugging Face model as its folder)',
  );
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The model named by the command's first argument, of the given task when one is required: none (or
 * "stories260K") is the embedded default model.
 */
export async function resolveModel(
  name: string | undefined,
  values: Values,
  task?: ArchitectureEntry['task'],
): Promise<ModelSource> {
  const candidates = ARCHITECTURES.filter((a) => task === undefined || a.task === task);
  const expected = `a model folder or file, "${EMBEDDED_MODEL}" or one of ${candidates.map((a) => `"${a.name}"`).join(', ')}`;
  const named = name === undefined ? undefined : findArchitecture(name);
  let source: ModelSource;
  if (name === undefined || name === EMBEDDED_MODEL) {
    source = embeddedSource();
  } else if (named) {
    source = { entry: named, files: await entryFiles(named, values) };
  } else if (await isRegularFile(name)) {
    source = await singleFileSource(name);
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

/** The folder (its config.json's directory) or the entry's name, for messages. */
function modelName(entry: ArchitectureEntry, files: ModelFiles): string {
  const config = files.get('config.json')?.name;
  return config === undefined ? entry.name : dirname(config);
}

function noTokenizer(entry: ArchitectureEntry, files: ModelFiles, what: string, ids: string): UsageError {
  return new UsageError(
    `${modelName(entry, files)}: the model has no tokenizer files (tokenizer.json, vocab.json + merges.txt, ` +
      `vocab.txt), so it cannot read ${what}; give --ids <file> of ${ids} instead`,
  );
}

async function readText(path: string): Promise<string> {
  return new TextDecoder().decode(await readFileBytes(path));
}

/**
 * What a causal LM is evaluated on: paragraphs of text (with its tokenizer), lines of token ids, or, with no
 * dataset, samples the float model draws itself from its start tokens.
 */
export type LanguageModelData =
  | { readonly kind: 'text'; readonly tokenizer: TextTokenizer; readonly text: string }
  | { readonly kind: 'ids'; readonly tokenizer?: TextTokenizer; readonly file: string; readonly lines: IdLine[] }
  | { readonly kind: 'samples'; readonly tokenizer?: TextTokenizer; readonly start: number[] };

/** Where a generated text starts: the tokenizer's encoding of '' (e.g. BOS), else its BOS, else its EOS. */
export function startTokens(tokenizer: TextTokenizer): number[] | undefined {
  const ids = tokenizer.encode('');
  if (ids.length > 0) return ids;
  const { bos, eos } = tokenizer as { bos?: number; eos?: number };
  const start = bos ?? eos;
  return start === undefined ? undefined : [start];
}

/**
 * A causal LM, its tokenizer when it has one, and its data: --ids lines, else --text, else the fixtures' text
 * for a registry entry named on the command line, else (the embedded model, a folder) the model's own samples.
 */
export async function loadLanguageModel(source: ModelSource, values: Values) {
  const entry = source.entry as CausalLMEntry;
  const { builder, tokenizer } = entry.load(source.files, weightOptions(values));
  const withTokenizer = tokenizer ? { tokenizer } : {};
  if (values.ids !== undefined) {
    const lines = parseIdLines(await readText(values.ids), values.ids);
    const data: LanguageModelData = { kind: 'ids', ...withTokenizer, file: values.ids, lines };
    return { builder, data };
  }
  const [text] = TASK_DATA['causal-lm'];
  const fixtureText = source.embedded === undefined && !source.files.has('config.json') && fixturesDir();
  if (values.text !== undefined || fixtureText) {
    if (!tokenizer) throw noTokenizer(entry, source.files, 'text', 'token ids (one sequence a line)');
    const data: LanguageModelData = {
      kind: 'text',
      tokenizer,
      text: await readText(pathOf(values, text.option, text.fixture)),
    };
    return { builder, data };
  }
  const start = tokenizer && startTokens(tokenizer);
  if (!start) {
    throw new UsageError(
      `${modelName(entry, source.files)}: without --text or --ids the model calibrates on its own samples, which ` +
        'need a start token: its tokenizer has none (or it has no tokenizer files); give --text or --ids',
    );
  }
  const data: LanguageModelData = { kind: 'samples', ...withTokenizer, start };
  return { builder, data };
}

/** An image classifier and the labelled images it is evaluated on. */
export async function loadImageClassifier(entry: ImageClassifierEntry, files: ModelFiles, values: Values) {
  const { builder, input } = entry.load(files, weightOptions(values));
  const [imagesOption, labelsOption] = TASK_DATA['image-classifier'];
  const imagesPath = pathOf(values, imagesOption.option, imagesOption.fixture);
  const resize = { resample: input.resample };
  if (await isDirectory(imagesPath)) {
    // A folder of PNG/JPEG images, labels from the sub-folder names; each image resized as it is decoded.
    const folder = await readImageFolder(imagesPath, { map: (image) => fitImage(image, input.image, resize) });
    // Sub-folder names are class names (or class indices): the model's class of each.
    const classOf = folder.labels.map((name) => {
      const index = input.labels.indexOf(name);
      if (index >= 0) return index;
      throw new UsageError(
        `${imagesPath}: sub-folder ${describeValue(name, 40)} is not a class of the model (${input.labels
          .slice(0, 10)
          .map((l) => describeText(l, 24))
          .join(', ')}${input.labels.length > 10 ? ', ...' : ''})`,
      );
    });
    const labels = Uint16Array.from(folder.labelIndex, (l) => classOf[l] as number);
    return { builder, images: prepareImages(folder.images, input.image, resize), labels };
  }
  const labelsPath = pathOf(values, labelsOption.option, labelsOption.fixture);
  const mnist = await loadMnist(imagesPath, labelsPath);
  const { height, width, channels } = input.image;
  // resizing only scales: IDX images of another aspect ratio are not the model's images (a 784x1 file is not 28x28)
  if (mnist.rows * width !== mnist.cols * height) {
    throw new UsageError(
      `${imagesPath}: its images are ${mnist.rows}x${mnist.cols}; the model takes ${height}x${width} images ` +
        '(or any size of that aspect ratio, resized)',
    );
  }
  const bad = mnist.labels.findIndex((l) => l >= input.labels.length);
  if (bad >= 0) {
    throw new UsageError(
      `${labelsPath}: label ${mnist.labels[bad]} of image ${bad} is not a class of the model (0 .. ${input.labels.length - 1})`,
    );
  }
  const images =
    mnist.rows === height && mnist.cols === width && channels === 1
      ? mnist.images
      : prepareImages(idxImages(mnist.images, mnist.count, mnist.rows, mnist.cols), input.image, resize);
  return { builder, images, labels: mnist.labels };
}

/** A sequence classifier, its tokenizer, and its labelled rows: --tsv sentences, or --ids token ids. */
export async function loadSequenceClassifier(entry: SequenceClassifierEntry, files: ModelFiles, values: Values) {
  const { builder, tokenizer } = entry.load(files, weightOptions(values));
  if (values.ids !== undefined) {
    const set = parseLabelledTsv(await readText(values.ids), values.ids, { ids: true });
    return { builder, ...(tokenizer ? { tokenizer } : {}), set };
  }
  if (values.tsv === undefined) {
    throw new UsageError(
      `${modelName(entry, files)} is a sequence classifier: --tsv <file> of sentence<TAB>label rows is required ` +
        '(or --ids <file> of token ids<TAB>label rows)',
    );
  }
  if (!tokenizer) throw noTokenizer(entry, files, `the sentences of ${values.tsv}`, 'token ids<TAB>label rows');
  return { builder, tokenizer, set: parseLabelledTsv(await readText(values.tsv), values.tsv) };
}

/** A sequence encoder, its tokenizer, and its rows: --ids lines, --sentences lines or --text paragraphs. */
export async function loadSequenceEncoder(entry: SequenceEncoderEntry, files: ModelFiles, values: Values) {
  const { builder, tokenizer } = entry.load(files, weightOptions(values));
  if (values.ids !== undefined) {
    const lines = parseIdLines(await readText(values.ids), values.ids);
    return { builder, ...(tokenizer ? { tokenizer } : {}), set: { file: values.ids, rows: lines } };
  }
  const path = values.sentences ?? values.text;
  if (path === undefined) {
    throw new UsageError(
      `${modelName(entry, files)} is a sequence encoder: --sentences <file> (one sentence a line) or --text <file> ` +
        '(paragraphs) is required (or --ids <file> of token ids, one sequence a line)',
    );
  }
  if (!tokenizer) throw noTokenizer(entry, files, `the text of ${path}`, 'token ids (one sequence a line)');
  const text = await readText(path);
  const set = values.sentences !== undefined ? sentenceRows(text, path) : paragraphRows(text, path);
  return { builder, tokenizer, set };
}
