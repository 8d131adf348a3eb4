// The sequence-classification task for any sequence classifier (BERT, RoBERTa): top-1 accuracy on labelled rows
// (an SST-2-style TSV of sentence<TAB>label, or token ids<TAB>label), float and spiking on the same rows, each half
// scored by a conversion calibrated on rows outside it. The row preparation and the folds are shared with the
// encoder task (encoder-similarity.ts).
import { convertBuilder, type Conversion, type ConvertOptions } from '../convert/convert.js';
import { FormatError, InvalidArgumentError } from '../errors.js';
import { describeValue } from '../describe.js';
import type { Kernels } from '../kernels/index.js';
import { energyReport, type EnergyReport } from '../metrics/energy.js';
import { argmax } from '../metrics/evaluate.js';
import type { ModelBuilder } from '../models/builder.js';
import type { SequenceClassifier, TextTokenizer } from '../models/interfaces.js';
import { mergeCounters, type SiteCounters } from '../ops/instrumentation.js';
import { parseIds } from './language-model.js';

/** One row of a data file: its 1-based line, and its text or token ids. */
export interface SequenceRow {
  readonly line: number;
  readonly text?: string;
  readonly ids?: readonly number[];
}

/** A labelled row: the label as written (an index or one of the model's label names). */
export interface LabelledRow extends SequenceRow {
  readonly label: string;
}

/** Rows and the file they came from (named by errors about them). */
export interface RowSet<R extends SequenceRow = SequenceRow> {
  readonly file: string;
  readonly rows: readonly R[];
}

const HEADER = ['sentence', 'label'];

/**
 * A TSV of `sentence<TAB>label` rows (GLUE SST-2's dev.tsv): an optional first line `sentence<TAB>label` is a
 * header, blank lines are skipped, every other line must have exactly two fields, a non-empty sentence and a
 * non-empty label. With `ids`, the first field is whitespace-separated token ids instead of a sentence. Each
 * malformed line is a FormatError naming the file and the line. Labels are checked against the model later.
 */
export function parseLabelledTsv(text: string, file: string, { ids = false } = {}): RowSet<LabelledRow> {
  const rows: LabelledRow[] = [];
  let first = true;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/\r$/, '');
    if (content.trim() === '') return;
    const fields = content.split('\t');
    const header = first && fields.map((f) => f.trim().toLowerCase()).join('\t') === HEADER.join('\t');
    first = false;
    if (header) return;
    const what = ids ? 'token ids<TAB>label' : 'sentence<TAB>label';
    if (fields.length !== 2) {
      throw new FormatError(file, `line ${line}: expected two tab-separated fields (${what}), got ${fields.length}`);
    }
    const [first_, label] = [(fields[0] as string).trim(), (fields[1] as string).trim()];
    if (first_ === '') throw new FormatError(file, `line ${line}: the ${ids ? 'token ids are' : 'sentence is'} empty`);
    if (label === '') throw new FormatError(file, `line ${line}: the label is empty`);
    rows.push(ids ? { line, ids: parseIds(first_, file, line), label } : { line, text: first_, label });
  });
  if (rows.length === 0) throw new FormatError(file, 'has no rows');
  return { file, rows };
}

/** What rows are checked against: the model's vocabulary and context. */
interface SequenceModel {
  readonly vocabSize: number;
  readonly contextLength: number;
}

export interface PreparedRows {
  /** Token ids of each row, at most the model's context. */
  readonly ids: readonly (readonly number[])[];
  /** Rows cut to the context (the first context - 1 tokens and the last, as truncation keeps [SEP] or </s>). */
  readonly truncated: number;
}

/**
 * Each row's token ids: its ids, or its text encoded by the tokenizer (with the special tokens it adds), checked
 * to be in the model's vocabulary (a FormatError naming the line otherwise) and cut to its context.
 */
