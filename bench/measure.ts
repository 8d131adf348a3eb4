// Runs a tinybench Bench and reduces each task to the few numbers the reports use; combines repeated runs
// into a median and a spread, so a ratio comes with how much it moved between runs.
import { cpus } from 'node:os';
import { Bench, type BenchOptions } from 'tinybench';

export interface Measurement {
  /** Median latency of one call, ms. */
  medianMs: number;
  /** Fastest call, ms. */
  minMs: number;
  /** Relative margin of error of the mean, percent. */
  rmePercent: number;
  samples: number;
}

export async function measure(bench: Bench): Promise<Map<string, Measurement>> {
  await bench.run();
  const results = new Map<string, Measurement>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`benchmark task "${task.name}" ended in state ${result.state}`);
    const { latency } = result;
    results.set(task.name, {
      medianMs: latency.p50,
      minMs: latency.min,
      rmePercent: latency.rme,
      samples: latency.samplesCount,
    });
  }
  return results;
}

/** A markdown table. */
export function formatTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A ratio measured once per run: its median and its spread over the runs. */
export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  /** (runs) one ratio per run, in run order. */
  perRun: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds one call of `work` takes. */
export function secondsOf(work: () => unknown): number {
  const t0 = performance.now();
  work();
  return (performance.now() - t0) / 1000;
}

export function ratioSpread(perRun: number[]): RatioSpread {
  return { median: median(perRun), min: Math.min(...perRun), max: Math.max(...perRun), perRun };
}

/** "1.23x [1.10, 1.31]": a ratio's median and its range over the runs. */
export function formatSpread(r: RatioSpread): string {
  return `${r.median.toFixed(2)}x [${r.min.toFixed(2)}, ${r.max.toFixed(2)}]`;
}

/**
 * One task over several runs: the median of the run medians; the fastest call and the largest margin of
 * error of any run.
 */
export interface RunsMeasurement extends Measurement {
  runs: number;
  /** (runs) each run's median latency, ms. */
  medianMsPerRun: number[];
}

export function combineRuns(perRun: readonly Measurement[]): RunsMeasurement {
  const medianMsPerRun = perRun.map((m) => m.medianMs);
  return {
    medianMs: median(medianMsPerRun),
    minMs: Math.min(...perRun.map((m) => m.minMs)),
    rmePercent: Math.max(...perRun.map((m) => m.rmePercent)),
    samples: perRun.reduce((s, m) => s + m.samples, 0),
    runs: perRun.length,
    medianMsPerRun,
  };
}

/** The per-run ratio time(baseline) / time(task) (> 1: the task is faster), from the same runs. */
export function speedupSpread(
  runs: ReadonlyArray<Map<string, Measurement>>,
  task: string,
  baseline: string,
): RatioSpread {
  return ratioSpread(runs.map((run) => taskResult(run, baseline).medianMs / taskResult(run, task).medianMs));
}

export function taskResult(run: Map<string, Measurement>, name: string): Measurement {
  const m = run.get(name);
  if (m === undefined) throw new Error(`no benchmark task "${name}" in this run`);
  return m;
}

/** A Bench whose tasks start at a different one in each run, so no task always runs first (or last). */
export function rotatedBench(
  options: BenchOptions,
  tasks: ReadonlyArray<readonly [string, () => unknown]>,
  run: number,
): Bench {
  const bench = new Bench(options);
  for (let i = 0; i < tasks.length; i++) {
    const [name, fn] = tasks[(i + run) % tasks.length]!;
    bench.add(name, fn);
  }
  return bench;
}

/** The runtime and machine every results file records. */
export function nodeEnvironment(): { node: string; v8: string; cpu: string; logicalCores: number } {
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCores: cpus().length,
  };
}
