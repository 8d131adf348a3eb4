// End-to-end speed and memory of whole llama2.c models, greedy decoding with the KV cache, on one thread and
// (float and equivalent-mode spiking, --threads) on more kernel threads:
//   stories260K   the fixtures' checkpoint (skipped with a message when the fixtures are absent)
//   15M shape     stories15M's shape (dim 288, 6 layers, vocab 32000), random weights (bench/helpers/llama2c-checkpoint.ts)
//   110M shape    stories110M's shape (dim 768, 12 layers, vocab 32000), random weights
// For the float model (f32 weights, and bf16 weights) and its spiking conversions at T = 16 (equivalent mode,
// spike-driven mode, f32 weights): decode tokens/s,
// prefill tokens/s of a 128-token prompt, peak resident memory and the wasm memory. Each (checkpoint, model) runs in
// its own child process, so one's allocations do not count against the next.
//
// The roofline baseline, in the float model's child once the model is freed: the same step's matrix products alone
// (every linear layer, and per head q.K^T and p.V over the mean number of keys, M = 1 for a decode step or the
// prompt's length for a prefill) in our gemm kernel, on distinct random matrices of the same shapes packed the same
// way. A figure's efficiency is that time over the measured step time: 1.0 is a model whose only cost is its
// matrix products; norms, RoPE, softmax, SiLU, copies and (spiking) neurons are the overhead.
//
// The spiking models are calibrated on random token ids with quick neuron fits: their speed does not depend on the
// neurons' accuracy (random weights have no accuracy to keep).
// A threaded run also checks that its results are the one-thread run's bits: a digest of the prefill's logits
// and the decoded tokens.
// Usage: node --expose-gc --import tsx bench/e2e.ts [--only 260K,15M,110M] [--models float,float-bf16,equivalent,spike-driven]
//   [--threads 2] (thread counts to run besides one, float and equivalent only; default none: bench:threads is
//   the fair comparison, both in one process)
//   -> bench/results/e2e.json (a partial run: e2e-partial.json) and a table. Checkpoints are written once under
//   $MBE_SNN_BENCH_CACHE (see bench/helpers/gpt2-folder.ts) and reused.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FloatOpSet, Kernels } from '../src/index.js';
import { parseLlama2c, type Llama2cConfig } from '../src/io/llama2c.js';
import { argmax } from '../src/metrics/evaluate.js';
import { llama2cBuilder } from '../src/models/llama2c.js';
import type { CausalLM } from '../src/models/interfaces.js';
import { seededRandom } from '../src/random.js';
import { fixturesDir, readFileBytes } from '../src/io/node/files.js';
import { ensureLlama2cCheckpoint, STORIES_110M, STORIES_15M } from './helpers/llama2c-checkpoint.js';
import { collect, mb, probe, type Probe } from './helpers/memory.js';
import { forkChild } from './helpers/child.js';
import {
  CALIBRATION,
  calibrateOnRandomIds,
  QUICK_FITS,
  SPIKING_T as T,
  spikingModel,
} from './helpers/spiking-llama2c.js';
import { formatTable } from './measure.js';

const MODELS = ['float', 'float-bf16', 'equivalent', 'spike-driven'] as const;
type ModelKind = (typeof MODELS)[number];
const PROMPT_TOKENS = 128;

interface CheckpointSpec {
  readonly name: string;
  readonly path: string;
  readonly weightBytes: number;
  /** Decode steps measured per model kind (a slow model gets fewer). */
  readonly decodeSteps: Readonly<Record<ModelKind, number>>;
}

interface Timing {
  readonly tokensPerSecond: number;
  readonly secondsPerToken: number;
}

/** The models a threaded run covers: threads change no neuron work, only the gemm and membrane calls. */
const THREADED_MODELS: readonly ModelKind[] = ['float', 'equivalent'];

