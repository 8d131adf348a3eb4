// The README's Hugging Face table: each hf-tiny architecture (the -hot weights) converted at N = 4 and
// T = 16 and 8, both modes, on its golden cases: the max |logit| error of the spiking model from the float
// one, the argmax agreement (every position for causal LMs), and the largest difference between the two
// modes. Calibration uses seeded random inputs of the same shapes (never the evaluated cases).
// Usage: npm run bench:hf  ->  bench/results/hf-conversion.json
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kernels } from '../src/index.js';
import { diskNeuronCache } from '../src/cli/neuron-cache.js';
import { convertBuilder } from '../src/convert/convert.js';
import { fixturesDir } from '../src/io/node/files.js';
import { readModelFolder } from '../src/io/node/folder.js';
import type { ModelBuilder } from '../src/models/builder.js';
import { recogniseArchitecture } from '../src/models/registry.js';
import { NeuronProvider } from '../src/ops/neuron-provider.js';
import { seededRandom } from '../src/random.js';
import { runGoldenCase, type GoldenModel } from '../src/tasks/golden.js';
import { formatTable } from './measure.js';

const FOLDERS = [
  'gpt2-tiny-hot',
  'bert-tiny-cls-hot',
  'roberta-tiny-cls-hot',
  'vit-tiny-cls-hot',
  'llama-tiny-hot',
  'llama3-tiny-hot',
  'qwen2-tiny-hot',
];
const TIMESTEPS = [16, 8];
const dir = fixturesDir();
if (!dir) throw new Error('bench:hf needs the fixtures folder (../shared/fixtures or $MBE_SNN_FIXTURES)');
const kernels = await Kernels.load();
const neurons = new NeuronProvider(kernels, {
  cache: diskNeuronCache(),
  onFit: (r) => console.error(`  fitting ${r.target} on [${r.domain.join(', ')}] at T = ${r.T}`),
});

type Case = Record<string, unknown>;

/** Calibration inputs of the golden cases' shapes, drawn from a seeded generator. */
function calibrate(target: GoldenModel, cases: readonly Case[], vocab: number): void {
  const random = seededRandom(7);
  for (let i = 0; i < 4; i++) {
    const like = cases[i % cases.length] as Case;
    if (target.task === 'image-classifier') {
      const { height, width, channels } = target.model.image;
      target.model.forward(Uint8Array.from({ length: height * width * channels }, () => Math.floor(random() * 256)));
      continue;
    }
    const length = ((like.input_ids as number[][])[0] as number[]).length;
    const ids = Array.from({ length }, () => Math.floor(random() * vocab));
    if (target.task === 'causal-lm') {
      target.model.reset();
      target.model.forward(ids, 0);
    } else {
      target.model.forward(ids);
    }
  }
}

function wrap(task: GoldenModel['task'], model: unknown): GoldenModel {
  return { task, model } as GoldenModel;
}

const results: Record<string, unknown>[] = [];
const rows: string[][] = [];
for (const folder of FOLDERS) {
  const path = join(dir, 'hf-tiny', folder);
  const files = await readModelFolder(path);
  const entry = recogniseArchitecture(files);
  if (!entry) throw new Error(`${folder}: not recognised`);
  const builder = entry.load(files).builder as ModelBuilder<unknown>;
  const golden = JSON.parse(await readFile(join(path, 'golden.json'), 'utf8')) as { cases: Case[] };
  const vocab =
    (JSON.parse(await readFile(join(path, 'config.json'), 'utf8')) as { vocab_size?: number }).vocab_size ?? 1;
  for (const T of TIMESTEPS) {
    const byMode: Float32Array[][] = [];
    let floatLogits: Float32Array[] = [];
    const row: Record<string, unknown> = { folder, architecture: entry.name, T, N: 4 };
    for (const mode of ['equivalent', 'spike-driven'] as const) {
      const conversion = convertBuilder(
        kernels,
        builder,
        (model) => calibrate(wrap(entry.task, model), golden.cases, vocab),
        { spiking: { T, activationBases: 4, mode }, neurons },
      );
      const task = entry.task;
      const run = (model: unknown) =>
        golden.cases.map((c) => runGoldenCase(wrap(task, model), c, folder).logits as Float32Array);
      floatLogits = run(conversion.float);
      const spiking = run(conversion.spiking);
      byMode.push(spiking);
      const classes = entry.task === 'causal-lm' ? vocab : (floatLogits[0] as Float32Array).length;
      let maxError = 0;
      let agree = 0;
      let total = 0;
      floatLogits.forEach((f, k) => {
        const s = spiking[k] as Float32Array;
        for (let i = 0; i < f.length; i++) maxError = Math.max(maxError, Math.abs((f[i] as number) - (s[i] as number)));
        for (let r = 0; r < f.length / classes; r++) {
          const argmax = (a: Float32Array) => {
            let best = 0;
            for (let j = 1; j < classes; j++)
              if ((a[r * classes + j] as number) > (a[r * classes + best] as number)) best = j;
            return best;
          };
          agree += argmax(f) === argmax(s) ? 1 : 0;
          total++;
        }
      });
      row[mode] = { maxLogitError: maxError, argmaxAgreement: agree, compared: total };
      const undeclared = conversion.report.sites.filter((s) => !s.spiking && s.family !== 'residual');
      if (undeclared.length > 0)
        throw new Error(`${folder}: non-spiking sites ${undeclared.map((s) => s.site).join(', ')}`);
    }
    let modes = 0;
    (byMode[0] as Float32Array[]).forEach((a, k) => {
      const b = (byMode[1] as Float32Array[])[k] as Float32Array;
      for (let i = 0; i < a.length; i++) modes = Math.max(modes, Math.abs((a[i] as number) - (b[i] as number)));
    });
    row.modeDifference = modes;
    results.push(row);
    const eq = row.equivalent as { maxLogitError: number; argmaxAgreement: number; compared: number };
    const sd = row['spike-driven'] as typeof eq;
    rows.push([
      `${entry.name} (${folder})`,
      String(T),
      eq.maxLogitError.toExponential(1),
      `${eq.argmaxAgreement}/${eq.compared}`,
      sd.maxLogitError.toExponential(1),
      `${sd.argmaxAgreement}/${sd.compared}`,
      modes.toExponential(1),
    ]);
    console.error(`${folder} T = ${T} done`);
  }
}
const header = [
  'model',
  'T',
  'max logit error (eq.)',
  'argmax agree (eq.)',
  'max logit error (s-d)',
  'argmax agree (s-d)',
  'eq. vs s-d',
];
console.log(formatTable(header, rows));
await writeFile(
  new URL('results/hf-conversion.json', import.meta.url),
  `${JSON.stringify({ calibration: 'seeded random inputs of the golden shapes (4)', results }, null, 2)}\n`,
);
