// `npm run bench:browser`: dense gemm in headless Chromium (the bundle, dist/browser/mbe-snn.min.js, built
// by the npm script first) next to Node (the sources), measured in the same run with the same harness
// (bench/browser/gemm-bench.js), shape by shape and build by build, alternating between the two. Also shows
// the figures `npm run bench` last recorded (bench/results/kernels.json). Checks that simd gemm in Chromium
// reaches at least 0.8x Node's, writes bench/results/browser.json and a screenshot of the page to
// test-results/browser/bench.png, and exits 1 when a check fails.
//
// The check compares the fastest batches (best vs best); the medians are reported beside it. On a shared
// two-core virtual machine, interference (another process, the host) slows whichever side is running at
// that moment: across runs minutes apart the median ratios of the same builds ranged from 0.72x to 1.47x
// while best vs best stayed within 0.90-1.09x. Interference only ever adds time, so the fastest batch is
// the stable estimate.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { CHROMIUM_FLAGS, chromiumMissing, launchChromium } from '../../scripts/chromium.js';
import { REPO_ROOT, startStaticServer } from '../../scripts/static-server.js';
import { formatTable } from '../measure.js';

type Shape = [number, number, number];
interface Timing {
  warmupMs: number;
  timeMs: number;
  minSamples: number;
}
interface GemmSamples {
  variant: string;
  shape: string;
  sampleMs: number[];
  callsPerSample: number;
}
interface Summary {
  medianMs: number;
  minMs: number;
  samples: number;
  gflops: number;
  bestGflops: number;
}
interface Harness {
  GEMM_SHAPES: Shape[];
  measureGemm(lib: unknown, variant: string, shape: Shape, timing: Timing): Promise<GemmSamples>;
  summarize(shape: Shape, sampleMs: number[]): Summary;
}
interface PageBench {
  supported: string[];
  userAgent: string;
  measure(variant: string, shape: Shape, timing: Timing): Promise<GemmSamples>;
  show(rows: unknown[], caption: string): void;
}
type PageWindow = Window & { gemmBench: PageBench };

const TARGET = { variant: 'simd', ratio: 0.8 };
/** Each shape and build is measured in ROUNDS alternating turns (Node, Chromium, Chromium, Node, ...), so that
 * both sides sample the same stretches of machine time; the samples of a side's turns are pooled. */
const ROUNDS = 6;
const TURN: Timing = { warmupMs: 150, timeMs: 300, minSamples: 3 };
const RESULTS = new URL('../results/', import.meta.url);
const SCREENSHOT = new URL('test-results/browser/bench.png', `file://${REPO_ROOT}`);

const missing = chromiumMissing();
if (missing) {
  console.error(`bench:browser: ${missing}`);
  process.exit(1);
}
if (!existsSync(new URL('dist/browser/mbe-snn.min.js', `file://${REPO_ROOT}`))) {
  console.error('bench:browser: dist/browser/mbe-snn.min.js is missing: run `npm run build:browser` first');
  process.exit(1);
}

const harness = (await import(new URL('./gemm-bench.js', import.meta.url).href)) as Harness;
const nodeLib = await import('../../src/index.js');
const nodeVariants = nodeLib.supportedVariants();

/** GFLOP/s per shape and build from the last `npm run bench`, if any. */
async function recordedFigures(): Promise<Map<string, number>> {
  const figures = new Map<string, number>();
  const file = new URL('kernels.json', RESULTS);
  if (!existsSync(file)) return figures;
  const report = JSON.parse(await readFile(file, 'utf8')) as { gemm?: Array<Record<string, unknown>> };
  for (const row of report.gemm ?? []) {
    for (const [name, value] of Object.entries(row)) {
      const gflops = (value as { gflops?: unknown } | null)?.gflops;
      if (typeof gflops === 'number') figures.set(`${String(row.shape)} ${name}`, gflops);
    }
  }
  return figures;
}

