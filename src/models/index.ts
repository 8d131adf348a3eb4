export { LLAMA2C_NON_SPIKING, Llama2cModel, llama2cBuilder, llama2cTextTokenizer } from './llama2c.js';
export { MNIST_VIT, VIT_NON_SPIKING, VitModel, vitBuilder, type VitConfig } from './vit.js';
export type * from './interfaces.js';
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
  type SequenceClassifierEntry,
  type SequenceEncoderEntry,
} from './registry.js';
export { Weights } from './weights.js';
export type { Tensor, TensorMap } from '../tensor.js';
export { Gpt2Model, gpt2Builder } from './gpt2.js';
export { LlamaModel, llamaBuilder } from './llama.js';
export { BertForSequenceClassification, BertModel, bertBuilder } from './bert.js';
export { RobertaForSequenceClassification, RobertaModel, robertaBuilder } from './roberta.js';
export { HfVitModel, hfVitBuilder } from './hf-vit.js';
