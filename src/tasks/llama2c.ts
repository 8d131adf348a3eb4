// llama2.c checkpoints through the language-model task (kept for direct use of parsed checkpoints).
import type { Conversion, ConvertOptions } from '../convert/convert.js';
import type { Llama2cCheckpoint } from '../io/llama2c.js';
import type { Llama2cTokenizer } from '../io/tokenizer.js';
import type { Kernels } from '../kernels/index.js';
import { llama2cBuilder, llama2cTextTokenizer, type Llama2cModel } from '../models/llama2c.js';
import {
  convertCausalLM,
  evaluateCausalLM,
  type LanguageModelEvaluation,
  type LanguageModelEvaluationOptions,
} from './language-model.js';

/** Converts a llama2.c model, calibrating on the given token sequences (each a causal pass from BOS). */
export function convertLlama2c(
  kernels: Kernels,
  checkpoint: Llama2cCheckpoint,
  calibration: readonly (readonly number[])[],
  options: ConvertOptions,
): Conversion<Llama2cModel> {
  return convertCausalLM(kernels, llama2cBuilder(checkpoint), calibration, options);
}

/** Perplexity of the float model and of its spiking conversion on the text's paragraphs. */
export function evaluateLlama2c(
  kernels: Kernels,
  checkpoint: Llama2cCheckpoint,
  tokenizer: Llama2cTokenizer,
  text: string,
  options: LanguageModelEvaluationOptions,
): LanguageModelEvaluation<Llama2cModel> {
  return evaluateCausalLM(kernels, llama2cBuilder(checkpoint), llama2cTextTokenizer(tokenizer), text, options);
}
