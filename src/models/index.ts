export { LLAMA2C_NON_SPIKING, Llama2cModel, llama2cBuilder, llama2cTextTokenizer } from './llama2c.js';
export { MNIST_VIT, VIT_NON_SPIKING, VitModel, vitBuilder, type VitConfig } from './vit.js';
export type {
  CausalLM,
  ImageClassifier,
  ImageShape,
  SequenceClassifier,
  SequenceEncoder,
  TextTokenizer,
} from './interfaces.js';
export type { ModelBuilder } from './builder.js';
export {
  ARCHITECTURES,
  findArchitecture,
  recogniseArchitecture,
  type ArchitectureEntry,
  type CausalLMEntry,
  type FileRole,
  type ImageClassifierEntry,
  type ModelFile,
  type ModelFiles,
} from './registry.js';
export { Weights } from './weights.js';
export type { Tensor, TensorMap } from '../tensor.js';
