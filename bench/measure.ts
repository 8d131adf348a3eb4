// Runs a tinybench Bench and reduces each task to the few numbers the reports use.
import type { Bench } from 'tinybench';

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
