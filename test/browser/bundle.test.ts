// The browser bundle (rollup.config.mjs): self-contained, the same exports as the entry, within its size
// budget, and a build that fails when Node-only code becomes reachable from the browser entry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBrowserBundle, type BundleFile } from './bundle.js';

/**
 * Budget for dist/browser/mbe-snn.min.js, gzipped (zlib level 9): 80,000 bytes, about 25% above the 64.4 KB
 * measured when it was set. Of that, ~27 KB is the shipped neuron table (86 entries, 94 KB of minified
 * JSON; with the earlier 40-entry table the bundle was 52.2 KB), ~7 KB the three embedded wasm builds and
 * the rest the library code. Raise it deliberately, with the reason, when the library grows.
 */
const GZIP_BUDGET_BYTES = 80_000;
/** The same bundle uncompressed: 192.9 KB measured, budget about +25%. */
const MIN_BUDGET_BYTES = 240_000;

let files: Map<string, BundleFile>;

beforeAll(async () => {
  files = await buildBrowserBundle();
}, 60_000);

describe('browser bundle', () => {
  it('builds dist/browser/mbe-snn.js and mbe-snn.min.js, each one self-contained chunk with a source map', () => {
    expect([...files.keys()].sort()).toEqual(['mbe-snn.js', 'mbe-snn.min.js']);
    for (const [name, file] of files) {
      expect(file.imports, `${name} imports`).toEqual([]);
      expect(file.code).not.toMatch(/\bfrom\s*["']node:|import\(\s*["']node:/);
      expect(JSON.parse(file.map)).toHaveProperty('mappings');
    }
  });

  it('exports exactly what the browser entry exports', async () => {
    const entry = Object.keys(await import('../../src/index.js')).sort();
    for (const file of files.values()) expect([...file.exports].sort()).toEqual(entry);
  });

  it(`stays within its size budget (${GZIP_BUDGET_BYTES} bytes gzipped, ${MIN_BUDGET_BYTES} minified)`, () => {
    const min = files.get('mbe-snn.min.js')!.code;
    const raw = Buffer.byteLength(min);
    const gzipped = gzipSync(min, { level: 9 }).length;
    console.log(
      `dist/browser/mbe-snn.min.js: ${raw} bytes, ${gzipped} bytes gzipped ` +
        `(budget ${GZIP_BUDGET_BYTES}, ${((100 * gzipped) / GZIP_BUDGET_BYTES).toFixed(0)}% used)`,
    );
    expect(gzipped, 'gzipped size of mbe-snn.min.js').toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
    expect(raw, 'size of mbe-snn.min.js').toBeLessThanOrEqual(MIN_BUDGET_BYTES);
  });

  it('fails the build when a module reachable from the entry imports a Node built-in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbe-snn-bundle-'));
    try {
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
