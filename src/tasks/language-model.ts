// The language-model task for any causal LM: sequences (the paragraphs of a text, or lines of token ids) scored
// from their start, or long documents scored with a sliding window as Hugging Face's perplexity guide does;
// calibration on sequences disjoint from the evaluated ones, and the conversion itself.
import { calibrateModel, heldWeights, type Calibrated, type Conversion } from '../convert/convert.js';
import { FormatError, InvalidArgumentError } from '../errors.js';
import { describeValue } from '../describe.js';
import type { Kernels } from '../kernels/index.js';
import { energyReport, type EnergyReport } from '../metrics/energy.js';
import { negativeLogLikelihood, perplexity, type PerplexityResult, type Progress } from '../metrics/evaluate.js';
import type { ModelBuilder } from '../models/builder.js';
import type { CausalLM, TextTokenizer } from '../models/interfaces.js';
import {
  convertAllocating,
  type AllocatedConversion,
  type Allocation,
  type AllocatingConvertOptions,
  type OutputProbe,
} from './allocate.js';

/** Blank-line-separated paragraphs, trimmed, empty ones dropped. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Token ids of each paragraph as the tokenizer encodes it (for llama2.c: BOS first, no EOS). */
export function encodeParagraphs(tokenizer: TextTokenizer, paragraphs: readonly string[]): number[][] {
  return paragraphs.map((p) => tokenizer.encode(p));
}

/** One line of a token-id file: its 1-based line number and its ids. */
export interface IdLine {
  readonly line: number;
  readonly ids: readonly number[];
}

/** Whitespace-separated non-negative integers, as one field of a token-id file (a FormatError names the line). */
export function parseIds(field: string, file: string, line: number): number[] {
  return field
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => {
      const id = /^\d{1,10}$/.test(t) ? Number(t) : NaN;
      if (!(id <= 2 ** 31 - 1)) {
        throw new FormatError(file, `line ${line}: ${describeValue(t, 24)} is not a token id (a non-negative integer)`);
      }
      return id;
    });
}

/** A token-id file: one sequence a line, whitespace-separated integers; blank lines are skipped. */
export function parseIdLines(text: string, file: string): IdLine[] {
  const lines: IdLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() !== '') lines.push({ line: i + 1, ids: parseIds(raw, file, i + 1) });
  });
  if (lines.length === 0) throw new FormatError(file, 'has no lines of token ids');
  return lines;
}

/** Every id of every line below the model's vocabulary size (a FormatError names the file and line). */
export function checkIdLines(lines: readonly IdLine[], file: string, vocabSize: number): void {
  for (const { line, ids } of lines) {
    const bad = ids.find((id) => id >= vocabSize);
    if (bad !== undefined) {
      throw new FormatError(file, `line ${line}: token id ${bad} is outside the model's vocabulary [0, ${vocabSize})`);
    }
  }
}

/** A conversion's options, with an optional allocation of per-site timesteps on the calibration sequences. */
export type CausalLMConvertOptions = AllocatingConvertOptions;

/**
 * The next-token logits of a causal LM over the calibration sequences, the first `maxPositions` positions (each a
 * prefix of a longer run's, as attention is causal): what an allocation's budget is measured on.
 */
export function causalLMProbe<M extends CausalLM>(calibration: readonly (readonly number[])[]): OutputProbe<M> {
  return {
    run(model: M, maxPositions: number) {
      const V = model.vocabSize;
      const rows: Float32Array[] = [];
      let positions = 0;
      for (const ids of calibration) {
        const n = Math.min(ids.length, model.contextLength, maxPositions - positions);
        if (n < 1) break;
        model.reset();
        rows.push(model.forward(ids.slice(0, n), 0).slice(0, n * V)); // (n, V), copied: views are reused
        positions += n;
      }
      const logits = new Float32Array(positions * V); // (positions, V)
      let offset = 0;
      for (const r of rows) {
        logits.set(r, offset);
        offset += r.length;
      }
      return { logits, classes: V };
    },
  };
}

/**
 * Converts a causal LM, calibrating on the given token sequences (each a causal pass from position 0); with
 * `allocate`, the per-site timesteps are chosen on those same sequences first.
 */
export function convertCausalLM<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  calibration: readonly (readonly number[])[],
  options: CausalLMConvertOptions,
  check?: (model: M) => void,
): CausalLMConversion<M> {
  const calibrated = calibrateModel(
    kernels,
    (ops) => builder.build(ops),
    (model) => {
      check?.(model);
      for (const ids of calibration) model.forward(ids.slice(0, Math.min(ids.length, model.contextLength)), 0);
    },
    heldWeights(options),
  );
  return convertCalibratedCausalLM(kernels, builder, calibrated, calibration, options);
}

