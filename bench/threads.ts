// Kernel threads on whole models: the float llama2.c model (and, on the synthetic shapes, its spiking conversion at
// T = 16, equivalent mode) on one thread and on more, in the same process, run
// in alternation (one round is a prefill or a decode on each, the order swapped every round), so both see the
// same machine at the same moment; the figures are best-of and median ratios over the rounds. Also checks that
// the threaded model gives the one-thread bits: the prefill's logits and the greedily decoded tokens.
//   15M shape     stories15M's shape with random weights (bench/helpers/llama2c-checkpoint.ts)
//   110M shape    stories110M's shape with random weights
//   stories260K   the fixtures' checkpoint, when they are present
// Usage: node --import tsx bench/threads.ts [--only 260K,15M,110M] [--threads 2] [--rounds 9]
//   -> bench/results/threads.json and a table.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FloatOpSet, Kernels } from '../src/index.js';
import { parseLlama2c } from '../src/io/llama2c.js';
import { fixturesDir, readFileBytes } from '../src/io/node/files.js';
import { argmax } from '../src/metrics/evaluate.js';
import type { CausalLM } from '../src/models/interfaces.js';
import { llama2cBuilder } from '../src/models/llama2c.js';
import { seededRandom } from '../src/random.js';
import {
  CALIBRATION,
  calibrateOnRandomIds,
  QUICK_FITS,
  SPIKING_T as T,
  spikingModel,
} from './helpers/spiking-llama2c.js';
import { ensureLlama2cCheckpoint, STORIES_110M, STORIES_15M } from './helpers/llama2c-checkpoint.js';
import { formatTable, median, secondsOf as seconds } from './measure.js';

const PROMPT_TOKENS = 128;
const DECODE_STEPS = 32;
const MODELS = ['float', 'equivalent'] as const;
type ModelKind = (typeof MODELS)[number];

interface Checkpoint {
  readonly name: string;
  readonly path: string;
}

/** Greedy decoding from token 1 for `steps` positions; the tokens. */
function decode(model: CausalLM, steps: number): number[] {
  model.reset();
  const tokens: number[] = [];
  let token = 1;
  for (let pos = 0; pos < steps; pos++) {
    token = argmax(model.forward([token], pos).subarray(0, model.vocabSize));
    tokens.push(token);
  }
  return tokens;
}

