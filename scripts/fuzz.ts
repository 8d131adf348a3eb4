// Fuzzes every reader with the test suite's mutators (test/fuzz/), many more cases than the test runs, and prints
// per format how many mutated files were accepted, rejected with a typed error, failed untyped, hung (a case is
// time-boxed: it runs in a worker thread that is terminated past --timeout), or gave a message over 500 characters.
//
//   node --import tsx scripts/fuzz.ts [--cases 2000] [--seed 1] [--timeout 10000] [--format <name part>]
//
// Exits 1 if any case failed, after listing the first failures with their case numbers (reproducible with --seed).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FORMATS } from '../test/fuzz/formats.js';
import { caseFiles, count, emptyCounts, runCase, type FuzzCounts, type Outcome } from '../test/fuzz/run.js';

interface Job {
  readonly format: number;
  readonly seed: number;
  readonly from: number;
  readonly to: number;
}

type Message = { readonly index: number; readonly outcome: Outcome } | { readonly start: number };

/** Worker side: runs cases from..to of one format, reporting each start and outcome. */
async function work({ format, seed, from, to }: Job): Promise<void> {
  const f = FORMATS[format]!;
  for (let index = from; index < to; index++) {
    parentPort!.postMessage({ start: index } satisfies Message);
    const outcome = await runCase(f, caseFiles(f, seed, index), Infinity);
    parentPort!.postMessage({ index, outcome } satisfies Message);
  }
}

/** A worker running this file: tsx's loader is registered in it first (workers do not inherit `--import tsx`). */
function startWorker(job: Job): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const self = JSON.stringify(import.meta.url);
  const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${self});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: job });
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

/**
 * Runs cases 0..cases of a format in a worker; a case running past `timeoutMs` is a hang: the worker is terminated
 * and a new one goes on from the next case.
 */
async function fuzzFormat(
  format: number,
  seed: number,
  cases: number,
  timeoutMs: number,
  failures: string[],
): Promise<FuzzCounts> {
  const counts = emptyCounts();
  const name = FORMATS[format]!.name;
  let next = 0;
  while (next < cases) {
    next = await new Promise<number>((resolve, reject) => {
      const worker = startWorker({ format, seed, from: next, to: cases });
      let current = next;
      let started = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (resume: number) => {
        clearTimeout(timer);
        void worker.terminate();
        resolve(resume);
      };
      worker.on('message', (message: Message) => {
        if ('start' in message) {
          started = true;
          current = message.start;
          clearTimeout(timer);
          timer = setTimeout(() => {
            counts.hangs++;
            failures.push(`${name} case ${current}: hang (over ${timeoutMs} ms)`);
            finish(current + 1);
          }, timeoutMs);
          return;
        }
        clearTimeout(timer);
        count(counts, message.outcome);
        if ('detail' in message.outcome)
          failures.push(`${name} case ${message.index}: ${message.outcome.kind}: ${message.outcome.detail}`);
        if (message.index === cases - 1) finish(cases);
      });
      worker.on('error', (error) => {
        if (!started) return reject(error); // the worker could not even load: no case ran
        // the worker died inside a case (out of memory, say): an untyped failure of that case
        counts.untyped++;
        failures.push(`${name} case ${current}: worker died: ${String(error).slice(0, 300)}`);
        finish(current + 1);
      });
      worker.on('exit', () => finish(Math.max(current + 1, next)));
    });
  }
  return counts;
}

async function main(): Promise<void> {
  const cases = Number(option('cases', '2000'));
  const seed = Number(option('seed', '1'));
  const timeoutMs = Number(option('timeout', '10000'));
  const only = option('format', '').toLowerCase();
  const failures: string[] = [];
  const columns = ['format', 'accepted', 'rejected', 'untyped', 'hangs', 'long msgs'];
  console.log(`fuzz: ${cases} cases per format, seed ${seed}, ${timeoutMs} ms per case`);
  console.log(columns.map((c, i) => (i === 0 ? c.padEnd(28) : c.padStart(9))).join(''));
  for (const [i, format] of FORMATS.entries()) {
    if (only && !format.name.toLowerCase().includes(only)) continue;
    const started = performance.now();
    const c = await fuzzFormat(i, seed, cases, timeoutMs, failures);
    const row = [c.accepted, c.rejected, c.untyped, c.hangs, c.longMessages].map((n) => String(n).padStart(9));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${format.name.padEnd(28)}${row.join('')}   (${seconds} s)`);
  }
  if (failures.length > 0) {
    console.log(`\n${failures.length} failures; the first 20:`);
    for (const failure of failures.slice(0, 20)) console.log(`  ${failure}`);
    process.exitCode = 1;
  }
}

if (isMainThread) await main();
else await work(workerData as Job);
