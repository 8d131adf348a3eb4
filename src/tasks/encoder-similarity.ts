// The encoder task for any sequence encoder (BertModel, RobertaModel): how close the spiking conversion's sequence
// embeddings are to the float model's, as the cosine similarity of their pooled() vectors over a set of sentences
// (or token-id lines), in the two calibration folds of the classifier task.
import type { Conversion } from '../convert/convert.js';
import type { Kernels } from '../kernels/index.js';
import type { EnergyReport } from '../metrics/energy.js';
import type { ModelBuilder } from '../models/builder.js';
import type { SequenceEncoder, TextTokenizer } from '../models/interfaces.js';
import { FormatError } from '../errors.js';
import { runFolds, type FoldOptions, type RowSet, type SequenceRow } from './sequence-classification.js';

/** One sentence a line (blank lines skipped), as rows. */
export function sentenceRows(text: string, file: string): RowSet {
  const rows: SequenceRow[] = [];
  text.split('\n').forEach((raw, i) => {
    const sentence = raw.trim();
    if (sentence !== '') rows.push({ line: i + 1, text: sentence });
  });
  if (rows.length === 0) throw new FormatError(file, 'has no sentences');
  return { file, rows };
}

/** Blank-line-separated paragraphs (as splitParagraphs), as rows numbered by their first line. */
export function paragraphRows(text: string, file: string): RowSet {
  const rows: SequenceRow[] = [];
  let current: string[] = [];
  let start = 0;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() !== '' && current.length === 0) start = i + 1;
    if (raw.trim() !== '') current.push(raw);
    if ((raw.trim() === '' || i === lines.length - 1) && current.length > 0) {
      rows.push({ line: start, text: current.join('\n').trim() });
      current = [];
    }
  });
  if (rows.length === 0) throw new FormatError(file, 'has no paragraphs');
  return { file, rows };
}

/** cos(a, b) in float64; 1 for two zero vectors, 0 when only one is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [dot, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i] as number, b[i] as number];
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa === 0 || bb === 0) return aa === bb ? 1 : 0;
  return dot / Math.sqrt(aa * bb);
}

export interface EncoderSimilarity {
  /** Sequences compared. */
  readonly count: number;
  readonly meanCosine: number;
  readonly minCosine: number;
  /** The file line of the least similar sequence. */
  readonly minLine: number;
  /** (count) cosine of each evaluated sequence */
  readonly cosines: Float64Array;
}

export interface EncoderEvaluation<M extends SequenceEncoder = SequenceEncoder> {
  readonly similarity: EncoderSimilarity;
  /** Rows cut to the model's context. */
  readonly truncated: number;
  readonly conversion: Conversion<M>;
  readonly energy: EnergyReport;
}

export interface EncoderEvaluationOptions extends Omit<FoldOptions, 'skipFloat'> {
  /** Encodes rows of text (with the special tokens the model expects); rows of ids need none. */
  readonly tokenizer?: TextTokenizer;
}

/**
 * Cosine similarity of the float and spiking pooled embeddings of the first `evaluate` rows (default all), each
 * half converted on `calibrate` rows outside it (default 32 per fold; see twoFolds). Ids outside the vocabulary
 * are a FormatError naming the line, raised before conversion.
 */
export function evaluateEncoderSimilarity<M extends SequenceEncoder>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  set: RowSet,
  options: EncoderEvaluationOptions,
): EncoderEvaluation<M> {
  const total = options.evaluate ?? set.rows.length;
  const cosines = new Float64Array(total);
  let embeddings = new Float32Array(0); // (total, hidden) float embeddings, allocated once the model is known
  const run = runFolds(
    kernels,
    builder,
    set,
    options.tokenizer,
    { ...options, skipFloat: false },
    (model, ids) => model.forward(ids),
    (model, ids, i, phase) => {
      model.forward(ids);
      // folds score a row's float embedding and then, after all float rows of the fold, its spiking one
      if (phase === 'float') embeddings.set(model.pooled(), i * model.hiddenSize);
      else
        cosines[i] = cosineSimilarity(
          embeddings.subarray(i * model.hiddenSize, (i + 1) * model.hiddenSize),
          model.pooled(),
        );
    },
    (model) => {
      if (embeddings.length === 0) embeddings = new Float32Array(total * model.hiddenSize);
    },
  );
  let [sum, min, minIndex] = [0, Infinity, 0];
  cosines.forEach((c, i) => {
    sum += c;
    if (c < min) [min, minIndex] = [c, i];
  });
  const similarity = {
    count: total,
    meanCosine: sum / total,
    minCosine: min,
    minLine: set.rows[minIndex]?.line ?? 0,
    cosines,
  };
  return { similarity, truncated: run.prepared.truncated, conversion: run.conversion, energy: run.energy };
}