export function prepareRows(set: RowSet, model: SequenceModel, tokenizer: TextTokenizer | undefined): PreparedRows {
  let truncated = 0;
  const ids = set.rows.map((row) => {
    let tokens: readonly number[];
    if (row.ids) tokens = row.ids;
    else if (tokenizer) tokens = tokenizer.encode(row.text ?? '');
    else throw new InvalidArgumentError(`${set.file}: rows of text need a tokenizer`);
    if (tokens.length === 0) throw new FormatError(set.file, `line ${row.line}: no tokens`);
    const bad = tokens.find((id) => id >= model.vocabSize);
    if (bad !== undefined) {
      const hint = row.ids ? '' : ' (the tokenizer does not match the model)';
      throw new FormatError(
        set.file,
        `line ${row.line}: token id ${bad} is outside the model's vocabulary [0, ${model.vocabSize})${hint}`,
      );
    }
    if (tokens.length <= model.contextLength) return tokens;
    truncated++;
    return [...tokens.slice(0, model.contextLength - 1), tokens[tokens.length - 1] as number];
  });
  return { ids, truncated };
}

/** A fold: rows [start, end) scored by a conversion calibrated on rows [calibration, calibration + calibrate). */
export interface Fold {
  readonly start: number;
  readonly end: number;
  readonly calibration: number;
}

/**
 * The two folds of the image task over `available` rows of which the first `total` are evaluated: the first half
 * calibrated on the last `calibrate` rows of the set, the second half on the first `calibrate` rows; calibration
 * rows are never in the half they calibrate, and do not depend on `total`.
 */
export function twoFolds(available: number, total: number, calibrate: number, what = 'rows'): Fold[] {
  if (!Number.isInteger(total) || total < 2 || total > available) {
    throw new InvalidArgumentError(`evaluate must be between 2 and ${available} ${what}, got ${total}`);
  }
  const half = Math.ceil(total / 2);
  if (!Number.isInteger(calibrate) || calibrate < 1 || half > available - calibrate || calibrate > half) {
    throw new InvalidArgumentError(
      `${calibrate} calibration ${what} per fold need 2 x ${calibrate} <= evaluated <= ${2 * (available - calibrate)} ` +
        `${what}, got ${total} of ${available}`,
    );
  }
  return [
    { start: 0, end: half, calibration: available - calibrate },
    { start: half, end: total, calibration: 0 },
  ];
}

export interface FoldOptions extends ConvertOptions {
  /** Rows evaluated: the first `evaluate` (default: all). */
  readonly evaluate?: number;
  /** Calibration rows per fold (default 32). */
  readonly calibrate?: number;
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

export interface FoldRun<M> {
  readonly prepared: PreparedRows;
  /** The conversion of the first fold (both use the same options). */
  readonly conversion: Conversion<M>;
  readonly energy: EnergyReport;
}

/**
 * Runs the two folds: each converted on its calibration rows (the rows are prepared against the first calibrating
 * model, before any forward pass or neuron fit), then `score(model, ids, index, phase)` on the fold's rows with the
 * float model (unless skipped) and the spiking one.
 */
export function runFolds<M extends SequenceModel & { dispose(): void }>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  set: RowSet,
  tokenizer: TextTokenizer | undefined,
  options: FoldOptions,
  forward: (model: M, ids: readonly number[]) => void,
  score: (model: M, ids: readonly number[], index: number, phase: 'float' | 'spiking') => void,
  check?: (model: M) => void,
): FoldRun<M> {
  const total = options.evaluate ?? set.rows.length;
  const calibrate = options.calibrate ?? 32;
  const folds = twoFolds(set.rows.length, total, calibrate);
  let prepared: PreparedRows | undefined;
  let first: Conversion<M> | undefined;
  const counters: SiteCounters[] = [];
  const done = { float: 0, spiking: 0 };
  for (const fold of folds) {
    const conversion = convertBuilder(
      kernels,
      builder,
      (model) => {
        check?.(model);
        prepared ??= prepareRows(set, model, tokenizer);
        for (let i = fold.calibration; i < fold.calibration + calibrate; i++) forward(model, prepared.ids[i] ?? []);
      },
      options,
    );
    first ??= conversion;
    const rows = (prepared as PreparedRows).ids;
    const phases = options.skipFloat ? (['spiking'] as const) : (['float', 'spiking'] as const);
    for (const phase of phases) {
      if (phase === 'spiking') conversion.ops.counters.reset();
      for (let i = fold.start; i < fold.end; i++) {
        score(conversion[phase], rows[i] as number[], i, phase);
        options.onProgress?.(phase, ++done[phase], total);
      }
    }
    counters.push(...conversion.ops.counters.all());
    conversion.float.dispose();
    conversion.spiking.dispose();
  }
  const energy = energyReport(mergeCounters(counters));
  return { prepared: prepared as PreparedRows, conversion: first as Conversion<M>, energy };
}

