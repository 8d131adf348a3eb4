// The architecture registry: one entry per architecture, saying how its files are recognised, how they
// load, what its forward pass is built from, and what it calibrates on by default. The CLI's <model>
// argument and the page's model choice are the entries' names. Adding an architecture is one model file
// (the forward pass over an OpSet and its builder) and one entry here.
import { FormatError } from '../errors.js';
import type { WeightOptions } from '../io/finite.js';
import { parseLlama2c, parseLlama2cConfig } from '../io/llama2c.js';
import { floatTensorMap, parseSafetensors } from '../io/safetensors.js';
import { parseTokenizer } from '../io/tokenizer.js';
import type { ModelBuilder } from './builder.js';
import { GPT2_ENTRY, HF_VIT_ENTRY, LLAMA_ENTRY, QWEN2_ENTRY } from './hf/entries.js';
import { BERT_ENTRIES, ROBERTA_ENTRIES } from './hf/encoder-entries.js';
import type { ResampleFilter } from '../io/hf/preprocessor.js';
import type {
  CausalLM,
  ImageClassifier,
  ImageShape,
  SequenceClassifier,
  SequenceEncoder,
  TextTokenizer,
} from './interfaces.js';
import { llama2cBuilder, llama2cTextTokenizer } from './llama2c.js';
import { LENET_INPUT, LENET_TENSORS, lenetBuilder } from './lenet.js';
import { hasTensors } from './model-file.js';
import { MNIST_VIT, vitBuilder } from './vit.js';
import { RESNET_ENTRY, VGG_ENTRY } from './torchvision-entries.js';

/** One file of a model, as bytes with the name it came from (a path or a browser File's name). */
export interface ModelFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A model's files by role ("checkpoint", "tokenizer", "model", ...). */
export type ModelFiles = ReadonlyMap<string, ModelFile>;

export interface FileRole {
  readonly role: string;
  /** For help texts: what the file is. */
  readonly description: string;
  /**
   * Where the fixtures folder keeps one (path parts under it), for tests and the CLI's defaults; undefined for
   * architectures the fixtures have no checkpoint of (the file must then be given).
   */
  readonly fixture?: readonly string[];
}

interface EntryBase {
  readonly name: string;
  readonly summary: string;
  /** The files it is made of, by role (single-file formats); empty for model folders. */
  readonly files: readonly FileRole[];
  /**
   * A Hugging Face model folder: its files are keyed by base name (config.json, model.safetensors, ...);
   * `fixture` is a folder of the fixtures that holds one.
   */
  readonly folder?: { readonly fixture: readonly string[] };
  /** Whether the files are this architecture's (format header, tensor names or config fields). */
  recognise(files: ModelFiles): boolean;
}

export interface CausalLMEntry extends EntryBase {
  readonly task: 'causal-lm';
  /** The tokenizer is undefined for a folder without tokenizer files (token ids only). */
  load(
    files: ModelFiles,
    options?: WeightOptions,
  ): { readonly builder: ModelBuilder<CausalLM>; readonly tokenizer?: TextTokenizer };
  /** Default calibration: `paragraphs` paragraphs of the evaluation text from `firstParagraph` on. */
  readonly calibration: { readonly firstParagraph: number; readonly paragraphs: number };
}

/** The images a classifier takes, and the filter that resizes others to them (its preprocessor's). */
export interface ImageInput {
  readonly image: ImageShape;
  readonly resample: ResampleFilter;
  /** Class names by index (an image folder's sub-folder names are matched against them). */
  readonly labels: readonly string[];
}

export interface ImageClassifierEntry extends EntryBase {
  readonly task: 'image-classifier';
  load(
    files: ModelFiles,
    options?: WeightOptions,
  ): { readonly builder: ModelBuilder<ImageClassifier>; readonly input: ImageInput };
  /** Default calibration: this many images per fold, outside the fold. */
  readonly calibration: { readonly imagesPerFold: number };
}

export interface SequenceClassifierEntry extends EntryBase {
  readonly task: 'sequence-classifier';
  load(
    files: ModelFiles,
    options?: WeightOptions,
  ): {
    readonly builder: ModelBuilder<SequenceClassifier>;
    readonly tokenizer?: TextTokenizer;
  };
}

export interface SequenceEncoderEntry extends EntryBase {
  readonly task: 'sequence-encoder';
  load(
    files: ModelFiles,
    options?: WeightOptions,
  ): { readonly builder: ModelBuilder<SequenceEncoder>; readonly tokenizer?: TextTokenizer };
}

export type ArchitectureEntry = CausalLMEntry | ImageClassifierEntry | SequenceClassifierEntry | SequenceEncoderEntry;