export type CausalLMConversion<M> = AllocatedConversion<M>;

/** The conversion of a calibrated causal LM, its per-site timesteps allocated on `calibration` when asked. */
export function convertCalibratedCausalLM<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  calibrated: Calibrated,
  calibration: readonly (readonly number[])[],
  options: CausalLMConvertOptions,
): CausalLMConversion<M> {
  return convertAllocating(kernels, builder, calibrated, causalLMProbe<M>(calibration), options);
}

/** One window of a sliding-window evaluation: tokens [begin, end), of which [firstTarget, end) are scored. */
export interface PerplexityWindow {
  readonly begin: number;
  readonly end: number;
  readonly firstTarget: number;
}

/**
 * The windows of Hugging Face's perplexity guide over a document of `length` tokens: windows of up to `window`
 * tokens starting every `stride` tokens, each scoring only the tokens after the previous window's end (its last
 * window - overlap tokens), until a window reaches the end. The document's first token (BOS where the tokenizer
 * adds one) is context only; with stride < window every later token is scored exactly once, each with at least
 * window - stride tokens of context. With stride = window a window's first token has no context in it and is not
 * scored, as in the guide. Later windows start mid-document, without a BOS of their own.
 */
export function slidingWindows(length: number, window: number, stride: number): PerplexityWindow[] {
  if (!Number.isInteger(window) || window < 2) throw new InvalidArgumentError(`window must be >= 2, got ${window}`);
  if (!Number.isInteger(stride) || stride < 1 || stride > window) {
    throw new InvalidArgumentError(`stride must be an integer in [1, window = ${window}], got ${stride}`);
  }
  const windows: PerplexityWindow[] = [];
  let previousEnd = 0;
  for (let begin = 0; begin < length; begin += stride) {
    const end = Math.min(begin + window, length);
    // the guide's labels are the last end - previousEnd tokens; the shift drops a target at the window's start
    const firstTarget = Math.max(previousEnd, begin + 1);
    if (firstTarget < end) windows.push({ begin, end, firstTarget });
    previousEnd = end;
    if (end === length) break;
  }
  return windows;
}

export interface SlidingWindowOptions {
  /** Tokens per window (at most the model's context). */
  readonly window: number;
  /** Tokens between window starts (1 .. window). */
  readonly stride: number;
}

export interface WindowedPerplexityResult extends PerplexityResult {
  readonly windows: number;
}

/** Perplexity of token documents, each scored with sliding windows (see slidingWindows); one pass per window. */
export function windowedPerplexity(
  model: CausalLM,
  documents: readonly (readonly number[])[],
  { window, stride }: SlidingWindowOptions,
  onProgress?: Progress,
): WindowedPerplexityResult {
  if (window > model.contextLength) {
    throw new InvalidArgumentError(`window must be at most the model's context, ${model.contextLength}; got ${window}`);
  }
  const V = model.vocabSize;
  const plans = documents.map((ids) => slidingWindows(ids.length, window, stride));
  const total = plans.reduce((n, p) => n + p.length, 0);
  let [nll, tokens, done] = [0, 0, 0];
  documents.forEach((ids, d) => {
    for (const { begin, end, firstTarget } of plans[d] as PerplexityWindow[]) {
      model.reset();
      const logits = model.forward(ids.slice(begin, end - 1), 0); // row i predicts token begin + i + 1
      for (let t = firstTarget; t < end; t++) {
        const row = t - 1 - begin;
        nll += negativeLogLikelihood(logits.subarray(row * V, (row + 1) * V), ids[t] as number);
      }
      tokens += end - firstTarget;
      onProgress?.(++done, total);
    }
  });
  return { perplexity: Math.exp(nll / tokens), tokens, nll, windows: total };
}

/** Calibration paragraphs start here at the earliest (the evaluation uses the first 300 by default). */
export const CALIBRATION_START = 300;

export interface LanguageModelEvaluation<M extends CausalLM = CausalLM> {
  readonly float?: PerplexityResult | WindowedPerplexityResult;
  readonly spiking: PerplexityResult | WindowedPerplexityResult;
  readonly conversion: Conversion<M>;
  /** The per-site timesteps chosen, when an allocation was asked for. */
  readonly allocation?: Allocation;
  readonly energy: EnergyReport;
  /** Sequences evaluated: paragraphs or id lines (one document of the paragraphs with a window and text). */
  readonly sequences: number;
}