/** The label's index: an integer in [0, labels), or one of the label names (exactly, else ignoring case). */
export function labelIndex(label: string, labels: readonly string[], file: string, line: number): number {
  if (/^\d+$/.test(label) && Number(label) < labels.length) return Number(label);
  const exact = labels.indexOf(label);
  if (exact >= 0) return exact;
  const folded = labels.findIndex((l) => l.toLowerCase() === label.toLowerCase());
  if (folded >= 0) return folded;
  throw new FormatError(
    file,
    `line ${line}: label ${describeValue(label, 40)} is neither an index in [0, ${labels.length}) nor one of the ` +
      `model's labels (${labels.slice(0, 8).join(', ')}${labels.length > 8 ? ', ...' : ''})`,
  );
}

export interface ClassificationResult {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
  /** (total) predicted label of each evaluated row */
  readonly predictions: Int32Array;
}

export interface SequenceClassifierEvaluation<M extends SequenceClassifier = SequenceClassifier> {
  readonly float?: ClassificationResult;
  readonly spiking: ClassificationResult;
  /** Rows where the spiking prediction equals the float one (undefined when the float model was skipped). */
  readonly agreement?: number;
  readonly labels: readonly string[];
  /** Rows of the set cut to the model's context (see prepareRows). */
  readonly truncated: number;
  readonly conversion: Conversion<M>;
  readonly energy: EnergyReport;
}

export interface SequenceClassifierEvaluationOptions extends FoldOptions {
  /** Encodes rows of text (with the special tokens the model expects); rows of ids need none. */
  readonly tokenizer?: TextTokenizer;
}

/**
 * Top-1 accuracy of the float classifier and of its spiking conversion on the same rows, in two folds (twoFolds):
 * the first `evaluate` rows (default all), `calibrate` calibration rows per fold (default 32). Labels that are
 * neither an index nor a label name of the model are a FormatError naming the line, raised before conversion.
 */
export function evaluateSequenceClassifier<M extends SequenceClassifier>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  set: RowSet<LabelledRow>,
  options: SequenceClassifierEvaluationOptions,
): SequenceClassifierEvaluation<M> {
  let labels: number[] = [];
  let names: readonly string[] = [];
  const predictions = { float: new Int32Array(set.rows.length), spiking: new Int32Array(set.rows.length) };
  const run = runFolds(
    kernels,
    builder,
    set,
    options.tokenizer,
    options,
    (model, ids) => model.forward(ids),
    (model, ids, i, phase) => {
      predictions[phase][i] = argmax(model.forward(ids));
    },
    (model) => {
      names = model.labels;
      labels = set.rows.map((r) => labelIndex(r.label, names, set.file, r.line));
    },
  );
  const total = options.evaluate ?? set.rows.length;
  const result = (phase: 'float' | 'spiking'): ClassificationResult => {
    const predicted = predictions[phase].slice(0, total);
    const correct = predicted.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0);
    return { correct, total, accuracy: correct / total, predictions: predicted };
  };
  const spiking = result('spiking');
  const float = options.skipFloat ? undefined : result('float');
  const agreement = float ? spiking.predictions.reduce((n, p, i) => n + (p === float.predictions[i] ? 1 : 0), 0) : 0;
  return {
    ...(float ? { float, agreement } : {}),
    spiking,
    labels: names,
    truncated: run.prepared.truncated,
    conversion: run.conversion,
    energy: run.energy,
  };
}