const server = await startStaticServer();
const browser = await launchChromium();
try {
  const { page, errors } = await browser.newPage();
  await page.goto(`${server.origin}/bench/browser/index.html?driver`);
  await page.waitForFunction(() => 'gemmBench' in window, undefined, { timeout: 30_000 });
  const { supported, userAgent } = await page.evaluate(() => {
    const bench = (window as unknown as PageWindow).gemmBench;
    if (!bench.supported) throw new Error(`the benchmark page failed: ${JSON.stringify(bench)}`);
    return { supported: bench.supported, userAgent: bench.userAgent };
  });
  const variants = [...supported].reverse().filter((v) => nodeVariants.includes(v as never));
  console.log(
    `mbe-snn gemm in Chromium ${browser.version} vs Node ${process.version} (${cpus()[0]?.model ?? 'unknown CPU'}); ` +
      `builds: Chromium [${supported.join(', ')}], Node [${nodeVariants.join(', ')}]`,
  );

  const recorded = await recordedFigures();
  const rows = [];
  const samples = [];
  for (const shape of harness.GEMM_SHAPES) {
    for (const variant of variants) {
      const pooled = { node: [] as number[], chromium: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        const turns = round % 2 === 0 ? (['node', 'chromium'] as const) : (['chromium', 'node'] as const);
        for (const side of turns) {
          const measured =
            side === 'node'
              ? await harness.measureGemm(nodeLib, variant, shape, TURN)
              : await page.evaluate(([v, s, t]) => (window as unknown as PageWindow).gemmBench.measure(v, s, t), [
                  variant,
                  shape,
                  TURN,
                ] as const);
          pooled[side].push(...measured.sampleMs);
        }
      }
      const node = harness.summarize(shape, pooled.node);
      const chromium = harness.summarize(shape, pooled.chromium);
      const row = {
        shape: shape.join('x'),
        variant,
        chromium: chromium.gflops,
        node: node.gflops,
        chromiumOverNode: chromium.gflops / node.gflops,
        bestChromiumOverNode: chromium.bestGflops / node.bestGflops,
        recorded: recorded.get(`${shape.join('x')} ${variant}`),
        ...(variant === TARGET.variant ? { target: TARGET.ratio } : {}),
      };
      console.log(
        `  ${row.shape.padEnd(11)} ${variant.padEnd(7)} Chromium ${row.chromium.toFixed(1).padStart(5)}  ` +
          `Node ${row.node.toFixed(1).padStart(5)} GFLOP/s  (median ${row.chromiumOverNode.toFixed(2)}x, ` +
          `best ${row.bestChromiumOverNode.toFixed(2)}x)`,
      );
      rows.push(row);
      samples.push({ shape: row.shape, variant, chromium, node });
    }
  }

  console.log('\nDense gemm, GFLOP/s (median time per call; one thread; same harness on both sides):\n');
  console.log(
    formatTable(
      ['shape', 'build', 'Chromium', 'Node', 'Chromium / Node', 'best / best', 'Node, npm run bench (recorded)'],
      rows.map((r) => [
        r.shape,
        r.variant,
        r.chromium.toFixed(1),
        r.node.toFixed(1),
        `${r.chromiumOverNode.toFixed(2)}x`,
        `${r.bestChromiumOverNode.toFixed(2)}x`,
        r.recorded?.toFixed(1) ?? '-',
      ]),
    ),
  );

  const targets = rows
    .filter((r) => r.variant === TARGET.variant)
    .map((r) => ({
      name: `gemm ${r.shape}: ${TARGET.variant} in Chromium >= ${TARGET.ratio}x Node (best vs best)`,
      measured: r.bestChromiumOverNode,
      medianRatio: r.chromiumOverNode,
      target: TARGET.ratio,
      pass: r.bestChromiumOverNode >= TARGET.ratio,
    }));
  console.log('\nTargets:');
  for (const t of targets) {
    console.log(
      `  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured.toFixed(2)}x (medians: ${t.medianRatio.toFixed(2)}x)`,
    );
  }
  if (errors.length > 0) console.log(`\nPage errors:\n  ${errors.join('\n  ')}`);

  await page.evaluate(([r, caption]) => (window as unknown as PageWindow).gemmBench.show(r, caption), [
    rows,
    `Chromium ${browser.version} vs Node ${process.version}`,
  ] as const);
  await mkdir(new URL('.', SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });

  const report = {
    generatedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      v8: process.versions.v8,
      chromium: browser.version,
      userAgent,
      chromiumFlags: CHROMIUM_FLAGS,
      cpu: cpus()[0]?.model ?? 'unknown',
      logicalCores: cpus().length,
      wasmBuilds: { chromium: supported, node: nodeVariants },
      note:
        'one thread; GFLOP/s from the median time per call (best: from the fastest), timed in batches of >= 10 ms ' +
        '(browsers coarsen performance.now); gemm includes copying A in and C out; Chromium and Node measured ' +
        `in this run by bench/browser/gemm-bench.js, in ${ROUNDS} alternating turns each; "recorded" is ` +
        'bench/results/kernels.json (npm run bench, tinybench)',
    },
    gemm: rows,
    summaries: samples,
    targets,
    pageErrors: errors,
  };
  await mkdir(RESULTS, { recursive: true });
  await writeFile(new URL('browser.json', RESULTS), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nWrote bench/results/browser.json and test-results/browser/bench.png');
  if (targets.some((t) => !t.pass) || errors.length > 0) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
}
