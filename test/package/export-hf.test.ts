import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';

/** The float model's text in generate's output: the lines after its "float model (...):" header. */
function floatText(stdout: string): string {
  const match = /^float model \([^)]*\):\n([\s\S]*?)\n\n/m.exec(stdout);
  if (!match) throw new Error(`no float model text in:\n${stdout}`);
  return match[1]!;
}

/** eval's float perplexity and the number of tokens it scored. */
function evalFigures(stdout: string): { float: string; tokens: string } {
  const float = /float perplexity\s+(\d+\.\d+)/.exec(stdout)?.[1];
  const tokens = /(\d+) tokens scored over 4 paragraphs/.exec(stdout)?.[1];
  if (float === undefined || tokens === undefined) throw new Error(`no perplexity in:\n${stdout}`);
  return { float, tokens };
}

describeFixtures('mbe-snn export-hf --tokenizer', () => {
  let folder = '';
  beforeAll(async () => {
    folder = join(await mkdtemp(join(tmpdir(), 'mbe-snn-export-hf-')), 'stories260K');
    const result = await cli(
      'export-hf',
      fixture('llama2c', 'stories260K.bin'),
      folder,
      '--tokenizer',
      fixture('llama2c', 'tok512.bin'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/tokenizer\.json, .*tokenizer_config\.json \(\d+ tensors; 512 tokens, \d+ merges\)/);
  }, 30_000);

  it('writes a folder that reads text as the llama2.c model does: generate and eval agree', async () => {
    expect((await readdir(folder)).sort()).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const config = JSON.parse(await readFile(join(folder, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ bos_token: '<s>', eos_token: '</s>', tokenizer_class: 'LlamaTokenizer' });

    const text = fixture('text', 'tinystories_valid_part1.txt');
    // with no text, both calibrate and evaluate on their own samples: the same samples, the same figures
    const samples = ['--T', '8', '--limit', '2', '--calibration', '2', '--sample-tokens', '64'];
    const [hfGenerate, llama2cGenerate, hfEval, llama2cEval, hfSamples, embeddedSamples] = await Promise.all([
      cli('generate', folder, '--steps', '32'),
      cli('generate', 'llama2c', '--steps', '32'),
      cli('eval', folder, '--T', '8', '--limit', '4', '--text', text),
      cli('eval', 'llama2c', '--T', '8', '--limit', '4'),
      cli('eval', folder, ...samples),
      cli('eval', 'stories260K', ...samples),
    ]);
    for (const result of [hfGenerate, llama2cGenerate, hfEval, llama2cEval, hfSamples, embeddedSamples]) {
      expect(result.code, result.stderr).toBe(0);
    }
    const story = floatText(hfGenerate.stdout);
    expect(story).toMatch(/^Once upon a time/);
    expect(story).toBe(floatText(llama2cGenerate.stdout));
    expect(hfEval.stdout).toMatch(/^llama: /);
    expect(evalFigures(hfEval.stdout)).toEqual(evalFigures(llama2cEval.stdout));
    const sampleFigures = (stdout: string) =>
      stdout.split('\n').filter((l) => /on the samples|top-1 agreement/.test(l));
    expect(sampleFigures(hfSamples.stdout)).toHaveLength(3);
    expect(sampleFigures(hfSamples.stdout)).toEqual(sampleFigures(embeddedSamples.stdout));
  }, 120_000);

  it('reads the tokenizer before writing anything, and names a missing one', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'mbe-snn-export-hf-')), 'none');
    const result = await cli(
      'export-hf',
      fixture('llama2c', 'stories260K.bin'),
      out,
      '--tokenizer',
      join(out, 'missing.bin'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing\.bin: no such file/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
