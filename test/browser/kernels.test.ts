// Every kernel in real headless Chromium, on the bundle, against the same calls in Node.
//
// The page (web/kernel-test.html) loads dist/browser/mbe-snn.min.js (built here, in memory, from
// rollup.config.mjs) and runs web/kernel-suite.js under every wasm build Chromium validates; this test runs
// the same suite in Node on the sources and compares output by output, as raw 32-bit patterns:
// bit-identical everywhere except the relaxed build's packed gemm, whose fused multiply-add may be fused
// differently by another engine, held within a tolerance instead. Skipped where /usr/bin/chromium is absent
// (failing instead under CI=true).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type HeadlessChromium } from '../../scripts/chromium.js';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import { describeRequiring } from '../helpers/requirements.js';
import { buildBrowserBundle } from './bundle.js';

interface CaseOutput {
  /** Fingerprint of the case's inputs. */
  readonly input: string;
  readonly kind: 'f32' | 'i32' | 'u32';
  /** Raw 32-bit patterns. */
  readonly bits: number[];
}
interface SuiteResult {
  readonly supported: string[];
  readonly best: string;
  readonly results: Record<string, { readonly ms: number; readonly cases: Record<string, CaseOutput> }>;
}
interface SuiteModule {
  runKernelSuite(lib: unknown, variants?: readonly string[]): Promise<SuiteResult>;
}
type PageState = { status: 'done'; result: SuiteResult; userAgent: string } | { status: 'error'; message: string };

const SCREENSHOT = fileURLToPath(new URL('../../test-results/browser/kernel-test.png', import.meta.url));
// Skipped without Chromium, failing instead under CI=true (test/helpers/requirements.ts).
const missing = chromiumMissing();

/** Packed gemm in the relaxed build: the only output allowed to differ between engines. */
const isRelaxedGemm = (variant: string, name: string) => variant === 'relaxed' && /^gemm \d/.test(name);

/** The tolerance for a relaxed gemm output (M x K x N): K f32 roundings of partial sums of size ~sqrt(K). */
function gemmTolerance(name: string): number {
  const K = Number(/^gemm \d+x(\d+)x/.exec(name)?.[1] ?? NaN);
  return Math.max(K, 8) * 2 ** -22;
}

function asFloats(bits: readonly number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

/** The first differing element of two bit-pattern arrays, described, or undefined when identical. */
function firstDifference(kind: CaseOutput['kind'], a: readonly number[], b: readonly number[]): string | undefined {
  if (a.length !== b.length) return `lengths differ: ${a.length} vs ${b.length}`;
  const i = a.findIndex((v, j) => v !== b[j]);
  if (i < 0) return undefined;
  const show = (v: number) =>
    kind === 'f32' ? `${asFloats([v])[0]} (0x${v.toString(16)})` : kind === 'i32' ? String(v | 0) : String(v);
  const count = a.filter((v, j) => v !== b[j]).length;
  return `${count} of ${a.length} differ; first at [${i}]: Chromium ${show(a[i]!)}, Node ${show(b[i]!)}`;
}

describeRequiring(
  'kernels in headless Chromium',
  missing, // skipped with the reason, failing under CI=true
  () => {
    let server: StaticServer;
    let browser: HeadlessChromium;
    let page: Page;
    let pageErrors: string[];
    let state: PageState;
    let node: SuiteResult;

    beforeAll(async () => {
      const bundle = await buildBrowserBundle();
      const files = new Map<string, string>();
      for (const [name, file] of bundle) {
        files.set(`/dist/browser/${name}`, file.code);
        files.set(`/dist/browser/${name}.map`, file.map);
      }
      server = await startStaticServer({ files });
      browser = await launchChromium();
      ({ page, errors: pageErrors } = await browser.newPage());
      await page.goto(`${server.origin}/web/kernel-test.html`);
      await page.waitForFunction(() => 'kernelTest' in window, undefined, { timeout: 30_000 });
      state = (await page.evaluate(() => (window as unknown as { kernelTest: unknown }).kernelTest)) as PageState;
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      const suitePath = new URL('../../web/kernel-suite.js', import.meta.url).href;
      const suite = (await import(/* @vite-ignore */ suitePath)) as SuiteModule;
      node = await suite.runKernelSuite(await import('../../src/index.js'));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('the page loads the bundle and runs the suite without errors', () => {
      expect(state.status === 'error' ? state.message : state.status).toBe('done');
      expect(pageErrors).toEqual([]);
      expect(state.status === 'done' && state.userAgent).toMatch(/HeadlessChrome|Chrome/);
    });

    it('Chromium validates every wasm build, relaxed SIMD included, and picks relaxed', () => {
      if (state.status !== 'done') throw new Error('the page failed');
      expect(state.result.supported).toEqual(['relaxed', 'simd', 'scalar']);
      expect(state.result.best).toBe('relaxed');
      expect(Object.keys(state.result.results)).toEqual(['relaxed', 'simd', 'scalar']);
    });

    it('every output matches Node: bit-identical, relaxed gemm within its tolerance', () => {
      if (state.status !== 'done') throw new Error('the page failed');
      const failures: string[] = [];
      const notes: string[] = [];
      let compared = 0;
      for (const variant of node.supported) {
        const inBrowser = state.result.results[variant]?.cases;
        const inNode = node.results[variant]!.cases;
        if (!inBrowser) {
          failures.push(`${variant}: not run in Chromium`);
          continue;
        }
        expect(Object.keys(inBrowser)).toEqual(Object.keys(inNode));
        for (const [name, expected] of Object.entries(inNode)) {
          const actual = inBrowser[name]!;
          compared++;
          if (actual.input !== expected.input) {
            failures.push(`${variant} ${name}: inputs differ (${actual.input} vs ${expected.input})`);
            continue;
          }
          const difference = firstDifference(expected.kind, actual.bits, expected.bits);
          if (difference === undefined) continue;
          if (!isRelaxedGemm(variant, name)) {
            failures.push(`${variant} ${name}: ${difference}`);
            continue;
          }
          const a = asFloats(actual.bits);
          const b = asFloats(expected.bits);
          const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
          const tolerance = gemmTolerance(name);
          notes.push(`${variant} ${name}: ${difference}; max |diff| ${maxDiff.toExponential(2)}`);
          if (!(maxDiff <= tolerance)) failures.push(`${variant} ${name}: max |diff| ${maxDiff} > ${tolerance}`);
        }
      }
      console.log(
        `Chromium ${browser.version} vs Node ${process.version}: ${compared} outputs compared, ` +
          `${compared - notes.length - failures.length} bit-identical` +
          (notes.length > 0 ? `; relaxed gemm within tolerance:\n  ${notes.join('\n  ')}` : ''),
      );
      expect(failures).toEqual([]);
      // three builds in Node (vitest runs with --experimental-wasm-relaxed-simd), 34 outputs each
      expect(node.supported).toEqual(['relaxed', 'simd', 'scalar']);
      expect(compared).toBe(3 * 34);
    });

    it('the builds agree with each other in Chromium as they do in Node (outside relaxed gemm)', () => {
      if (state.status !== 'done') throw new Error('the page failed');
      const { scalar, simd, relaxed } = state.result.results;
      for (const [name, reference] of Object.entries(scalar!.cases)) {
        expect(simd!.cases[name]!.bits, `simd ${name}`).toEqual(reference.bits);
        if (!isRelaxedGemm('relaxed', name))
          expect(relaxed!.cases[name]!.bits, `relaxed ${name}`).toEqual(reference.bits);
      }
    });
  },
);
