// Child process of fit-parallel.ts: fits requests i, i + n, i + 2n, ... of a JSON file and writes
// [index, entry] pairs. Usage: fit-worker.ts <requests.json> <out.json> <i> <n>
import { readFile, writeFile } from 'node:fs/promises';
import { Kernels } from '../src/index.js';
import type { NeuronEntry } from '../src/neurons/entry.js';
import { fitNeuron, type FitRequest } from '../src/neurons/fit/fit-neuron.js';

const [input, output, shard, shards] = process.argv.slice(2) as [string, string, string, string];
const requests = JSON.parse(await readFile(input, 'utf8')) as FitRequest[];
const kernels = await Kernels.load();
const results: Array<[number, NeuronEntry]> = [];
for (let i = Number(shard); i < requests.length; i += Number(shards)) {
  const { entry } = fitNeuron(kernels, requests[i]!);
  const time = entry.fit ? `${entry.fit.seconds.toFixed(1)} s` : 'fixed';
  console.log(
    `  ${entry.target.padEnd(10)} ${entry.variant.padEnd(12)} N=${entry.N} T=${String(entry.T).padEnd(2)} ` +
      `held-out MSE ${entry.heldOut.mse.toExponential(2)} (${time})`,
  );
  results.push([i, entry]);
}
await writeFile(output, JSON.stringify(results));
