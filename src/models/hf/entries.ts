// The registry entries of Hugging Face model folders: each recognised by its config.json's
// `architectures` (or `model_type`), loaded from config.json, the safetensors file or shards, and the
// tokenizer files when the folder has them. One entry per architecture; the model files build the forward
// passes.
import { FormatError } from '../../errors.js';
import { checkFiniteWeights, type WeightOptions } from '../../io/finite.js';
import { HfConfig } from '../../io/hf/config.js';
import { readFolderTensors } from '../../io/hf/folder.js';
import { parsePreprocessorConfig } from '../../io/hf/preprocessor.js';
import { hasHfTokenizer, hfTokenizer } from '../../io/hf/tokenizer.js';
import type { SafetensorsTensor } from '../../io/safetensors.js';
import type { ModelBuilder } from '../builder.js';
import { gpt2Builder } from '../gpt2.js';
import { hfVitBuilder, hfVitConfig } from '../hf-vit.js';
import type { CausalLM } from '../interfaces.js';
import { llamaBuilder } from '../llama.js';
import type { CausalLMEntry, ImageClassifierEntry, ModelFiles } from '../registry.js';

/** What every folder entry reads: the config, the tensors and the folder's name for messages. */
export interface FolderContents {
  readonly config: HfConfig;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  readonly folder: string;
}

/** The folder's name: the directory of its config.json (a path or a picked File's name). */
function folderName(files: ModelFiles): string {
  const config = files.get('config.json');
  if (!config) throw new FormatError('model folder', 'has no config.json');
  return config.name.replace(/[/\\]?config\.json$/, '') || '.';
}

/** The folder's config and tensors; with allowNonFinite, its float tensors are accepted as they are. */
export function readFolder(files: ModelFiles, options: WeightOptions = {}): FolderContents {
  const folder = folderName(files);
  const configFile = files.get('config.json') as { name: string; bytes: Uint8Array };
  const tensors = readFolderTensors(files, folder);
  if (options.allowNonFinite === true) {
    for (const [name, tensor] of tensors) if ('data' in tensor) checkFiniteWeights(tensor.data, folder, name, options);
  }
  return { config: HfConfig.parse(configFile.bytes, configFile.name), tensors, folder };
}

/** Whether the folder's config.json names one of the classes (or, without architectures, the model type). */
export function configNames(files: ModelFiles, classes: readonly string[], modelTypes: readonly string[]): boolean {
  const file = files.get('config.json');
  if (!file) return false;
  let config: HfConfig;
  try {
    config = HfConfig.parse(file.bytes, file.name);
  } catch (error) {
    if (error instanceof FormatError) return false;
    throw error;
  }
  const { architectures, modelType } = config;
  return architectures.length > 0
    ? architectures.some((a) => classes.includes(a))
    : modelType !== undefined && modelTypes.includes(modelType);
}

interface CausalFolderSpec {
  readonly name: string;
  readonly summary: string;
  readonly classes: readonly string[];
  readonly modelTypes: readonly string[];
  readonly fixture: readonly string[];
  readonly build: (contents: FolderContents) => ModelBuilder<CausalLM>;
}

function causalFolderEntry(spec: CausalFolderSpec): CausalLMEntry {
  return {
    name: spec.name,
    task: 'causal-lm',
    summary: spec.summary,
    files: [],
    folder: { fixture: spec.fixture },
    recognise: (files) => configNames(files, spec.classes, spec.modelTypes),
    load: (files, options) => {
      const contents = readFolder(files, options);
      const builder = spec.build(contents);
      return hasHfTokenizer(files) ? { builder, tokenizer: hfTokenizer(files, contents.folder) } : { builder };
    },
    calibration: { firstParagraph: 300, paragraphs: 8 },
  };
}

export const GPT2_ENTRY = causalFolderEntry({
  name: 'gpt2',
  summary: 'Hugging Face GPT2LMHeadModel folder (config.json, safetensors)',
  classes: ['GPT2LMHeadModel'],
  modelTypes: ['gpt2'],
  fixture: ['hf-tiny', 'gpt2-tiny-hot'],
  build: ({ config, tensors, folder }) => gpt2Builder(config, tensors, folder),
});

export const LLAMA_ENTRY = causalFolderEntry({
  name: 'llama',
  summary: 'Hugging Face LlamaForCausalLM folder (Llama 2/3, TinyLlama, SmolLM, ...)',
  classes: ['LlamaForCausalLM'],
  modelTypes: ['llama'],
  fixture: ['hf-tiny', 'llama-tiny-hot'],
  build: ({ config, tensors, folder }) => llamaBuilder(config, tensors, folder, 'llama'),
});

export const QWEN2_ENTRY = causalFolderEntry({
  name: 'qwen2',
  summary: 'Hugging Face Qwen2ForCausalLM folder',
  classes: ['Qwen2ForCausalLM'],
  modelTypes: ['qwen2'],
  fixture: ['hf-tiny', 'qwen2-tiny-hot'],
  build: ({ config, tensors, folder }) => llamaBuilder(config, tensors, folder, 'qwen2'),
});

export const HF_VIT_ENTRY: ImageClassifierEntry = {
  name: 'hf-vit',
  task: 'image-classifier',
  summary: 'Hugging Face ViTForImageClassification folder (config.json, safetensors, preprocessor_config.json)',
  files: [],
  folder: { fixture: ['hf-tiny', 'vit-tiny-cls-hot'] },
  recognise: (files) => configNames(files, ['ViTForImageClassification'], ['vit']),
  load: (files, options) => {
    const { config, tensors, folder } = readFolder(files, options);
    const pre = files.get('preprocessor_config.json');
    const preprocessor = pre ? parsePreprocessorConfig(pre.bytes, pre.name) : undefined;
    const { image, labels } = hfVitConfig(config);
    return {
      builder: hfVitBuilder(config, tensors, folder, preprocessor),
      input: { image, resample: preprocessor?.resize?.resample ?? 'bilinear', labels },
    };
  },
  calibration: { imagesPerFold: 32 },
};
