// mbe-snn/node: the public API of the browser entry plus the Node file readers (each a thin wrapper that reads a
// path and hands the bytes to the browser-safe parser, with the file's path in every error).
export * from './index.js';
export {
  loadLlama2c,
  loadMnist,
  loadSafetensors,
  loadTokenizer,
  readFileBytes,
  type MnistSet,
  type ReadFileOptions,
} from './io/node/files.js';
export { readModelFolder } from './io/node/folder.js';
export {
  decodeImage,
  readImageFile,
  readImageFolder,
  type ImageFolder,
  type ImageFolderOptions,
} from './io/node/images.js';