export interface LanguageModelEvaluationOptions extends CausalLMConvertOptions {
  /** Paragraphs evaluated: the first `evaluate` (default 300); id lines: default all but the calibration ones. */
  readonly evaluate?: number;
  /** Calibration paragraphs (default 8), from paragraph max(evaluate, calibrationStart) on: after the evaluated ones. */
  readonly calibrate?: number;
  /** The earliest calibration paragraph (default CALIBRATION_START, 300). */
  readonly calibrationStart?: number;
  /**
   * Score with sliding windows instead of each sequence from its start: the evaluated paragraphs joined by blank
   * lines and tokenized once, as one document (id lines: each line a document).
   */
  readonly slidingWindow?: SlidingWindowOptions;
  /** Skip the float model (a sweep measures it once). */
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

/** Float and spiking perplexity of `evaluated` after a conversion calibrated on `calibration` (disjoint). */
export function evaluateCausalLMSequences<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  evaluated: readonly (readonly number[])[],
  calibration: readonly (readonly number[])[],
  options: LanguageModelEvaluationOptions,
  check?: (model: M) => void,
): LanguageModelEvaluation<M> {
  const window = options.slidingWindow?.window;
  const conversion = convertCausalLM(kernels, builder, calibration, options, (model) => {
    // checked before any forward pass or neuron fit
    if (window !== undefined && window > model.contextLength) {
      throw new InvalidArgumentError(
        `window must be at most the model's context, ${model.contextLength}; got ${window}`,
      );
    }
    check?.(model);
  });
  const score = (model: M, phase: 'float' | 'spiking') => {
    const progress = (d: number, t: number) => options.onProgress?.(phase, d, t);
    return options.slidingWindow
      ? windowedPerplexity(model, evaluated, options.slidingWindow, progress)
      : perplexity(model, evaluated, progress);
  };
  const float = options.skipFloat ? undefined : score(conversion.float, 'float');
  conversion.ops.counters.reset();
  const spiking = score(conversion.spiking, 'spiking');
  const energy = energyReport(conversion.ops.counters.all());
  conversion.float.dispose();
  conversion.spiking.dispose();
  const { allocation } = conversion;
  return {
    ...(float ? { float } : {}),
    spiking,
    conversion,
    ...(allocation ? { allocation } : {}),
    energy,
    sequences: evaluated.length,
  };
}

/** Perplexity of the float model and of its spiking conversion on the same paragraphs (or one windowed document). */
export function evaluateCausalLM<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  tokenizer: TextTokenizer,
  text: string,
  options: LanguageModelEvaluationOptions,
): LanguageModelEvaluation<M> {
  const all = splitParagraphs(text);
  const evaluate = options.evaluate ?? 300;
  const calibrate = options.calibrate ?? 8;
  // A fixed calibration set (whatever is evaluated) converts the model the same way in every run.
  const calibrationStart = Math.max(evaluate, options.calibrationStart ?? CALIBRATION_START);
  if (all.length < calibrationStart + calibrate) {
    throw new InvalidArgumentError(
      `the text has ${all.length} paragraphs; calibrating on paragraphs ${calibrationStart} .. ${calibrationStart + calibrate - 1} needs more`,
    );
  }
  const paragraphs = all.slice(0, evaluate);
  const evaluated = options.slidingWindow
    ? [tokenizer.encode(paragraphs.join('\n\n'))]
    : encodeParagraphs(tokenizer, paragraphs);
  const calibration = encodeParagraphs(tokenizer, all.slice(calibrationStart, calibrationStart + calibrate));
  return { ...evaluateCausalLMSequences(kernels, builder, evaluated, calibration, options), sequences: evaluate };
}

/**
 * Perplexity on the lines of a token-id file (parseIdLines): calibration on the last `calibrate` lines (default
 * 8), evaluation of the first `evaluate` of the others (default all of them), each line from its first token (or
 * windowed, each line a document). Ids outside the vocabulary are a FormatError naming the line.
 */
export function evaluateCausalLMIds<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  lines: readonly IdLine[],
  file: string,
  options: LanguageModelEvaluationOptions,
): LanguageModelEvaluation<M> {
  const calibrate = options.calibrate ?? 8;
  const available = lines.length - calibrate;
  const evaluate = options.evaluate ?? available;
  if (available < 1 || evaluate > available) {
    throw new InvalidArgumentError(
      `${file} has ${lines.length} lines; evaluating ${evaluate} and calibrating on the last ${calibrate} needs ` +
        `${Math.max(evaluate, 1) + calibrate}`,
    );
  }
  const evaluated = lines.slice(0, evaluate).map((l) => l.ids);
  const calibration = lines.slice(lines.length - calibrate).map((l) => l.ids);
  const check = (model: M) => checkIdLines(lines, file, model.vocabSize);
  return evaluateCausalLMSequences(kernels, builder, evaluated, calibration, options, check);
}
