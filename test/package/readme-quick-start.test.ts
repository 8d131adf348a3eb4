// The README's quick start, executed: the set-up commands are the ones CI runs, and the main job and the commands
// after it run and print what the README shows. If this fails, the README is wrong.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';
import { codeBlocks, README, type Block } from '../helpers/readme.js';

const root = new URL('../../', import.meta.url);
const run = promisify(execFile);
const quickStart = codeBlocks(README).filter((b) => b.section === 'Quick start');

/** The `npx mbe-snn ...` commands of a shell block, as argument lists (comments dropped). */
function commands(block: Block): string[][] {
  return block.code
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.startsWith('npx mbe-snn'))
    .map((l) => l.split(/\s+/).slice(2));
}

describe('README quick start', () => {
  it('has the set-up commands CI runs, then the main job with no arguments, then its output', () => {
    expect(quickStart.map((b) => b.lang)).toEqual(['sh', 'sh', 'text', 'sh']);
    expect(quickStart[0]!.code).toMatch(/^npm install\b.*\nnpm test\b/);
    expect(commands(quickStart[1]!)).toEqual([['eval']]);
  });

  it('`npx mbe-snn` runs in the clone itself (the built bin is executable)', async () => {
    // the figures below run the sources; this runs what `npx mbe-snn` finds: the build npm install made
    const { stdout } = await run('npx', ['--no', '--', 'mbe-snn', '--version'], { cwd: fileURLToPath(root) });
    expect(stdout.trim()).toBe(VERSION);
  }, 60_000);

  it('`npx mbe-snn eval` prints the figures the README shows', async () => {
    const result = await runCli(['eval']);
    expect(result.code, result.stderr).toBe(0);
    // exactly these lines (seeded samples, deterministic kernels), then the report's head and the energy report
    for (const line of quickStart[2]!.code.split('\n')) expect(result.stdout).toContain(line);
    expect(result.stdout).toMatch(/^Calibration: 8 sequences \(\d+ tokens\) sampled from the float model itself/m);
    expect(result.stdout).toMatch(/Energy \(Eq\. 14\): E_SNN \/ E_ANN = .* = \d+\.\d\d%/);
    expect(result.stdout).toMatch(/E_AC = 0\.9 pJ, E_MAC = 4\.6 pJ/);
  }, 240_000);

  it('the commands under "What to run next" run', async () => {
    const next = commands(quickStart[3]!);
    expect(next.length).toBeGreaterThanOrEqual(3);
    const results = await Promise.all(next.map((args) => runCli(args)));
    results.forEach((result, i) => expect(result.code, `mbe-snn ${next[i]!.join(' ')}: ${result.stderr}`).toBe(0));
  }, 240_000);
});
