export {
  CALIBRATION_START,
  convertCausalLM,
  encodeParagraphs,
  evaluateCausalLM,
  splitParagraphs,
  type LanguageModelEvaluation,
  type LanguageModelEvaluationOptions,
} from './language-model.js';
export {
  convertImageClassifier,
  evaluateImageClassifier,
  type ImageClassifierEvaluation,
  type ImageClassifierEvaluationOptions,
} from './image-classification.js';
export { convertLlama2c, evaluateLlama2c } from './llama2c.js';
export { convertVit, evaluateVit } from './vit.js';
export { generate, type GenerateOptions, type Generation } from './generate.js';
