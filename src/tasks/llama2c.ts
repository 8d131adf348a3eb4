// The language-model task: paragraphs of a text file scored from BOS, calibration on paragraphs disjoint
// from the evaluated ones, and the conversion of a llama2.c model.
import { convert, type Conversion, type ConvertOptions } from '../convert/convert.js';
import type { Llama2cCheckpoint } from '../io/llama2c.js';
import type { Llama2cTokenizer } from '../io/tokenizer.js';
import type { Kernels } from '../kernels/index.js';
import { InvalidArgumentError } from '../errors.js';
import { energyReport, type EnergyReport } from '../metrics/energy.js';
import { perplexity, type PerplexityResult } from '../metrics/evaluate.js';
import { Llama2cModel } from '../models/llama2c.js';

/** Blank-line-separated paragraphs, trimmed, empty ones dropped. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Token ids of each paragraph with BOS first (no EOS), as llama2.c's encoder gives them. */
export function encodeParagraphs(tokenizer: Llama2cTokenizer, paragraphs: readonly string[]): number[][] {
  return paragraphs.map((p) => tokenizer.encode(p, { bos: true }));
}

export const LLAMA2C_NON_SPIKING = [
  'token embedding lookup (a table read)',
  'rotary position embedding: a rotation by constant tables (a fixed linear map)',
];

/** Converts a llama2.c model, calibrating on the given token sequences (each a causal pass from BOS). */
export function convertLlama2c(
  kernels: Kernels,
  checkpoint: Llama2cCheckpoint,
  calibration: readonly (readonly number[])[],
  options: ConvertOptions,
): Conversion<Llama2cModel> {
  const seqLen = checkpoint.config.seqLen;
  return convert(
    kernels,
    (ops) => new Llama2cModel(checkpoint.config, checkpoint.weights, ops),
    (model) => {
      for (const ids of calibration) model.forward(ids.slice(0, Math.min(ids.length, seqLen)), 0);
    },
    { ...options, declaredNonSpiking: [...LLAMA2C_NON_SPIKING, ...(options.declaredNonSpiking ?? [])] },
  );
}

/** Calibration paragraphs start here at the earliest (the evaluation uses the first 300). */
const CALIBRATION_START = 300;

export interface Llama2cEvaluation {
  readonly float?: PerplexityResult;
  readonly spiking: PerplexityResult;
  readonly conversion: Conversion<Llama2cModel>;
  readonly energy: EnergyReport;
}

export interface Llama2cEvaluationOptions extends ConvertOptions {
  /** Paragraphs evaluated: the first `evaluate` (default 300). */
  readonly evaluate?: number;
  /** Calibration paragraphs (default 8), from paragraph max(evaluate, 300) on: after the evaluated ones. */
  readonly calibrate?: number;
  /** Skip the float model (a sweep measures it once). */
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

/** Perplexity of the float model and of its spiking conversion on the same paragraphs. */
export function evaluateLlama2c(
  kernels: Kernels,
  checkpoint: Llama2cCheckpoint,
  tokenizer: Llama2cTokenizer,
  text: string,
  options: Llama2cEvaluationOptions,
): Llama2cEvaluation {
  const all = splitParagraphs(text);
  const evaluate = options.evaluate ?? 300;
  const calibrate = options.calibrate ?? 8;
  // A fixed calibration set (whatever is evaluated) converts the model the same way in every run.
  const calibrationStart = Math.max(evaluate, CALIBRATION_START);
  if (all.length < calibrationStart + calibrate) {
    throw new InvalidArgumentError(
      `the text has ${all.length} paragraphs; calibrating on paragraphs ${calibrationStart} .. ${calibrationStart + calibrate - 1} needs more`,
    );
  }
  const evaluated = encodeParagraphs(tokenizer, all.slice(0, evaluate));
  const calibration = encodeParagraphs(tokenizer, all.slice(calibrationStart, calibrationStart + calibrate));
  const conversion = convertLlama2c(kernels, checkpoint, calibration, options);
  const float = options.skipFloat
    ? undefined
    : perplexity(conversion.float, evaluated, (d, t) => options.onProgress?.('float', d, t));
  conversion.ops.counters.reset();
  const spiking = perplexity(conversion.spiking, evaluated, (d, t) => options.onProgress?.('spiking', d, t));
  const energy = energyReport(conversion.ops.counters.all());
  conversion.float.dispose();
  conversion.spiking.dispose();
  return { ...(float ? { float } : {}), spiking, conversion, energy };
}
