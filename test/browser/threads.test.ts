// Kernel threads in real headless Chromium, on the bundle: on a cross-origin-isolated page (COOP/COEP headers)
// the kernels start Web Workers on a shared memory and give the one-thread bits under every build; on a page
// that is not isolated they run on one thread and warn why. The page's main thread cannot block in
// Atomics.wait, so this also runs the pool's spinning wait. Skipped where /usr/bin/chromium is absent (failing
// instead under CI=true).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type HeadlessChromium } from '../../scripts/chromium.js';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import { describeRequiring } from '../helpers/requirements.js';
import { buildBrowserBundle } from './bundle.js';

/**
 * The page: loads the bundle and defines compareThreads(threads), which runs one- and many-thread kernels on the
 * same deterministic inputs and compares them bit for bit. Plain JavaScript, so no test transform reaches it.
 */
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>threads</title><link rel="icon" href="data:,"></head><body>
<script type="module">
import * as lib from '/dist/browser/mbe-snn.min.js';
window.compareThreads = async function (threads) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.map(String).join(' '));
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const floats = (n) => Float32Array.from({ length: n }, random);
  const bits = (x) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length)).join();
  const variants = {};
  try {
    for (const variant of lib.supportedVariants()) {
      const one = await lib.loadKernels({ variant, threads: 1 });
      const many = await lib.loadKernels({ variant, threads });
      const differing = [];
      let cases = 0;
      const compare = (name, a, b) => {
        cases++;
        if (bits(a) !== bits(b)) differing.push(name);
      };
      for (const [M, K, N] of [[1, 300, 257], [5, 4100, 16], [64, 300, 250]]) {
        const w = floats(N * K); // (N, K)
        const a = floats(M * K); // (M, K)
        for (const dtype of ['f32', 'bf16']) {
          const b1 = one.packTransposed(w, K, N, { dtype });
          const bMany = many.packTransposed(w, K, N, { dtype });
          compare('gemm ' + M + 'x' + K + 'x' + N + ' ' + dtype, many.gemm(a, bMany, M), one.gemm(a, b1, M));
        }
      }
      const T = 12;
      const N = 3;
      const ramp = (scale) => Float32Array.from({ length: N * T }, (_, i) => scale * 2 ** -(i % T));
      const tables = {
        N, T, polarity: Float32Array.from([1, -1, 1]), shift: Float32Array.from([0, 0.5, -0.25]),
        vth: ramp(1), reset: ramp(1), intensity: ramp(0.9), weight: Float32Array.from([0.5, -0.25, 1]), bias: 0.125,
      };
      const x = floats(10001).map((v) => 3 * v);
      compare('membrane 10001', many.membrane(x, tables), one.membrane(x, tables));
      variants[variant] = { threads: many.threads, cases, differing };
      many.close();
    }
  } finally {
    console.warn = warn;
  }
  return { isolated: crossOriginIsolated, warnings, variants };
};
</script></body></html>`;

interface PageOutcome {
  readonly isolated: boolean;
  readonly warnings: string[];
  /** Per build: the thread count it got, the cases run, and the names of those whose bits differ from one thread. */
  readonly variants: Record<string, { threads: number; cases: number; differing: string[] }>;
}

async function comparePage(page: Page, threads: number): Promise<PageOutcome> {
  await page.waitForFunction(() => 'compareThreads' in window, undefined, { timeout: 30_000 });
  return (await page.evaluate(
    (count) => (window as unknown as { compareThreads(t: number): Promise<unknown> }).compareThreads(count),
    threads,
  )) as PageOutcome;
}

describeRequiring(
  'kernel threads in headless Chromium',
  chromiumMissing(), // skipped with the reason, failing under CI=true
  () => {
    const servers: StaticServer[] = [];
    let browser: HeadlessChromium;
    let files: Map<string, string>;

    beforeAll(async () => {
      const bundle = await buildBrowserBundle();
      files = new Map<string, string>([['/web/threads-test.html', PAGE]]);
      for (const [name, file] of bundle) files.set(`/dist/browser/${name}`, file.code);
      browser = await launchChromium();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      for (const server of servers) await server.close();
    });

    async function open(crossOriginIsolated: boolean): Promise<{ page: Page; errors: string[] }> {
      const server = await startStaticServer({ files, crossOriginIsolated });
      servers.push(server);
      const opened = await browser.newPage();
      await opened.page.goto(`${server.origin}/web/threads-test.html`);
      return opened;
    }

    it('on an isolated page, 3 threads (Web Workers) give the one-thread bits under every build', async () => {
      const { page, errors } = await open(true);
      const outcome = await comparePage(page, 3);
      expect(outcome.isolated).toBe(true);
      expect(Object.keys(outcome.variants)).toEqual(['relaxed', 'simd', 'scalar']);
      for (const [variant, { threads, cases, differing }] of Object.entries(outcome.variants)) {
        expect(threads, variant).toBe(3);
        expect(cases).toBe(7);
        expect(differing, variant).toEqual([]);
      }
      expect(outcome.warnings).toEqual([]);
      expect(errors).toEqual([]);
    }, 60_000);

    it('on a page that is not isolated, the kernels run on one thread and warn why', async () => {
      const { page, errors } = await open(false);
      const outcome = await comparePage(page, 2);
      expect(outcome.isolated).toBe(false);
      for (const { threads, differing } of Object.values(outcome.variants)) {
        expect(threads).toBe(1);
        expect(differing).toEqual([]);
      }
      expect(outcome.warnings[0]).toMatch(/running the kernels on one thread, not 2: .*cross-origin isolated/);
      expect(errors).toEqual([]);
    }, 60_000);
  },
);