interface ChildResult {
  readonly checkpoint: string;
  readonly model: ModelKind;
  readonly threads: number;
  /** FNV-1a over the prefill's logits bits and the decoded tokens: equal across thread counts. */
  readonly digest: string;
  readonly loadSeconds: number;
  readonly buildSeconds: number;
  readonly decode: Timing & { readonly steps: number; readonly rss: number };
  readonly prefill: Timing & { readonly tokens: number };
  /** Peak resident set of the process over its life (load and build included), bytes. */
  readonly peakRss: number;
  readonly peakRssOverWeights: number;
  /** The largest resident set sampled while decoding, bytes, and over the f32 weight bytes. */
  readonly decodeRss: number;
  readonly decodeRssOverWeights: number;
  readonly wasmBytes: number | null;
  /** After the kernels loaded (the process's own baseline), right after the build, after a full GC, at the end. */
  readonly probes: { readonly start: Probe; readonly afterBuild: Probe; readonly built: Probe; readonly end: Probe };
  /** Float child only: the matrix products' gemm time per decode step (M = 1) and per prefill (M = 128), seconds. */
  readonly roofline?: { readonly decodeSeconds: number; readonly prefillSeconds: number };
}

// ---------------------------------------------------------------------------------------------------------------
// The child: one checkpoint, one model kind.

/**
 * The (K, N) of every matrix product of one step, in the model's order: per layer the seven linear layers and,
 * per head, q.K^T (K = headDim, N = L keys) and p.V (K = L, N = headDim); then the classifier.
 */
function productShapes(c: Llama2cConfig, L: number): [number, number][] {
  const headSize = c.dim / c.nHeads;
  const kvDim = c.nKvHeads * headSize;
  const attention: [number, number][] = Array.from({ length: c.nHeads }, () => [
    [headSize, L],
    [L, headSize],
  ]).flat() as [number, number][];
  const layer: [number, number][] = [
    [c.dim, c.dim],
    [c.dim, kvDim],
    [c.dim, kvDim],
    ...attention,
    [c.dim, c.dim],
    [c.dim, c.hiddenDim],
    [c.dim, c.hiddenDim],
    [c.hiddenDim, c.dim],
  ];
  return [...Array.from({ length: c.nLayers }, () => layer).flat(), [c.dim, c.vocabSize]];
}

/**
 * Seconds the gemm kernel takes for every matrix product of one step at M rows over L keys (the best of
 * `repeats`): one packed matrix per product, as the model holds one per layer, so the weights stream from memory
 * as they do in the model instead of staying in cache.
 */
function rooflineSeconds(kernels: Kernels, config: Llama2cConfig, M: number, L: number, repeats: number): number {
  const random = seededRandom(3);
  const calls = productShapes(config, L).map(([K, N]) => ({
    b: kernels.pack(
      Float32Array.from({ length: K * N }, () => random() - 0.5),
      K,
      N,
    ), // (K, N) packed
    a: Float32Array.from({ length: M * K }, () => random() - 0.5), // (M, K)
  }));
  let best = Infinity;
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    for (const { a, b } of calls) kernels.gemm(a, b, M);
    if (r > 0) best = Math.min(best, (performance.now() - t0) / 1000); // the first pass warms up
  }
  for (const { b } of calls) b.free();
  return best;
}

/**
 * Greedy decoding from token 1 for `steps` positions, the best of `repeats` runs (the first warms the JIT), and the
 * largest resident set sampled after each token.
 */
