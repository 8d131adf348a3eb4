// The browser bundles (rollup.config.mjs), the library's and the plotting's: each self-contained, the same exports
// as its entry, within its size budget, and a build that fails when Node-only code becomes reachable from an entry
// or any package other than the bundled-in @huggingface/tokenizers is imported (whose tokenizer runs in Chromium).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from '../../scripts/chromium.js';
import { hfTokenizer } from '../../src/io/hf/tokenizer.js';
import type { LinePlotOptions } from '../../src/plot/index.js';
import { optionalRequirement } from '../helpers/requirements.js';
import { buildBrowserBundle, buildConfiguration, rollupConfigurations, type BundleFile } from './bundle.js';

/**
 * Budget for dist/browser/mbe-snn.min.js, gzipped (zlib level 9): 123,000 bytes, about 12% above the 110,214 bytes
 * measured once CNNs came in (convolution, pooling, batch-norm folding, LeNet-5, ResNet and VGG: +9 KB over the
 * 101 KB before; the budget was 107,000), with every Hugging Face model, the tokenizer, image preprocessing and
 * the tasks in it (88,242 before the tasks and images). The tokenizer (src/io/hf/tokenizer*.ts and the
 * @huggingface/tokenizers package bundled in) is 15.5 KB of that: it took the bundle from 64.4 KB to 80.0 KB. Of the
 * rest, ~27 KB is the shipped neuron table (86 entries, 94 KB of minified JSON), ~7 KB the three embedded wasm
 * builds and the rest the library code. Raise it deliberately, with the reason, when the library grows.
 * Raised to 130,000 for kernel threads (the worker pool, its worker source and the panel-range gemm kernels):
 * 123,020 bytes measured with them, 119,988 without.
 * Raised to 134,000 for the float model's element-wise kernels (SiLU, softmax rows, RMSNorm, add, mul in each of
 * the three wasm builds, and their thread plans): 130,731 bytes measured with them, 127,206 before.
 * Raised to 146,000 for the neuron table's 27 entries at T = 3, 4 and 5 (the MNIST ViT's low-T operating points,
 * which a first run fitted without them, 8 to 24 s each here): 140,911 bytes measured with them.
 * Raised to 150,000 for spike-aware rounding with the spikemm K chunks (+852 bytes) and the ViT's four GELU neurons
 * for allocations on 128 calibration images (+1,316): 146,984 bytes measured, 144,816 before them.
 */
const GZIP_BUDGET_BYTES = 150_000;
/**
 * The same bundle minified, not compressed: 373,503 bytes measured with threads (339,339 before the frontier work),
 * 436,667 with the low-T neurons; budget about +8%.
 */
const MIN_BUDGET_BYTES = 470_000;

/**
 * Budget for dist/browser/mbe-snn-plot.min.js, gzipped (zlib level 9): about 25% above the 3.2 KB measured when
 * it was set (the SVG writer and the InvalidArgumentError it throws).
 */
const PLOT_GZIP_BUDGET_BYTES = 4_000;
/** The same bundle uncompressed: 7.9 KB measured, budget about +25%. */
const PLOT_MIN_BUDGET_BYTES = 10_000;

