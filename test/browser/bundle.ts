// Builds the browser bundle in memory with the project's rollup.config.mjs (the same options `npm run
// build:browser` writes to dist/browser/), so the browser tests never run a stale dist/.
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { loadConfigFile } from 'rollup/loadConfigFile';

const CONFIG = fileURLToPath(new URL('../../rollup.config.mjs', import.meta.url));

export interface BundleFile {
  readonly code: string;
  /** The JSON source map. */
  readonly map: string;
  /** Names the bundle exports. */
  readonly exports: readonly string[];
  /** Modules the bundle itself imports (none: it is self-contained). */
  readonly imports: readonly string[];
}

/**
 * The outputs of rollup.config.mjs by file name ('mbe-snn.js', 'mbe-snn.min.js'); `input` replaces the entry
 * (to show what the config does with a module that imports Node built-ins).
 */
export async function buildBrowserBundle(input?: string): Promise<Map<string, BundleFile>> {
  const { options } = await loadConfigFile(CONFIG, {});
  const config = options[0]!;
  const bundle = await rollup(input === undefined ? config : { ...config, input });
  try {
    const files = new Map<string, BundleFile>();
    for (const output of config.output) {
      const chunks = (await bundle.generate(output)).output.filter((file) => file.type === 'chunk');
      const chunk = chunks[0];
      if (chunks.length !== 1 || !chunk) throw new Error(`expected one self-contained chunk, got ${chunks.length}`);
      files.set(chunk.fileName, {
        code: chunk.code,
        map: chunk.map ? chunk.map.toString() : '',
        exports: chunk.exports,
        imports: [...chunk.imports, ...chunk.dynamicImports],
      });
    }
    return files;
  } finally {
    await bundle.close();
  }
}
