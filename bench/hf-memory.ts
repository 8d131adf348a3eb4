// Memory of a GPT-2-small-shaped Hugging Face folder (124M parameters, random F32 weights written by
// bench/helpers/gpt2-folder.ts into a cache folder outside git), stage by stage, each stage in a fresh child
// process so that earlier allocations do not count:
//   baseline  the library imported and the kernels instantiated, nothing read
//   read      + readModelFolder (the file's bytes in memory)
//   load      + recogniseArchitecture + entry.load (tensors parsed and bound: "loading")
//   build     + builder.build(FloatOpSet) (Conv1D transposes, prepareLinear packs every weight into wasm memory)
//   forward   + one forward of 8 tokens
// plus a traced build (a FloatOpSet that probes memory around every prepareLinear) for the breakdown. Each
// stage's figure is its child's peak RSS (process.resourceUsage().maxRSS) minus the baseline child's RSS at
// the same point (after imports, kernels and a full GC), divided by the safetensors file's size. Target (the
// issue that set it): loading, and the built model, peak at no more than 1.5x the file size.
// Usage: node --expose-gc --import tsx bench/hf-memory.ts [--repeats N (default 3; the worst run is reported)]
//   ->  bench/results/hf-memory.json. The folder is kept under $MBE_SNN_BENCH_CACHE, $XDG_CACHE_HOME/mbe-snn-bench
//   or <tmpdir>/mbe-snn-bench and reused.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { FloatOpSet, Kernels, type LinearLayer } from '../src/index.js';
import { readModelFolder } from '../src/io/node/folder.js';
import type { FolderFiles } from '../src/io/hf/folder.js';
import type { ModelBuilder } from '../src/models/builder.js';
import type { CausalLM } from '../src/models/interfaces.js';
import { recogniseArchitecture } from '../src/models/registry.js';
import { seededRandom } from '../src/random.js';
import { checkStreamedLayout, ensureGpt2Folder, GPT2_SMALL, type Gpt2Shape } from './helpers/gpt2-folder.js';
import { collect, mb, probe, type Probe } from './helpers/memory.js';
import { forkChild } from './helpers/child.js';
import { formatTable } from './measure.js';

const STAGES = ['baseline', 'read', 'load', 'build', 'forward'] as const;
type Stage = (typeof STAGES)[number];
type Scenario = Stage | 'build-traced';
const TARGET = 1.5;
const FORWARD_TOKENS = 8;
const SEED = 1;

interface PhaseRecord {
  readonly phase: Stage;
  readonly seconds: number;
  /** Right after the phase. */
  readonly after: Probe;
}

interface TraceRow {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Whether the weight handed to prepareLinear is a view into the file's bytes (else a copy the model made). */
  readonly weightIsFileView: boolean;
  readonly before: Probe;
  readonly after: Probe;
}

interface ChildResult {
  readonly scenario: Scenario;
  readonly pid: number;
  /** After imports, Kernels.load and a full GC: where the stage's work starts. */
  readonly start: Probe;
  readonly phases: PhaseRecord[];
  /** Right after the last phase; its maxRss is the child's peak. */
  readonly end: Probe;
  /** After a full GC, everything the stage made still referenced. */
  readonly afterGc: Probe;
  /** build/forward: after dropping the folder's files and the builder (only the model kept) and a full GC. */
  readonly modelOnly?: Probe;
  readonly trace?: TraceRow[];
  readonly logitsFinite?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// The child: one scenario, reported to the parent over IPC.

/** A FloatOpSet that probes memory before and after every prepareLinear. */
class TracingFloatOpSet extends FloatOpSet {
  readonly trace: TraceRow[] = [];

  constructor(
    private readonly traced: Kernels,
    private readonly fileBuffer: ArrayBufferLike,
  ) {
    super(traced);
  }