function prefill(model: CausalLM, prompt: readonly number[]): Float32Array {
  model.reset();
  return model.forward(prompt, 0);
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The float model, or its spiking conversion calibrated once (on the one-thread kernels) for both. */
function buildModels(
  builder: ReturnType<typeof llama2cBuilder>,
  kernels: readonly [Kernels, Kernels],
  kind: ModelKind,
  vocabSize: number,
): readonly [CausalLM, CausalLM] {
  if (kind === 'float') return [builder.build(new FloatOpSet(kernels[0])), builder.build(new FloatOpSet(kernels[1]))];
  const calibrated = calibrateOnRandomIds(kernels[0], builder, vocabSize);
  return [
    spikingModel(kernels[0], builder, calibrated, 'equivalent'),
    spikingModel(kernels[1], builder, calibrated, 'equivalent'),
  ];
}

async function measure(checkpoint: Checkpoint, kind: ModelKind, threads: number, rounds: number) {
  const parsed = parseLlama2c(await readFileBytes(checkpoint.path), checkpoint.path);
  const builder = llama2cBuilder(parsed);
  const one = await Kernels.load({ threads: 1 });
  const many = await Kernels.load({ threads });
  if (many.threads !== threads) throw new Error(`asked for ${threads} kernel threads, got ${many.threads}`);
  const models = buildModels(builder, [one, many], kind, parsed.config.vocabSize);
  const random = seededRandom(2);
  const promptLength = Math.min(PROMPT_TOKENS, parsed.config.seqLen);
  const prompt = Array.from({ length: promptLength }, () => 1 + Math.floor(random() * (parsed.config.vocabSize - 1)));
  const steps = Math.min(DECODE_STEPS, parsed.config.seqLen);

  // the same bits: the prefill's logits and the decoded tokens
  const logits = models.map((m) => prefill(m, prompt).slice());
  const tokens = models.map((m) => decode(m, steps).join(' '));
  const identical = sameBits(logits[0] as Float32Array, logits[1] as Float32Array) && tokens[0] === tokens[1];

  const times = { prefill: [[], []] as number[][], decode: [[], []] as number[][] };
  for (const m of models) prefill(m, prompt); // one more untimed round: the JIT's later tiers
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) times.prefill[i]?.push(seconds(() => prefill(models[i as 0 | 1], prompt)));
    for (const i of order) times.decode[i]?.push(seconds(() => decode(models[i as 0 | 1], steps)));
  }
  for (const m of models) m.dispose();
  many.close();
  const ratio = (kind: 'prefill' | 'decode') => {
    const [a, b] = times[kind] as [number[], number[]];
    return {
      oneThreadSeconds: { best: Math.min(...a), median: median(a) },
      threadedSeconds: { best: Math.min(...b), median: median(b) },
      speedup: { best: Math.min(...a) / Math.min(...b), median: median(a.map((t, i) => t / (b[i] as number))) },
    };
  };
  return {
    checkpoint: checkpoint.name,
    model: kind === 'float' ? 'float' : `spiking T = ${T}, equivalent`,
    threads,
    promptTokens: promptLength,
    decodeSteps: steps,
    identical,
    prefill: ratio('prefill'),
    decode: ratio('decode'),
    raw: times,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', default: '260K,15M,110M' },
      threads: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '9' },
    },
  });
  const only = values.only.split(',');
  const threads = Number(values.threads);
  const rounds = Number(values.rounds);
  const checkpoints: Checkpoint[] = [];
  const fixtures = fixturesDir();
  if (only.includes('260K')) {
    if (fixtures) checkpoints.push({ name: 'stories260K', path: join(fixtures, 'llama2c', 'stories260K.bin') });
    else console.log('stories260K skipped: no fixtures folder (../shared/fixtures, or $MBE_SNN_FIXTURES)');
  }
  for (const [name, shape] of [
    ['15M', STORIES_15M],
    ['110M', STORIES_110M],
  ] as const) {
    if (only.includes(name))
      checkpoints.push({ name: `${name} shape`, path: (await ensureLlama2cCheckpoint(shape)).path });
  }
  const loadStart = loadavg()[0];
  const results = [];
  for (const checkpoint of checkpoints) {
    for (const kind of MODELS) {
      if (kind !== 'float' && checkpoint.name === 'stories260K') continue; // nothing of it is split (dim 64)
      console.log(`${checkpoint.name}, ${kind}: 1 and ${threads} threads, ${rounds} rounds ...`);
      results.push(await measure(checkpoint, kind, threads, kind === 'float' ? rounds : Math.ceil(rounds / 2)));
    }
  }
  const fmt = (v: number) => v.toFixed(2);
  console.log(
    formatTable(
      [
        'checkpoint',
        'model',
        'threads',
        'same bits',
        'prefill speedup (best, median)',
        'decode speedup (best, median)',
      ],
      results.map((r) => [
        r.checkpoint,
        r.model,
        String(r.threads),
        r.identical ? 'yes' : 'NO',
        `${fmt(r.prefill.speedup.best)}, ${fmt(r.prefill.speedup.median)}`,
        `${fmt(r.decode.speedup.best)}, ${fmt(r.decode.speedup.median)}`,
      ]),
    ),
  );
  const out = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, platform: platform(), release: release() },
    node: process.version,
    loadAverage: { start: loadStart, end: loadavg()[0] },
    settings: {
      models: `float llama2.c, f32 weights; its spiking conversion at T = ${T}, equivalent mode (half the rounds); the best wasm build`,
      calibration: CALIBRATION,
      quickFits: QUICK_FITS,
      promptTokens: PROMPT_TOKENS,
      decodeSteps: DECODE_STEPS,
      rounds,
      method:
        'both models in one process, a prefill (then a decode) on each per round, the order swapped every round; speedup = one-thread time / threaded time',
    },
    results,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  const full = only.length === 3 && threads === 2;
  const path = new URL(full ? './results/threads.json' : './results/threads-partial.json', import.meta.url);
  await writeFile(path, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(path)}`);
}

await main();
