// Fits many neurons in several Node processes (fitting is single-threaded): the requests go to
// scripts/fit-worker.ts children by round robin, and the entries come back in request order.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NeuronEntry } from '../src/neurons/entry.js';
import type { FitRequest } from '../src/neurons/fit/fit-neuron.js';

const WORKER = new URL('./fit-worker.ts', import.meta.url).pathname;

export async function fitInParallel(requests: readonly FitRequest[], jobs: number): Promise<NeuronEntry[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mbe-snn-fit-'));
  try {
    const input = join(dir, 'requests.json');
    await writeFile(input, JSON.stringify(requests));
    const count = Math.max(1, Math.min(jobs, requests.length));
    const outputs = Array.from({ length: count }, (_, i) => join(dir, `entries-${i}.json`));
    await Promise.all(
      outputs.map(
        (out, i) =>
          new Promise<void>((resolve, reject) => {
            const args = ['--import', 'tsx', WORKER, input, out, String(i), String(count)];
            const child = spawn(process.execPath, args, { stdio: 'inherit' });
            child.on('exit', (code) =>
              code === 0 ? resolve() : reject(new Error(`fit worker ${i} exited with ${code}`)),
            );
          }),
      ),
    );
    const entries = new Array<NeuronEntry>(requests.length);
    for (const out of outputs) {
      for (const [i, entry] of JSON.parse(await readFile(out, 'utf8')) as Array<[number, NeuronEntry]>)
        entries[i] = entry;
    }
    return entries;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