/** Checks that every output of one bundle is one self-contained chunk without Node imports, with a source map. */
function expectSelfContained(files: ReadonlyMap<string, BundleFile>): void {
  for (const [name, file] of files) {
    expect(file.imports, `${name} imports`).toEqual([]);
    expect(file.code).not.toMatch(/\bfrom\s*["']node:|import\(\s*["']node:/);
    expect(JSON.parse(file.map)).toHaveProperty('mappings');
  }
}

/** Gzipped (level 9) and raw size of a bundle, logged, held to its budgets. */
function expectWithinBudget(name: string, code: string, gzipBudget: number, minBudget: number): void {
  const raw = Buffer.byteLength(code);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(
    `dist/browser/${name}: ${raw} bytes, ${gzipped} bytes gzipped ` +
      `(budget ${gzipBudget}, ${((100 * gzipped) / gzipBudget).toFixed(0)}% used)`,
  );
  expect(gzipped, `gzipped size of ${name}`).toBeLessThanOrEqual(gzipBudget);
  expect(raw, `size of ${name}`).toBeLessThanOrEqual(minBudget);
}

/** The outputs of the rollup.config.mjs configuration whose entry is `input`; `replacement` replaces the entry. */
async function buildEntry(input: string, replacement?: string): Promise<Map<string, BundleFile>> {
  const config = (await rollupConfigurations()).find((c) => c.input === input);
  if (!config) throw new Error(`rollup.config.mjs has no configuration for ${input}`);
  return buildConfiguration(config, replacement);
}

/** `body` on a new temporary directory, removed afterwards. */
async function inTemporaryDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A BERT vocabulary (WordPiece) whose tokenizer runs in the bundle: "Hello, World!" -> [CLS] hello , world ! [SEP]. */
const BERT_FILES = new Map([
  [
    'vocab.txt',
    {
      name: 'bert/vocab.txt',
      bytes: new TextEncoder().encode(
        ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', ',', 'world', '!', 'the'].join('\n'),
      ),
    },
  ],
]);
const BERT_TEXT = 'Hello, World!';
const BERT_IDS = [2, 4, 5, 6, 7, 3];

// Without Chromium the tokenizer's run in Chromium is skipped; under CI=true a failing test is added instead.
const missingChromium = optionalRequirement('the bundled tokenizer runs in headless Chromium', chromiumMissing());

/** hfTokenizer(BERT_FILES).encode(BERT_TEXT) run by the bundle `code` in headless Chromium. */
async function tokenizeInChromium(code: string): Promise<number[]> {
  const browser = await launchChromium();
  try {
    const { page, errors } = await browser.newPage();
    const vocab = new TextDecoder().decode(BERT_FILES.get('vocab.txt')!.bytes);
    // a string, not a function: vitest would rewrite a function's import() into its own loader
    const script = `(async () => {
      const url = URL.createObjectURL(new Blob([${JSON.stringify(code)}], { type: 'text/javascript' }));
      const { hfTokenizer } = await import(url);
      const bytes = new TextEncoder().encode(${JSON.stringify(vocab)});
      return hfTokenizer(new Map([['vocab.txt', { name: 'vocab.txt', bytes }]]), 'bert').encode(${JSON.stringify(BERT_TEXT)});
    })()`;
    const ids = (await page.evaluate(script)) as number[];
    expect(errors).toEqual([]);
    return ids;
  } finally {
    await browser.close();
  }
}

let files: Map<string, BundleFile>;
let plotFiles: Map<string, BundleFile>;

beforeAll(async () => {
  [files, plotFiles] = await Promise.all([buildBrowserBundle(), buildEntry('src/plot/index.ts')]);
}, 60_000);

describe('rollup.config.mjs', () => {
  it('has the library bundle first (test/browser/bundle.ts builds it), the plot bundle and the embedded model', async () => {
    const options = await rollupConfigurations();
    expect(options.map((c) => [c.input, c.output.map((o) => o.file)])).toEqual([
      ['src/index.ts', ['dist/browser/mbe-snn.js', 'dist/browser/mbe-snn.min.js']],
      ['src/plot/index.ts', ['dist/browser/mbe-snn-plot.js', 'dist/browser/mbe-snn-plot.min.js']],
      ['src/io/embedded/stories260K.ts', ['dist/browser/mbe-snn-stories260K.js']],
    ]);
  });

  it('bundles the embedded stories260K on its own: one chunk of the upstream bytes, no source map', async () => {
    const config = (await rollupConfigurations())[2]!;
    const bundled = await buildConfiguration(config);
    const file = bundled.get('mbe-snn-stories260K.js')!;
    expect([...file.exports].sort()).toEqual(['STORIES260K_SOURCE', 'stories260K']);
    expect(file.imports).toEqual([]);
    expect(file.code.length).toBeLessThan(1.5e6); // base64 of 1.06 MB of files, once
  }, 30_000);
});

describe('browser bundle', () => {
  it('builds dist/browser/mbe-snn.js and mbe-snn.min.js, each one self-contained chunk with a source map', () => {
    expect([...files.keys()].sort()).toEqual(['mbe-snn.js', 'mbe-snn.min.js']);
    expectSelfContained(files);
  });

  it('exports exactly what the browser entry exports, and no plotting (that is mbe-snn-plot.js)', async () => {
    const entry = Object.keys(await import('../../src/index.js')).sort();
    for (const file of files.values()) expect([...file.exports].sort()).toEqual(entry);
    expect(entry).not.toContain('linePlot');
    expect(entry).not.toContain('gridPlot');
    const sources = (JSON.parse(files.get('mbe-snn.js')!.map) as { sources: string[] }).sources;
    expect(sources.filter((s) => s.includes('src/plot/'))).toEqual([]);
  });

  it(`stays within its size budget (${GZIP_BUDGET_BYTES} bytes gzipped, ${MIN_BUDGET_BYTES} minified)`, () => {
    expectWithinBudget('mbe-snn.min.js', files.get('mbe-snn.min.js')!.code, GZIP_BUDGET_BYTES, MIN_BUDGET_BYTES);
  });

  it('bundles in @huggingface/tokenizers with hfTokenizer: one self-contained chunk, within budget, that tokenizes', async () => {
    await inTemporaryDir('mbe-snn-bundle-', async (dir) => {
      // the browser entry plus hfTokenizer, as src/index.ts exports it once src/io/index.ts does
      const src = relative(dir, fileURLToPath(new URL('../../src/', import.meta.url)))
        .split(sep)
        .join('/');
      await writeFile(
        join(dir, 'entry.ts'),
        `export * from '${src}/index.js';\nexport { hfTokenizer } from '${src}/io/hf/tokenizer.js';\n`,
      );
      const withTokenizer = await buildBrowserBundle(join(dir, 'entry.ts'));
      expectSelfContained(withTokenizer);
      const sources = (JSON.parse(withTokenizer.get('mbe-snn.js')!.map) as { sources: string[] }).sources;
      expect(sources.some((s) => s.endsWith('node_modules/@huggingface/tokenizers/dist/tokenizers.mjs'))).toBe(true);
      const min = withTokenizer.get('mbe-snn.min.js')!;
      expectWithinBudget('mbe-snn.min.js with hfTokenizer', min.code, GZIP_BUDGET_BYTES, MIN_BUDGET_BYTES);

      const file = join(dir, 'mbe-snn.min.mjs');
      await writeFile(file, min.code);
      await writeFile(join(dir, 'mbe-snn.min.js.map'), min.map);
      const bundled = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
        hfTokenizer: typeof hfTokenizer;
      };
      const tokenizer = bundled.hfTokenizer(BERT_FILES, 'bert');
      expect(tokenizer.encodePair(BERT_TEXT, 'the world')).toEqual(
        hfTokenizer(BERT_FILES, 'bert').encodePair(BERT_TEXT, 'the world'),
      );
      expect(tokenizer.encode(BERT_TEXT)).toEqual(BERT_IDS);
      if (missingChromium) {
        console.warn(`bundle.test.ts: the tokenizer in Chromium skipped, ${missingChromium}`);
      } else {
        expect(await tokenizeInChromium(min.code)).toEqual(BERT_IDS);
      }
    });
  });

  it('fails the build on a bare import of any other package', async () => {
    await inTemporaryDir('mbe-snn-bundle-', async (dir) => {
      await writeFile(join(dir, 'entry.ts'), "export { count } from './count.js';\n");
      await writeFile(
        join(dir, 'count.ts'),
        "import { encode } from 'gpt-tokenizer';\nexport const count = (t: string): number => encode(t).length;\n",
      );
      await expect(buildBrowserBundle(join(dir, 'entry.ts'))).rejects.toThrow(
        /the bare module "gpt-tokenizer" is imported by .*count\.ts, .*the bundle takes in only @huggingface\/tokenizers/,
      );
    });
  });

  it('fails the build when a module reachable from the entry imports a Node built-in', async () => {
    await inTemporaryDir('mbe-snn-bundle-', async (dir) => {
      await writeFile(join(dir, 'entry.ts'), "export { size } from './reader.js';\n");
      await writeFile(
        join(dir, 'reader.ts'),
        "import { statSync } from 'node:fs';\nexport const size = (f: string): number => statSync(f).size;\n",
      );
      await expect(buildBrowserBundle(join(dir, 'entry.ts'))).rejects.toThrow(
        /Node built-in "node:fs" is imported by .*reader\.ts/,
      );
      await writeFile(join(dir, 'reader.ts'), "import { join } from 'path';\nexport const size = join;\n");
      await expect(buildBrowserBundle(join(dir, 'entry.ts'))).rejects.toThrow(/Node built-in "path"/);
    });
  });
});

describe('browser plot bundle', () => {
  it('builds dist/browser/mbe-snn-plot.js and mbe-snn-plot.min.js, each one self-contained chunk with a source map', () => {
    expect([...plotFiles.keys()].sort()).toEqual(['mbe-snn-plot.js', 'mbe-snn-plot.min.js']);
    expectSelfContained(plotFiles);
  });

  it('exports exactly what the mbe-snn/plot entry exports, and none of the library', async () => {
    const entry = Object.keys(await import('../../src/plot/index.js')).sort();
    expect(entry).toEqual(['PALETTE', 'frontierSvg', 'gridPlot', 'linePlot']);
    for (const file of plotFiles.values()) expect([...file.exports].sort()).toEqual(entry);
    // Only src/plot/ and the leaves it may import (the error classes it throws): no wasm, no neuron table, no library.
    const sources = (JSON.parse(plotFiles.get('mbe-snn-plot.js')!.map) as { sources: string[] }).sources.map((s) =>
      s.replace(/^(\.\.\/)+/, ''),
    );
    expect(sources).toContain('src/plot/svg.ts');
    for (const source of sources) expect(source).toMatch(/^src\/(plot\/[\w-]+|errors|random|version)\.ts$/);
  });

  it(`stays within its size budget (${PLOT_GZIP_BUDGET_BYTES} bytes gzipped, ${PLOT_MIN_BUDGET_BYTES} minified)`, () => {
    const min = plotFiles.get('mbe-snn-plot.min.js')!.code;
    expectWithinBudget('mbe-snn-plot.min.js', min, PLOT_GZIP_BUDGET_BYTES, PLOT_MIN_BUDGET_BYTES);
  });

  it('renders the same SVG as the source module', async () => {
    const { linePlot } = await import('../../src/plot/index.js');
    await inTemporaryDir('mbe-snn-plot-bundle-', async (dir) => {
      const file = join(dir, 'mbe-snn-plot.min.mjs');
      const min = plotFiles.get('mbe-snn-plot.min.js')!;
      await writeFile(file, min.code);
      await writeFile(join(dir, 'mbe-snn-plot.min.js.map'), min.map); // the code's sourceMappingURL
      const bundled = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { linePlot: typeof linePlot };
      const options: LinePlotOptions = {
        title: 'x² & <friends>',
        xLabel: 'x',
        yLabel: 'y',
        series: [{ label: 'x²', points: [0, 0.5, 1, 1.5, 2].map((x) => [x, x * x] as const), markers: true }],
      };
      expect(bundled.linePlot(options)).toBe(linePlot(options));
    });
  });

  it('fails the build when a module reachable from its entry imports a Node built-in (the same guard)', async () => {
    await inTemporaryDir('mbe-snn-plot-bundle-', async (dir) => {
      await writeFile(join(dir, 'entry.ts'), "export { save } from './save.js';\n");
      await writeFile(
        join(dir, 'save.ts'),
        "import { writeFileSync } from 'node:fs';\nexport const save = (f: string): void => writeFileSync(f, '');\n",
      );
      await expect(buildEntry('src/plot/index.ts', join(dir, 'entry.ts'))).rejects.toThrow(
        /Node built-in "node:fs" is imported by .*save\.ts, which is reachable from the browser entry .*entry\.ts/,
      );
    });
  });
});
