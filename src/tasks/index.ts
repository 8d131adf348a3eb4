export {
  convertLlama2c,
  encodeParagraphs,
  evaluateLlama2c,
  LLAMA2C_NON_SPIKING,
  splitParagraphs,
  type Llama2cEvaluation,
  type Llama2cEvaluationOptions,
} from './llama2c.js';
export {
  convertVit,
  evaluateVit,
  floatTensorMap,
  VIT_NON_SPIKING,
  type VitEvaluation,
  type VitEvaluationOptions,
} from './vit.js';
export { generate, type GenerateOptions, type Generation } from './generate.js';
