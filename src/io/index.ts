// The browser-safe readers (no `node:` imports); the Node file loaders are in ./node/files.ts.
export * from './llama2c.js';
export * from './tokenizer.js';
export * from './safetensors.js';
export * from './idx.js';
export { HfConfig } from './hf/config.js';
export {
  readFolderTensors,
  type FolderFile,
  type FolderFiles,
  SAFETENSORS_FILE,
  SAFETENSORS_INDEX_FILE,
  MODEL_FOLDER_FILES,
} from './hf/folder.js';
export { folderFromFiles, type PickedFile } from './hf/file-list.js';
export { hasHfTokenizer, hfTokenizer, type HfTokenizer } from './hf/tokenizer.js';
export { parsePreprocessorConfig, type ImagePreprocessor } from './hf/preprocessor.js';
export { writeSafetensors, type WritableTensor } from './safetensors-writer.js';
export { llama2cToHf } from './llama2c-to-hf.js';
export * from './images/index.js';
export { llama2cTokenizerJson } from './llama2c-tokenizer-json.js';