  override prepareLinear(weight: Float32Array, inFeatures: number, outFeatures: number, bias?: Float32Array) {
    const before = probe(this.traced);
    const layer: LinearLayer = super.prepareLinear(weight, inFeatures, outFeatures, bias);
    const weightIsFileView = weight.buffer === this.fileBuffer;
    this.trace.push({ inFeatures, outFeatures, weightIsFileView, before, after: probe(this.traced) });
    return layer;
  }
}

async function runChild(scenario: Scenario, dir: string): Promise<ChildResult> {
  const kernels = await Kernels.load();
  collect();
  const start = probe(kernels);
  const reach = STAGES.indexOf(scenario === 'build-traced' ? 'build' : scenario);
  const state: { files?: FolderFiles; builder?: ModelBuilder<CausalLM>; model?: CausalLM } = {};
  const phases: PhaseRecord[] = [];
  let tracing: TracingFloatOpSet | undefined;
  let logitsFinite: boolean | undefined;
  const phase = async (name: Stage, work: () => unknown) => {
    if (STAGES.indexOf(name) > reach) return;
    const t0 = performance.now();
    await work();
    phases.push({ phase: name, seconds: (performance.now() - t0) / 1000, after: probe(kernels) });
  };
  await phase('read', async () => {
    state.files = await readModelFolder(dir);
  });
  await phase('load', () => {
    const files = state.files!;
    const entry = recogniseArchitecture(files);
    if (entry?.task !== 'causal-lm') throw new Error(`${dir}: not recognised as a causal LM (${entry?.name})`);
    state.builder = entry.load(files).builder;
  });
  await phase('build', () => {
    let ops: FloatOpSet = new FloatOpSet(kernels);
    if (scenario === 'build-traced') {
      const bytes = state.files!.get('model.safetensors')!.bytes;
      ops = tracing = new TracingFloatOpSet(kernels, bytes.buffer);
    }
    state.model = state.builder!.build(ops);
  });
  await phase('forward', () => {
    const model = state.model!;
    const random = seededRandom(SEED);
    const tokens = Array.from({ length: FORWARD_TOKENS }, () => Math.floor(random() * model.vocabSize));
    const logits = model.forward(tokens, 0);
    logitsFinite = logits.length === FORWARD_TOKENS * model.vocabSize && logits.every(Number.isFinite);
  });
  const end = probe(kernels);
  collect();
  const afterGc = probe(kernels);
  let modelOnly: Probe | undefined;
  if (state.model) {
    delete state.files;
    delete state.builder;
    collect();
    modelOnly = probe(kernels);
  }
  return {
    scenario,
    pid: process.pid,
    start,
    phases,
    end,
    afterGc,
    ...(modelOnly ? { modelOnly } : {}),
    ...(tracing ? { trace: tracing.trace } : {}),
    ...(logitsFinite === undefined ? {} : { logitsFinite }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: the folder, one child per scenario, the report.

function spawnScenario(scenario: Scenario, dir: string): Promise<ChildResult> {
  return forkChild<ChildResult>(import.meta.url, ['--child', scenario, dir], `scenario ${scenario}`);
}

/** What the shapes imply: the bytes of each copy the load and build make. */
function accounting(s: Gpt2Shape) {
  const { dim, layers, vocabSize: V, positions: P } = s;
  const inner = 4 * dim;
  const hd = dim / s.heads;
  const conv: [number, number][] = [
    [dim, 3 * dim],
    [dim, dim],
    [dim, inner],
    [inner, dim],
  ];
  const f32 = 4;
  const convWeights = layers * conv.reduce((sum, [i, o]) => sum + i * o, 0) * f32;
  const headWeights = V * dim * f32;
  const packed = (i: number, o: number) => Math.ceil(o / 16) * 16 * i * f32;
  return {
    conv1dTransposedCopies: convWeights,
    prepareLinearTransposedCopies: convWeights + headWeights,
    packedConv1d: layers * conv.reduce((sum, [i, o]) => sum + packed(i, o), 0),
    packedHead: packed(dim, V),
    largestPackScratch: headWeights,
    tokenEmbedding: headWeights,
    modelBuffersAllocated:
      f32 * (4 * P * dim + 3 * P * dim + P * inner + P * V + 2 * layers * P * dim + 4 * P * hd + P * P),
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const max = (values: number[]) => Math.max(...values);

async function main(): Promise<void> {
  const repeatsAt = process.argv.indexOf('--repeats');
  const repeats = repeatsAt > 0 ? Number(process.argv[repeatsAt + 1]) : 3;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('--repeats takes a positive integer');
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCores: cpus().length,
    totalMemoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
  };
  console.log(`mbe-snn memory benchmark: Node ${machine.node}, ${machine.cpu}, ${machine.logicalCores} cores`);
  const checkBytes = await checkStreamedLayout(SEED);
  console.log(`streamed safetensors writer: byte-identical to writeSafetensors (${checkBytes}-byte check file)`);
  const folder = await ensureGpt2Folder(GPT2_SMALL, SEED);
  const fileBytes = folder.fileBytes;
  console.log(
    `${folder.written ? 'wrote' : 'reused'} ${folder.dir} (${folder.seconds.toFixed(1)} s): ` +
      `${(folder.parameters / 1e6).toFixed(2)}M parameters, model.safetensors ${mb(fileBytes)} MB`,
  );

  const scenarios: Scenario[] = [...STAGES, 'build-traced'];
  const runs = new Map<Scenario, ChildResult[]>(scenarios.map((s) => [s, []]));
  for (let r = 0; r < repeats; r++) {
    for (const scenario of scenarios) {
      const t0 = performance.now();
      const result = await spawnScenario(scenario, folder.dir);
      runs.get(scenario)!.push(result);
      console.error(
        `  ${scenario} (run ${r + 1}/${repeats}): peak RSS ${mb(result.end.maxRss)} MB, ` +
          `${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  }

  // The baseline: the baseline child's RSS where every child's work starts (the lowest of its runs).
  const baselineRuns = runs.get('baseline')!;
  const baselineRss = Math.min(...baselineRuns.map((r) => r.start.rss));
  const stages = STAGES.map((stage) => {
    const results = runs.get(stage)!;
    const worst = results.reduce((a, b) => (b.end.maxRss > a.end.maxRss ? b : a));
    const peaks = results.map((r) => r.end.maxRss);
    const overBaseline = max(peaks) - baselineRss;
    return {
      stage,
      runs: results.length,
      peakRssBytes: max(peaks),
      peakRssRangeBytes: [Math.min(...peaks), max(peaks)],
      peakOverBaselineBytes: overBaseline,
      peakOverFileSize: overBaseline / fileBytes,
      /** The same figure against the child's own RSS before its work (a cross-check of the baseline). */
      peakOverOwnStartOverFileSize: (worst.end.maxRss - worst.start.rss) / fileBytes,
      rssAtEndBytes: worst.end.rss,
      rssAfterGcBytes: worst.afterGc.rss,
      retainedAfterGcOverFileSize: (worst.afterGc.rss - baselineRss) / fileBytes,
      modelOnlyRssBytes: worst.modelOnly?.rss ?? null,
      modelOnlyOverFileSize: worst.modelOnly ? (worst.modelOnly.rss - baselineRss) / fileBytes : null,
      arrayBuffersAfterGcBytes: worst.afterGc.arrayBuffers,
      wasmMemoryBytes: worst.afterGc.wasmBytes,
      residentMatrixBytes: worst.afterGc.residentBytes,
      phaseSeconds: Object.fromEntries(worst.phases.map((p) => [p.phase, p.seconds])),
      ...(worst.logitsFinite === undefined ? {} : { logitsFinite: worst.logitsFinite }),
    };
  });

  const rows = stages.map((s) => [
    s.stage,
    mb(s.peakRssBytes),
    s.stage === 'baseline' ? '-' : mb(s.peakOverBaselineBytes),
    s.stage === 'baseline' ? '-' : `${s.peakOverFileSize.toFixed(2)}x`,
    s.stage === 'baseline' ? '-' : `${s.retainedAfterGcOverFileSize.toFixed(2)}x`,
    s.modelOnlyOverFileSize === null ? '-' : `${s.modelOnlyOverFileSize.toFixed(2)}x`,
    mb(s.arrayBuffersAfterGcBytes),
    s.wasmMemoryBytes === null ? '?' : mb(s.wasmMemoryBytes),
    mb(s.residentMatrixBytes),
  ]);
  console.log(
    `\nGPT-2 small shape, random F32, model.safetensors ${mb(fileBytes)} MB; baseline RSS ${mb(baselineRss)} MB ` +
      `(MB = 10^6 bytes; peak = maxRSS of a fresh child per stage, worst of ${repeats} run(s)):\n`,
  );
  console.log(
    formatTable(
      [
        'stage',
        'peak RSS MB',
        'peak - baseline MB',
        '/ file size',
        'after GC / file',
        'model only / file',
        'JS ArrayBuffers MB',
        'wasm memory MB',
        'packed in wasm MB',
      ],
      rows,
    ),
  );
  const forward = stages.find((s) => s.stage === 'forward')!;
  if (forward.logitsFinite === false) console.log('\nWARNING: the forward pass produced non-finite logits');

  // The breakdown of the build's peak, from the traced build (one child): each part measured in that child,
  // next to the bytes the shapes imply. The parts add up to its peak minus its own starting RSS.
  const traced = runs.get('build-traced')!.reduce((a, b) => (b.end.maxRss > a.end.maxRss ? b : a));
  const trace = traced.trace ?? [];
  const atLoad = traced.phases.find((p) => p.phase === 'load')!.after;
  const atBuild = traced.phases.find((p) => p.phase === 'build')!.after;
  const modelOnly = traced.modelOnly ?? traced.afterGc;
  const wasmBytes = atBuild.wasmBytes ?? 0;
  const peakCall = trace.reduce((a, b, i) => (b.after.maxRss > (trace[a]?.after.maxRss ?? 0) ? i : a), 0);
  const copies = trace.filter((row) => !row.weightIsFileView);
  const expected = accounting(GPT2_SMALL);
  const parts = [
    {
      part: 'file bytes, kept whole by the tensor views into them (wte, wpe, LayerNorms, biases)',
      expectedBytes: fileBytes,
      measuredBytes: atLoad.rss - traced.start.rss,
      measuredAs: 'RSS after load - RSS at start',
    },
    {
      part: `Conv1D weights transposed to (out, in) by Gpt2Model (${copies.length} copies, kept as LinearLayer.weight)`,
      expectedBytes: expected.conv1dTransposedCopies,
      measuredBytes: modelOnly.rss - atLoad.rss - wasmBytes,
      measuredAs: 'RSS with only the model kept, after GC - RSS after load - wasm memory (includes ~10 MB of heap)',
    },
    {
      part: 'packed weights in wasm memory (48 Conv1D + the tied head)',
      expectedBytes: expected.packedConv1d + expected.packedHead,
      measuredBytes: atBuild.residentBytes,
      measuredAs: 'Kernels.residentBytes',
    },
    {
      part: 'wasm memory past the packed blocks: the head pack scratch (B copied in whole; wasm memory never shrinks)',
      expectedBytes: expected.largestPackScratch,
      measuredBytes: wasmBytes - atBuild.residentBytes,
      measuredAs: 'wasm memory size - Kernels.residentBytes',
    },
    {
      part: "transient at the peak: the head's (in, out) transposed copy in prepareLinear (garbage once packed)",
      expectedBytes: expected.largestPackScratch,
      measuredBytes: traced.end.maxRss - modelOnly.rss,
      measuredAs: 'peak RSS - RSS with only the model kept, after GC',
    },
  ];
  const measured = {
    peakOverStartBytes: traced.end.maxRss - traced.start.rss,
    peakOverFileSize: (traced.end.maxRss - traced.start.rss) / fileBytes,
    peakDuringCall: {
      index: peakCall,
      inFeatures: trace[peakCall]?.inFeatures,
      outFeatures: trace[peakCall]?.outFeatures,
      weightIsFileView: trace[peakCall]?.weightIsFileView,
    },
    modelOnlyOverStartBytes: modelOnly.rss - traced.start.rss,
    modelOnlyOverFileSize: (modelOnly.rss - traced.start.rss) / fileBytes,
    arrayBuffers: {
      afterLoad: atLoad.arrayBuffers,
      modelOnly: modelOnly.arrayBuffers,
      note:
        'modelOnly - afterLoad = the Conv1D copies + the model activation buffers and KV cache, which are ' +
        'allocated but not resident until used (modelBuffersAllocated)',
    },
    wasmMemoryBytes: atBuild.wasmBytes,
    residentMatrixBytes: atBuild.residentBytes,
    parts,
    trace,
  };
  console.log(
    `\nBuild breakdown (traced build; its peak, ${mb(measured.peakOverStartBytes)} MB over its own start = ` +
      `${measured.peakOverFileSize.toFixed(2)}x the file, is reached inside prepareLinear call ${peakCall + 1} of ` +
      `${trace.length}, the ${trace[peakCall]?.inFeatures}x${trace[peakCall]?.outFeatures} head):\n`,
  );
  console.log(
    formatTable(
      ['held at the peak', 'implied by the shapes, MB', 'measured, MB', 'x file'],
      [
        ...parts.map((p) => [
          p.part,
          mb(p.expectedBytes),
          mb(p.measuredBytes),
          `${(p.measuredBytes / fileBytes).toFixed(2)}x`,
        ]),
        [
          'total (peak RSS - RSS at start)',
          mb(sum(parts.map((p) => p.expectedBytes))),
          mb(measured.peakOverStartBytes),
          `${measured.peakOverFileSize.toFixed(2)}x`,
        ],
      ],
    ),
  );
  console.log(
    `Also allocated but not resident: the model's activation buffers and KV cache for ${GPT2_SMALL.positions} ` +
      `positions, ${mb(expected.modelBuffersAllocated)} MB (JS ArrayBuffers with only the model kept: ` +
      `${mb(modelOnly.arrayBuffers)} MB).`,
  );

  const targets = (['load', 'build'] as const).map((stage) => {
    const s = stages.find((x) => x.stage === stage)!;
    const name =
      stage === 'load'
        ? `loading (readModelFolder + recognise + entry.load) peaks at <= ${TARGET}x the file size`
        : `building the float model (FloatOpSet) peaks at <= ${TARGET}x the file size`;
    return { name, stage, measured: s.peakOverFileSize, target: TARGET, pass: s.peakOverFileSize <= TARGET };
  });
  console.log('\nTargets:');
  for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured.toFixed(2)}x`);

  const report = {
    generatedAt: new Date().toISOString(),
    environment: {
      ...machine,
      note:
        'peak = process.resourceUsage().maxRSS of a fresh child process per stage (cumulative stages); ' +
        'baseline = RSS of the baseline child after importing the library, Kernels.load and a full GC; ' +
        'ratios are (peak - baseline) / model.safetensors size; MB = 10^6 bytes',
    },
    folder: {
      dir: folder.dir,
      shape: GPT2_SMALL,
      seed: SEED,
      parameters: folder.parameters,
      dtype: 'F32',
      fileBytes,
      writtenThisRun: folder.written,
    },
    repeats,
    baselineRssBytes: baselineRss,
    baselineMaxRssBytes: max(baselineRuns.map((r) => r.end.maxRss)),
    stages,
    breakdown: { expectedFromShapes: expected, measured },
    targets,
    // every child's probes; the per-call trace only for the traced run reported above (breakdown.measured.trace)
    runs: Object.fromEntries(
      [...runs].map(([k, v]) => [
        k,
        v.map((r) => Object.fromEntries(Object.entries(r).filter(([f]) => f !== 'trace'))),
      ]),
    ),
  };
  const resultsDir = new URL('./results/', import.meta.url);
  await mkdir(resultsDir, { recursive: true });
  await writeFile(new URL('hf-memory.json', resultsDir), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${join('bench', 'results', 'hf-memory.json')}`);
}

if (process.argv[2] === '--child') {
  const scenario = process.argv[3] as Scenario;
  const dir = process.argv[4] as string;
  try {
    const result = await runChild(scenario, dir);
    process.send!({ result }, () => process.disconnect());
  } catch (error) {
    process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
      process.disconnect(),
    );
    process.exitCode = 1;
  }
} else {
  await main();
}
