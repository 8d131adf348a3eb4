import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
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

describe('package', () => {
  it('VERSION equals package.json version', async () => {
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('nothing reachable from the browser entry imports a Node built-in or a dependency', async () => {
    const seen = new Set<string>();
    const pending = [new URL('src/index.ts', root)];
    const external: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file.href)) continue;
      seen.add(file.href);
      const imports = await importsOf(file);
      external.push(...imports.external.map((s) => `${file.pathname.replace(root.pathname, '')}: ${s}`));
      pending.push(...imports.local);
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(external).toEqual([]);
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
    expect((failure as { stderr: string }).stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage: mbe-snn/);
  });
});
