import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NeuronEntry } from '../../src/neurons/entry.js';
import { cli } from '../helpers/cli.js';

describe('mbe-snn help', () => {
  it("lists the commands; `help <command>` prints that command's --help", async () => {
    const [all, fit, flag] = await Promise.all([cli('help'), cli('help', 'fit'), cli('fit', '--help')]);
    expect(all.stdout).toMatch(/^Commands:\n {2}eval /m);
    expect(fit.code).toBe(0);
    expect(fit.stdout).toMatch(/^Usage: mbe-snn fit <function>/);
    expect(fit.stdout).toBe(flag.stdout);
  });
});

describe('mbe-snn fit', () => {
  it('prints the held-out errors and writes the table entry', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'mbe-snn-cli-')), 'silu.json');
    const result = await cli(
      'fit',
      'silu',
      '--T',
      '8',
      '--domain',
      '-4,4',
      '--epochs',
      '20',
      '--seeds',
      '1',
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/silu \(SiLU/);
    expect(result.stdout).toMatch(/mbe neuron, N = 4, T = 8, domain \[-4, 4\]/);
    expect(result.stdout).toMatch(/held-out MSE \d\.\d+e-\d+, max \|error\|/);
    const entry = JSON.parse(await readFile(out, 'utf8')) as NeuronEntry;
    expect(entry.target).toBe('silu');
    expect(entry.domain).toEqual([-4, 4]);
    expect(entry.neuron.kind).toBe('mbe');
  }, 60_000);

  it('rejects bad options with a clear message and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['fit', 'gelu'], /--T is required/],
      [['fit', 'gelu', '--T', '0'], /--T must be an integer in \[1, 32\], got "0"/],
      [['fit', 'gelu', '--T', '8', '--N', '12'], /--N must be an integer in \[1, 8\], got "12"/],
      [['fit', 'gelu', '--T', '8', '--domain', '5,1'], /--domain must be an interval with a < b, got "5,1"/],
      [['fit', 'gelu', '--T', '8', '--domain', '1,1'], /--domain must be an interval with a < b/],
      [['fit', 'gelu', '--T', '8', '--domain', 'NaN,1'], /--domain must be two finite numbers/],
      [['fit', 'gelu', '--T', '8', '--variant', 'lif'], /--variant must be one of/],
      [['fit', 'cosh', '--T', '8'], /unknown target function "cosh"/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  }, 60_000);
});

describe('mbe-snn neurons', () => {
  it('lists the shipped table with errors', async () => {
    const result = await cli('neurons');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/function\s+neuron\s+N\s+T\s+domain\s+held-out MSE\s+max \|error\|/);
    expect(result.stdout).toMatch(/gelu\s+mbe\s+4\s+16\s+\[-120, 10\]\s+\d\.\d+e-\d+/);
    expect(result.stdout).toMatch(/rsqrt\s+mbe\s+8\s+16\s+\[0\.5, 2\]/);
    expect(Number(/(\d+) neurons/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(40);
  });
});
