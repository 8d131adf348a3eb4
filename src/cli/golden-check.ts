// `mbe-snn eval <model> --golden <file.json>`: the float model on every case of a golden file, the max
// absolute differences of logits and hidden states against the file's tolerance, one line per case.
import { readFileBytes } from '../io/node/files.js';
import { FormatError } from '../errors.js';
import type { WeightOptions } from '../io/finite.js';
import type { Kernels } from '../kernels/index.js';
import { FloatOpSet } from '../ops/float-opset.js';
import { checkGolden, type GoldenModel, type GoldenReport } from '../tasks/golden.js';
import type { ArchitectureEntry, ModelFiles } from '../models/registry.js';
import type { ModelSource } from './model-source.js';

/** Bytes past this are not a golden file a test would write. */
const MAX_GOLDEN_BYTES = 256 << 20;

export async function runGoldenCheck(
  kernels: Kernels,
  { entry, files }: ModelSource,
  path: string,
  options: WeightOptions = {},
): Promise<GoldenReport> {
  const bytes = await readFileBytes(path);
  if (bytes.byteLength > MAX_GOLDEN_BYTES) throw new FormatError(path, `is larger than ${MAX_GOLDEN_BYTES} bytes`);
  let golden: unknown;
  try {
    golden = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new FormatError(path, 'is not valid JSON');
  }
  const ops = new FloatOpSet(kernels);
  const target = goldenModel(entry, files, ops, options);
  return checkGolden(target, golden, path);
}

function goldenModel(
  entry: ArchitectureEntry,
  files: ModelFiles,
  ops: FloatOpSet,
  options: WeightOptions,
): GoldenModel {
  switch (entry.task) {
    case 'causal-lm':
      return { task: entry.task, model: entry.load(files, options).builder.build(ops) };
    case 'image-classifier':
      return { task: entry.task, model: entry.load(files, options).builder.build(ops) };
    case 'sequence-classifier':
      return { task: entry.task, model: entry.load(files, options).builder.build(ops) };
    case 'sequence-encoder':
      return { task: entry.task, model: entry.load(files, options).builder.build(ops) };
  }
}

export function formatGoldenReport(report: GoldenReport): string {
  const e = (v: number | undefined) => (v === undefined ? '-' : v.toExponential(2));
  const lines = report.cases.map(
    (c) =>
      `  ${c.pass ? 'ok  ' : 'FAIL'} ${c.name.padEnd(20)} logits ${e(c.logits).padEnd(9)} hidden ${e(c.hidden).padEnd(9)}` +
      (c.greedy === undefined ? '' : ` greedy ${c.greedy ? 'equal' : 'differs'}`),
  );
  return [
    `max |float - golden| per case (tolerance: logits ${e(report.tolerance.logits)}, hidden ${e(report.tolerance.hidden)}):`,
    ...lines,
    report.pass ? 'every case within tolerance' : 'some cases are outside the tolerance',
  ].join('\n');
}
