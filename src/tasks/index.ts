export {
  CALIBRATION_START,
  checkIdLines,
  convertCausalLM,
  encodeParagraphs,
  evaluateCausalLM,
  evaluateCausalLMIds,
  evaluateCausalLMSequences,
  parseIdLines,
  parseIds,
  slidingWindows,
  splitParagraphs,
  windowedPerplexity,
  type IdLine,
  type LanguageModelEvaluation,
  type LanguageModelEvaluationOptions,
  type SlidingWindowOptions,
  type PerplexityWindow,
  type WindowedPerplexityResult,
} from './language-model.js';
export {
  convertImageClassifier,
  evaluateImageClassifier,
  type ImageClassifierEvaluation,
  type ImageClassifierEvaluationOptions,
} from './image-classification.js';
export {
  evaluateSequenceClassifier,
  labelIndex,
  parseLabelledTsv,
  prepareRows,
  runFolds,
  twoFolds,
  type ClassificationResult,
  type Fold,
  type FoldOptions,
  type FoldRun,
  type LabelledRow,
  type PreparedRows,
  type RowSet,
  type SequenceClassifierEvaluation,
  type SequenceClassifierEvaluationOptions,
  type SequenceRow,
} from './sequence-classification.js';
export {
  cosineSimilarity,
  evaluateEncoderSimilarity,
  paragraphRows,
  sentenceRows,
  type EncoderEvaluation,
  type EncoderEvaluationOptions,
  type EncoderSimilarity,
} from './encoder-similarity.js';
export { convertLlama2c, evaluateLlama2c } from './llama2c.js';
export { convertVit, evaluateVit } from './vit.js';
export { generate, type GenerateOptions, type Generation } from './generate.js';
export { fitImage, idxImages, prepareImages } from './image-data.js';