function file(files: ModelFiles, entry: string, role: string): ModelFile {
  const found = files.get(role);
  if (!found) throw new FormatError(entry, `the model needs its ${role} file`);
  return found;
}

/** Whether parsing succeeds without a FormatError (other errors propagate). */
function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (error instanceof FormatError) return false;
    throw error;
  }
}

const LLAMA2C: CausalLMEntry = {
  name: 'llama2c',
  task: 'causal-lm',
  summary: 'llama2.c checkpoint (legacy v0 format) and its tokenizer.bin, e.g. stories260K',
  files: [
    { role: 'checkpoint', description: 'llama2.c checkpoint (.bin)', fixture: ['llama2c', 'stories260K.bin'] },
    { role: 'tokenizer', description: 'llama2.c tokenizer (.bin)', fixture: ['llama2c', 'tok512.bin'] },
  ],
  recognise: (files) => {
    const checkpoint = files.get('checkpoint');
    return checkpoint !== undefined && parses(() => parseLlama2cConfig(checkpoint.bytes, checkpoint.name));
  },
  load: (files, options) => {
    const checkpoint = file(files, 'llama2c', 'checkpoint');
    const tokenizer = file(files, 'llama2c', 'tokenizer');
    const parsed = parseLlama2c(checkpoint.bytes, checkpoint.name, options);
    return {
      builder: llama2cBuilder(parsed),
      tokenizer: llama2cTextTokenizer(parseTokenizer(tokenizer.bytes, parsed.config.vocabSize, tokenizer.name)),
    };
  },
  calibration: { firstParagraph: 300, paragraphs: 8 },
};

/** Tensor names only the fixture's ViT layout (lucidrains vit-pytorch) has. */
const VIT_TENSORS = ['patch_to_embedding.weight', 'mlp_head.0.weight', 'cls_token'];

const MNIST_VIT_ENTRY: ImageClassifierEntry = {
  name: 'vit',
  task: 'image-classifier',
  summary: 'the MNIST ViT of the fixtures (vit-pytorch layout, 28x28 grey images) in a safetensors file',
  files: [{ role: 'model', description: 'ViT safetensors', fixture: ['vit', 'vit_mnist.safetensors'] }],
  recognise: (files) => hasTensors(files.get('model'), VIT_TENSORS),
  load: (files, options) => {
    const model = file(files, 'vit', 'model');
    const builder = vitBuilder(floatTensorMap(parseSafetensors(model.bytes, model.name), options), model.name);
    const { imageSize } = MNIST_VIT;
    const labels = Array.from({ length: MNIST_VIT.classes }, (_, i) => String(i));
    const image = { height: imageSize, width: imageSize, channels: 1 };
    return { builder, input: { image, resample: 'bilinear', labels } };
  },
  calibration: { imagesPerFold: 32 },
};

const LENET_ENTRY: ImageClassifierEntry = {
  name: 'lenet5',
  task: 'image-classifier',
  summary: 'a LeNet-5 CNN (convnet.c1/c3/c5, fc.f6/f7; 32x32 grey input, MNIST normalisation) in a safetensors file',
  files: [{ role: 'model', description: 'LeNet-5 safetensors', fixture: ['cnn', 'lenet5_mnist.safetensors'] }],
  recognise: (files) => hasTensors(files.get('model'), LENET_TENSORS),
  load: (files, options) => {
    const model = file(files, 'lenet5', 'model');
    const builder = lenetBuilder(floatTensorMap(parseSafetensors(model.bytes, model.name), options), model.name);
    const labels = Array.from({ length: 10 }, (_, i) => String(i));
    const image = { height: LENET_INPUT.size, width: LENET_INPUT.size, channels: 1 };
    // trained on torchvision's Resize((32, 32)) of the 28x28 digits: Pillow's bilinear filter
    return { builder, input: { image, resample: 'bilinear', labels } };
  },
  calibration: { imagesPerFold: 32 },
};

export const ARCHITECTURES: readonly ArchitectureEntry[] = [
  LLAMA2C,
  MNIST_VIT_ENTRY,
  LENET_ENTRY,
  RESNET_ENTRY,
  VGG_ENTRY,
  GPT2_ENTRY,
  LLAMA_ENTRY,
  QWEN2_ENTRY,
  HF_VIT_ENTRY,
  ...BERT_ENTRIES,
  ...ROBERTA_ENTRIES,
];

/** The entry of that name, or undefined. */
export function findArchitecture(name: string): ArchitectureEntry | undefined {
  return ARCHITECTURES.find((a) => a.name === name);
}

/** The first entry that recognises the files, or undefined. */
export function recogniseArchitecture(files: ModelFiles): ArchitectureEntry | undefined {
  return ARCHITECTURES.find((a) => a.recognise(files));
}
