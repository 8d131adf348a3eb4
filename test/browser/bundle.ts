// Builds the browser bundle in memory with the project's rollup.config.mjs (the same options `npm run
// build:browser` writes to dist/browser/), so the browser tests never run a stale dist/.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup, type MergedRollupOptions } from 'rollup';
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

/** The configurations of rollup.config.mjs, in its order. */
export async function rollupConfigurations(): Promise<MergedRollupOptions[]> {
  return (await loadConfigFile(CONFIG, {})).options;
}

/**
 * The outputs of one rollup.config.mjs configuration by file name (each output's one self-contained chunk,
 * named as its `file`), built in memory; `input` replaces the entry.
 */
export async function buildConfiguration(
  config: MergedRollupOptions,
  input?: string,
): Promise<Map<string, BundleFile>> {
  const bundle = await rollup(input === undefined ? config : { ...config, input });
  try {
    const files = new Map<string, BundleFile>();
    for (const output of config.output) {
      const chunks = (await bundle.generate(output)).output.filter((file) => file.type === 'chunk');
      const chunk = chunks[0];
      if (chunks.length !== 1 || !chunk) throw new Error(`expected one self-contained chunk, got ${chunks.length}`);
      if (output.file !== undefined && chunk.fileName !== basename(output.file)) {
        throw new Error(`the chunk is ${chunk.fileName}, the output ${output.file}`);
      }
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

/**
 * The outputs of rollup.config.mjs's first configuration, the library's, by file name ('mbe-snn.js',
 * 'mbe-snn.min.js'); `input` replaces the entry (to show what the config does with a module that imports Node
 * built-ins).
 */
export async function buildBrowserBundle(input?: string): Promise<Map<string, BundleFile>> {
  const [library] = await rollupConfigurations();
  return buildConfiguration(library!, input);
}
