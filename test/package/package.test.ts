import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/index.js';

const root = new URL('../../', import.meta.url);
const run = promisify(execFile);

/** Relative imports of a TypeScript file, resolved to .ts paths, plus its bare/`node:` specifiers. */
async function importsOf(file: URL): Promise<{ local: URL[]; external: string[] }> {
  const source = await readFile(file, 'utf8');
  const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map(
    (m) => m[1] as string,
  );
  const local = specifiers.filter((s) => s.startsWith('.')).map((s) => new URL(s.replace(/\.js$/, '.ts'), file));
  return { local, external: specifiers.filter((s) => !s.startsWith('.')) };
}

/** Every TypeScript file reachable from `entry` by relative imports (repository paths), and its external imports. */
async function reachableFrom(entry: string): Promise<{ files: string[]; external: string[] }> {
  const seen = new Set<string>();
  const pending = [new URL(entry, root)];
  const external: string[] = [];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file.href)) continue;
    seen.add(file.href);
    const imports = await importsOf(file);
    external.push(...imports.external.map((s) => `${file.pathname.replace(root.pathname, '')}: ${s}`));
    pending.push(...imports.local);
  }
  return { files: [...seen].map((href) => href.replace(root.href, '')).sort(), external };
}

/** The package's entry points, pinned: `mbe-snn`, `mbe-snn/node`, `mbe-snn/plot` and `mbe-snn/stories260K`, each built by tsc. */
const ENTRIES: Record<string, { types: string; default: string }> = {
  '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' },
  './node': { types: './dist/src/node.d.ts', default: './dist/src/node.js' },
  './plot': { types: './dist/src/plot/index.d.ts', default: './dist/src/plot/index.js' },
  './stories260K': {
    types: './dist/src/io/embedded/stories260K.d.ts',
    default: './dist/src/io/embedded/stories260K.js',
  },
};

describe('package', () => {
  it('VERSION equals package.json version', async () => {
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('nothing reachable from the browser entry imports a Node built-in, the plotting, or a dependency but the tokenizers', async () => {
    const { files, external } = await reachableFrom('src/index.ts');
    expect(files.length).toBeGreaterThan(5);
    // The one runtime dependency: Hugging Face's pure-JS tokenizers, bundled into the browser build.
    expect(external).toEqual(['src/io/hf/tokenizer.ts: @huggingface/tokenizers']);
    expect(files.filter((f) => f.startsWith('src/plot/'))).toEqual([]);
  });

  it('the exports map pins the entries, and tsc (tsconfig.build.json) builds each from its source', async () => {
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(pkg.exports).toEqual({ ...ENTRIES, './package.json': './package.json' });
    const config = fileURLToPath(new URL('tsconfig.build.json', root));
    const parsed = ts.getParsedCommandLineOfConfigFile(
      config,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    )!;
    const built = new Set(parsed.fileNames.map((f) => f.replace(fileURLToPath(root), '')));
    for (const [name, entry] of Object.entries(ENTRIES)) {
      // ./dist/src/plot/index.js is tsc's output (outDir dist, rootDir .) for src/plot/index.ts.
      const source = entry.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
      expect(built.has(source), `${name}: ${source} is compiled by tsconfig.build.json`).toBe(true);
      expect(entry.types).toBe(entry.default.replace(/\.js$/, '.d.ts'));
    }
  });

  it('the mbe-snn/plot entry reaches only src/plot/ and the leaves, and nothing external', async () => {
    const { files, external } = await reachableFrom('src/plot/index.ts');
    expect(external).toEqual([]);
    expect(files).toContain('src/plot/svg.ts');
    for (const file of files) expect(file).toMatch(/^src\/(plot\/[\w-]+|errors|random|version)\.ts$/);
    const plot = await import('../../src/plot/index.js');
    expect(Object.keys(plot).sort()).toEqual(['PALETTE', 'frontierSvg', 'gridPlot', 'linePlot']);
  });

  it('the mbe-snn/stories260K entry is the upstream files, with their MIT licence, and nothing else', async () => {
    const { files, external } = await reachableFrom('src/io/embedded/stories260K.ts');
    expect(external).toEqual([]);
    expect(files).toEqual(['src/io/embedded/generated/stories260K.ts', 'src/io/embedded/stories260K.ts']);
    const { stories260K } = await import('../../src/io/embedded/stories260K.js');
    const model = stories260K();
    const { createHash } = await import('node:crypto');
    const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    expect(sha256(model.files.get('checkpoint')!.bytes)).toBe(
      'b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696',
    );
    expect(sha256(model.files.get('tokenizer')!.bytes)).toBe(
      '037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312',
    );
    expect(model.licence).toMatch(/^MIT License$/m);
    expect(model.licence).toContain('Copyright (c) 2023 Andrej');
    // the notice ships in the package (package.json files) beside the generated module
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('src/io/embedded/stories260K/LICENSE');
  });

  it('the CLI reports the wasm builds as JSON', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'info', '--json'], {
      cwd: root,
    });
    const info = JSON.parse(stdout) as { version: string; wasmBuilds: Record<string, boolean>; selected: string };
    expect(info.version).toBe(VERSION);
    expect(info.wasmBuilds.scalar).toBe(true);
    expect(info.wasmBuilds.simd).toBe(true);
    expect(['relaxed', 'simd']).toContain(info.selected); // relaxed where the runtime enables it
  });

  it('the CLI rejects an unknown command with exit code 2 and the usage', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'frobnicate'], {
      cwd: root,
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failure && failure.code).toBe(2);
    expect((failure as { stderr: string }).stderr).toMatch(
      /unknown command "frobnicate"; "mbe-snn help" lists the commands/,
    );
  });
});
