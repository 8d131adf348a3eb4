// The demo page in headless Chromium on the served fixtures: it converts stories260K in its worker and
// generates the same greedy text as Node, float and spiking; it classifies MNIST digits with the ViT. A
// screenshot of each run is saved under test-results/browser/. Skipped without Chromium or the fixtures.
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type HeadlessChromium } from '../../scripts/chromium.js';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import { Kernels } from '../../src/index.js';
import { fixturesDir, loadLlama2c, loadTokenizer } from '../../src/node.js';
import { llama2cTextTokenizer } from '../../src/models/llama2c.js';
import { encodeParagraphs, splitParagraphs } from '../../src/tasks/language-model.js';
import { convertLlama2c } from '../../src/tasks/llama2c.js';
import { generate } from '../../src/tasks/generate.js';
import { buildBrowserBundle } from './bundle.js';

const RESULTS = fileURLToPath(new URL('../../test-results/browser/', import.meta.url));
const fixtures = fixturesDir();
const missing =
  chromiumMissing() ?? (fixtures ? undefined : 'no fixtures folder (../shared/fixtures or $MBE_SNN_FIXTURES)');
const STEPS = 64;

interface DemoState {
  status: 'idle' | 'running' | 'done' | 'error';
  error?: string;
  result?: {
    float: { text: string; correct?: number; total?: number; predictions?: number[] };
    spiking: { text: string; correct?: number; total?: number; predictions?: number[] };
    labels?: number[];
    groups: { group: string; firingRate: number }[];
    curveSvgs: string[];
    energyText: string;
    report: string;
  };
}

async function runPage(page: Page, origin: string, query: string): Promise<DemoState> {
  await page.goto(`${origin}/web/index.html?${query}`);
  await page.waitForFunction(
    () => ['done', 'error'].includes((window as unknown as { mbeDemo: DemoState }).mbeDemo.status),
    undefined,
    { timeout: 240_000, polling: 500 },
  );
  return (await page.evaluate(() => (window as unknown as { mbeDemo: DemoState }).mbeDemo)) as DemoState;
}

describe.skipIf(missing !== undefined)(
  missing ? `demo page (skipped: ${missing})` : 'demo page in headless Chromium',
  () => {
    let server: StaticServer;
    let browser: HeadlessChromium;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      const bundle = await buildBrowserBundle();
      const files = new Map<string, string>();
      for (const [name, file] of bundle) files.set(`/dist/browser/${name}`, file.code);
      server = await startStaticServer({ files, aliases: new Map([['/fixtures/', fixtures as string]]) });
      browser = await launchChromium();
      ({ page, errors } = await browser.newPage());
      await page.setViewportSize({ width: 1200, height: 900 });
      await mkdir(RESULTS, { recursive: true });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('converts stories260K and generates the same greedy text as Node, float and spiking', async () => {
      const state = await runPage(page, server.origin, `fixtures&model=llama2c&T=16&steps=${STEPS}&autorun`);
      await page.screenshot({ path: `${RESULTS}page-llama2c.png`, fullPage: true });
      expect(state.error).toBeUndefined();
      expect(state.status).toBe('done');
      expect(errors).toEqual([]);
      // The same conversion in Node: the text's paragraphs 300-307 as calibration, T = 16, shipped neurons.
      const dir = fixtures as string;
      const checkpoint = await loadLlama2c(`${dir}/llama2c/stories260K.bin`);
      const tokenizer = llama2cTextTokenizer(
        await loadTokenizer(`${dir}/llama2c/tok512.bin`, checkpoint.config.vocabSize),
      );
      const text = await readFile(`${dir}/text/tinystories_valid_part1.txt`, 'utf8');
      const calibration = encodeParagraphs(tokenizer, splitParagraphs(text).slice(300, 308));
      const kernels = await Kernels.load();
      const conversion = convertLlama2c(kernels, checkpoint, calibration, { spiking: { T: 16, activationBases: 4 } });
      const float = generate(conversion.float, tokenizer, { steps: STEPS });
      const spiking = generate(conversion.spiking, tokenizer, { steps: STEPS });
      expect(state.result!.float.text).toBe(float.text);
      expect(state.result!.spiking.text).toBe(spiking.text);
      expect(state.result!.groups.map((g) => g.group)).toEqual([
        'layer0',
        'layer1',
        'layer2',
        'layer3',
        'layer4',
        'final',
      ]);
      expect(state.result!.curveSvgs.length).toBeGreaterThanOrEqual(3);
      expect(state.result!.energyText).toMatch(/E_AC = 0\.9 pJ, E_MAC = 4\.6 pJ/);
      expect(await page.locator('#spikingRate').textContent()).toMatch(/tokens\/s/);
    }, 300_000);

    it('classifies MNIST digits with the float and the spiking ViT and draws them', async () => {
      const state = await runPage(page, server.origin, 'fixtures&model=vit&T=12&imageCount=24&autorun');
      await page.screenshot({ path: `${RESULTS}page-vit.png`, fullPage: true });
      expect(state.error).toBeUndefined();
      expect(state.status).toBe('done');
      const { float, spiking, labels } = state.result!;
      expect(float.total).toBe(24);
      expect(labels!.length).toBe(24);
      const agree = spiking.predictions!.filter((p, i) => p === float.predictions![i]).length;
      expect(agree).toBeGreaterThanOrEqual(23);
      expect(await page.locator('.digit canvas').count()).toBe(24);
    }, 300_000);
  },
);