function decode(
  model: CausalLM,
  steps: number,
  repeats: number,
): Timing & { steps: number; rss: number; tokens: number[] } {
  let best = Infinity;
  let rss = 0;
  const tokens: number[] = [];
  for (let r = 0; r <= repeats; r++) {
    model.reset();
    let token = 1;
    const t0 = performance.now();
    for (let pos = 0; pos < steps; pos++) {
      token = argmax(model.forward([token], pos).subarray(0, model.vocabSize));
      if (r === 0) {
        rss = Math.max(rss, process.memoryUsage.rss()); // sampled in the untimed run only
        tokens.push(token);
      }
    }
    if (r > 0) best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { steps, rss, tokens, tokensPerSecond: steps / best, secondsPerToken: best / steps };
}

/** One forward of a `tokens`-long random prompt from position 0, the best of `repeats` runs after a warm-up. */
function prefill(model: CausalLM, tokens: number, repeats: number): Timing & { tokens: number; logits: Float32Array } {
  const random = seededRandom(2);
  const prompt = Array.from({ length: tokens }, () => 1 + Math.floor(random() * (model.vocabSize - 1)));
  let best = Infinity;
  let logits = new Float32Array(0);
  for (let r = 0; r <= repeats; r++) {
    model.reset();
    const t0 = performance.now();
    const out = model.forward(prompt, 0);
    if (r > 0) best = Math.min(best, (performance.now() - t0) / 1000);
    else logits = out.slice();
  }
  return { tokens, logits, tokensPerSecond: tokens / best, secondsPerToken: best / tokens };
}

/** FNV-1a (32-bit) over the logits' bits, then the tokens: equal digests are, in practice, equal results. */
function digest(logits: Float32Array, tokens: readonly number[]): string {
  let hash = 0x811c9dc5;
  const mix = (word: number) => {
    for (let shift = 0; shift < 32; shift += 8) hash = Math.imul(hash ^ ((word >>> shift) & 0xff), 0x01000193);
  };
  for (const bits of new Uint32Array(logits.buffer, logits.byteOffset, logits.length)) mix(bits);
  for (const token of tokens) mix(token);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The checkpoint read, parsed and built into the model of `kind`; nothing else is kept (the file can be freed). */
async function buildModel(kernels: Kernels, spec: CheckpointSpec, kind: ModelKind) {
  const t0 = performance.now();
  const checkpoint = parseLlama2c(await readFileBytes(spec.path), spec.path);
  const loadSeconds = (performance.now() - t0) / 1000;
  const builder = llama2cBuilder(checkpoint);
  const t1 = performance.now();
  let model: CausalLM;
  if (kind === 'float' || kind === 'float-bf16') {
    model = builder.build(new FloatOpSet(kernels, kind === 'float-bf16' ? { weights: 'bf16' } : {}));
  } else {
    model = spikingModel(kernels, builder, calibrateOnRandomIds(kernels, builder, checkpoint.config.vocabSize), kind);
  }
  return { model, config: checkpoint.config, loadSeconds, buildSeconds: (performance.now() - t1) / 1000 };
}

async function runChild(spec: CheckpointSpec, kind: ModelKind, threads: number): Promise<ChildResult> {
  const kernels = await Kernels.load({ threads });
  if (kernels.threads !== threads) throw new Error(`asked for ${threads} kernel threads, got ${kernels.threads}`);
  collect();
  const start = probe(kernels);
  const { model, config, loadSeconds, buildSeconds } = await buildModel(kernels, spec, kind);
  const afterBuild = probe(kernels);
  collect(); // the file's bytes go now: the model keeps no view into them
  const built = probe(kernels);
  const repeats = spec.weightBytes > 1e8 ? 1 : 3;
  const { tokens, ...decoded } = decode(model, Math.min(spec.decodeSteps[kind], model.contextLength), repeats);
  const { logits, ...prefilled } = prefill(model, Math.min(PROMPT_TOKENS, model.contextLength), repeats);
  const afterRun = probe(kernels);
  model.dispose(); // the roofline's matrices take the weights' place
  const prompt = prefilled.tokens;
  const roofline =
    kind === 'float'
      ? {
          // decode attends over 1 .. steps keys: the mean, rounded up
          decodeSeconds: rooflineSeconds(kernels, config, 1, Math.ceil((decoded.steps + 1) / 2), 5),
          prefillSeconds: rooflineSeconds(kernels, config, prompt, prompt, repeats),
        }
      : undefined;
  return {
    checkpoint: spec.name,
    model: kind,
    threads,
    digest: digest(logits, tokens),
    loadSeconds,
    buildSeconds,
    decode: decoded,
    prefill: prefilled,
    peakRss: afterRun.maxRss,
    peakRssOverWeights: afterRun.maxRss / spec.weightBytes,
    decodeRss: decoded.rss,
    decodeRssOverWeights: decoded.rss / spec.weightBytes,
    wasmBytes: afterRun.wasmBytes,
    probes: { start, afterBuild, built, end: afterRun },
    ...(roofline ? { roofline } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: the checkpoints, one child per model kind, the report.

function spawn(spec: CheckpointSpec, kind: ModelKind, threads: number): Promise<ChildResult> {
  return forkChild<ChildResult>(
    import.meta.url,
    ['--child', JSON.stringify(spec), kind, String(threads)],
    `${spec.name} ${kind} on ${threads} threads`,
  );
}

async function checkpoints(only: readonly string[]): Promise<CheckpointSpec[]> {
  const specs: CheckpointSpec[] = [];
  const fixtures = fixturesDir();
  if (only.includes('260K') && fixtures === undefined) {
    console.log(
      'stories260K skipped: no fixtures folder (../shared/fixtures beside the project, or $MBE_SNN_FIXTURES)',
    );
  } else if (only.includes('260K') && fixtures !== undefined) {
    const path = join(fixtures, 'llama2c', 'stories260K.bin');
    const weightBytes = 4 * parseLlama2c(await readFileBytes(path), path).parameterCount;
    specs.push({
      name: 'stories260K',
      path,
      weightBytes,
      decodeSteps: { float: 256, 'float-bf16': 256, equivalent: 256, 'spike-driven': 128 },
    });
  }
  const synthetic: [string, Llama2cConfig, Record<ModelKind, number>][] = [
    ['15M', STORIES_15M, { float: 64, 'float-bf16': 64, equivalent: 32, 'spike-driven': 8 }],
    ['110M', STORIES_110M, { float: 32, 'float-bf16': 32, equivalent: 8, 'spike-driven': 2 }],
  ];
  for (const [name, shape, decodeSteps] of synthetic) {
    if (!only.includes(name)) continue;
    const written = await ensureLlama2cCheckpoint(shape);
    if (written.written) console.log(`wrote ${written.path} (${mb(written.fileBytes)} MB)`);
    specs.push({ name: `${name} shape`, path: written.path, weightBytes: written.weightBytes, decodeSteps });
  }
  return specs;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', default: '260K,15M,110M' },
      models: { type: 'string' },
      threads: { type: 'string', default: '' },
    },
  });
  const threadCounts = values.threads
    .split(',')
    .filter((t) => t !== '')
    .map(Number);
  const only = values.only.split(',');
  const kinds = (values.models?.split(',') ?? [...MODELS]) as ModelKind[];
  if (!kinds.includes('float')) throw new Error('--models must include float: it carries the roofline');
  const loadStart = loadavg()[0];
  const results: ChildResult[] = [];
  for (const spec of await checkpoints(only)) {
    for (const kind of kinds) {
      for (const threads of [1, ...threadCounts]) {
        if (threads > 1 && !THREADED_MODELS.includes(kind)) continue;
        console.log(`${spec.name}, ${kind}, ${threads} thread${threads > 1 ? 's' : ''} ...`);
        results.push(await spawn(spec, kind, threads));
      }
    }
  }
  const rows = results.map((r) => {
    const find = (model: ModelKind, threads: number) =>
      results.find((f) => f.checkpoint === r.checkpoint && f.model === model && f.threads === threads) as ChildResult;
    const float = find('float', r.threads); // the roofline on as many threads
    const roof = float.roofline as NonNullable<ChildResult['roofline']>;
    const oneThread = find(r.model, 1);
    return {
      checkpoint: r.checkpoint,
      model: r.model.startsWith('float') ? r.model.replace('float-', 'float, ') : `spiking T = ${T}, ${r.model}`,
      threads: r.threads,
      sameBitsAsOneThread: r.digest === oneThread.digest,
      decodeVsOneThread: r.decode.tokensPerSecond / oneThread.decode.tokensPerSecond,
      prefillVsOneThread: r.prefill.tokensPerSecond / oneThread.prefill.tokensPerSecond,
      decodeTokensPerSecond: r.decode.tokensPerSecond,
      decodeEfficiency: roof.decodeSeconds / r.decode.secondsPerToken,
      decodeVsFloat: r.decode.tokensPerSecond / float.decode.tokensPerSecond,
      prefillTokensPerSecond: r.prefill.tokensPerSecond,
      prefillEfficiency: roof.prefillSeconds / (r.prefill.secondsPerToken * r.prefill.tokens),
      peakRssMB: r.peakRss / 1e6,
      peakRssOverWeights: r.peakRssOverWeights,
      decodeRssMB: r.decodeRss / 1e6,
      decodeRssOverWeights: r.decodeRssOverWeights,
      baselineRssMB: r.probes.start.rss / 1e6,
      wasmMB: r.wasmBytes === null ? null : r.wasmBytes / 1e6,
    };
  });
  const fmt = (v: number, d = 2) => v.toFixed(d);
  console.log(
    formatTable(
      [
        'checkpoint',
        'model',
        'threads',
        'decode tok/s',
        'decode efficiency',
        'vs float',
        'prefill tok/s',
        'prefill efficiency',
        'vs 1 thread (decode, prefill)',
        'same bits',
        'RSS decoding MB',
        '/ f32 weights',
        'peak RSS MB',
        '/ f32 weights',
        'baseline RSS MB',
        'wasm MB',
      ],
      rows.map((r) => [
        r.checkpoint,
        r.model,
        String(r.threads),
        fmt(r.decodeTokensPerSecond, 1),
        fmt(r.decodeEfficiency),
        fmt(r.decodeVsFloat),
        fmt(r.prefillTokensPerSecond, 1),
        fmt(r.prefillEfficiency),
        r.threads === 1 ? '-' : `${fmt(r.decodeVsOneThread)}, ${fmt(r.prefillVsOneThread)}`,
        r.threads === 1 ? '-' : r.sameBitsAsOneThread ? 'yes' : 'NO',
        fmt(r.decodeRssMB, 0),
        fmt(r.decodeRssOverWeights),
        fmt(r.peakRssMB, 0),
        fmt(r.peakRssOverWeights),
        fmt(r.baselineRssMB, 0),
        r.wasmMB === null ? '-' : fmt(r.wasmMB, 0),
      ]),
    ),
  );
  const out = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      memoryBytes: totalmem(),
      platform: platform(),
      release: release(),
    },
    node: process.version,
    loadAverage: { start: loadStart, end: loadavg()[0] },
    settings: {
      T,
      promptTokens: PROMPT_TOKENS,
      calibration: CALIBRATION,
      quickFits: QUICK_FITS,
      threads: [1, ...threadCounts],
      threadedModels: THREADED_MODELS,
      roofline:
        'every matrix product of the step (linear layers, q.K^T and p.V per head) in the gemm kernel, on distinct random packed matrices of the same shapes (M = 1 decode over the mean keys, M = L = prompt for prefill)',
    },
    rows,
    raw: results,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  // a partial run (--only, --models) never overwrites the full run's results
  const full = only.length === 3 && kinds.length === MODELS.length && values.threads === '';
  const path = new URL(full ? './results/e2e.json' : './results/e2e-partial.json', import.meta.url);
  await writeFile(path, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(path)}`);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const spec = JSON.parse(process.argv[childIndex + 1] as string) as CheckpointSpec;
  const kind = process.argv[childIndex + 2] as ModelKind;
  const threads = Number(process.argv[childIndex + 3]);
  runChild(spec, kind, threads).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
  );
} else {
  await main();
}
