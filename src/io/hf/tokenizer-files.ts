// The files of a Hugging Face tokenizer, read and checked (one module each), as one import for the tokenizer.
export { brief } from './json.js';
export { type TokenizerFile } from './tokenizer-read.js';
export { parseTokenizerJson, type AddedTokenJson, type TokenizerJson } from './tokenizer-json.js';
export { parseMergesTxt, parseVocabJson, parseVocabTxt } from './tokenizer-vocab-files.js';
export {
  parseTokenizerSettings,
  SPECIAL_ROLES,
  type NamedToken,
  type SpecialRole,
  type SpecialToken,
  type TokenizerSettings,
} from './tokenizer-settings.js';
export { parseModelConfigHints, type ModelConfigHints } from './tokenizer-config-hints.js';
