// Bad command lines (issue 13): each ends with one line on stderr naming the mistake and a non-zero exit, never
// a stack trace or the help text; an --out path that cannot be written fails before any work.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { idxFile } from '../helpers/idx.js';
import { writableTensors } from '../helpers/hf-folder.js';
import { readFileBytes } from '../../src/io/node/files.js';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { writeSafetensors } from '../../src/io/safetensors-writer.js';

/** A gzipped IDX file. */
const idx = (magic: number, dims: number[], body: Uint8Array) => new Uint8Array(gzipSync(idxFile(magic, dims, body)));

async function expectOneLine(args: string[], message: RegExp): Promise<void> {
  const started = performance.now();
  const result = await cli(...args);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
  expect(lines, args.join(' ')).toHaveLength(1);
  expect(lines[0], args.join(' ')).toMatch(/^mbe-snn: /);
  expect(lines[0], args.join(' ')).toMatch(message);
  expect(lines[0]!.length).toBeLessThanOrEqual(500);
  console.log(`${args.join(' ')} -> ${lines[0]} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

describe('bad command lines', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mbe-snn-cli-errors-'));
  });

  it('unknown commands and options, missing values, bad numbers, extra arguments: one line, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command "frobnicate"; "mbe-snn help" lists the commands$/],
      [['eval', '--bogus'], /Unknown option '--bogus'.*\(see --help\)$/],
      [['eval', '--T'], /argument missing/],
      [['eval', '--T', '-1'], /--T must be an integer in \[1, 32\], got "-1"/],
      [['eval', '--T', '99'], /--T must be an integer in \[1, 32\], got "99"/],
      [['eval', 'stories260K', 'extra'], /unexpected argument "extra": eval takes at most 1 \(the model\)/],
      [['info', 'extra'], /unexpected argument "extra": info takes no arguments/],
      [['fit', 'gelu', 'silu', '--T', '8'], /unexpected argument "silu": fit takes at most 1/],
      [['eval', 'no/such/model'], /the model must be a model folder or file, "stories260K" or one of/],
      [['eval', 'package.json'], /^mbe-snn: package\.json: not a checkpoint of vit, lenet5, resnet, vgg \(a llama2\.c/],
      [['eval', '--energy', 'fp64'], /--energy must be one of fp32, fp16, int8, got "fp64"$/],
    ];
    for (const [args, message] of cases) await expectOneLine(args, message);
  }, 120_000);

  it('--out that cannot be written fails at once, before the evaluation or the fit', async () => {
    await expectOneLine(['eval', '--out', dir], /--out .*: is a directory$/);
    await expectOneLine(['eval', '--out', join(dir, 'missing', 'x.json')], /its directory does not exist$/);
    await expectOneLine(['fit', 'gelu', '--T', '8', '--out', dir], /--out .*: is a directory$/);
  }, 60_000);
});

describeFixtures('IDX data that does not fit the model', () => {
  it('images of another aspect ratio and labels past the class count are named, not evaluated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbe-snn-idx-'));
    const [images, flat, labels, badLabels] = ['i.gz', 'flat.gz', 'l.gz', 'bad.gz'].map((f) => join(dir, f));
    await writeFile(images!, idx(0x803, [4, 28, 28], new Uint8Array(4 * 784)));
    await writeFile(flat!, idx(0x803, [4, 784, 1], new Uint8Array(4 * 784)));
    await writeFile(labels!, idx(0x801, [4], Uint8Array.of(0, 1, 2, 3)));
    await writeFile(badLabels!, idx(0x801, [4], Uint8Array.of(0, 1, 12, 3)));
    const model = ['eval', 'vit', '--model', fixture('vit', 'vit_mnist.safetensors')];
    await expectOneLine(
      [...model, '--images', flat!, '--labels', labels!],
      /its images are 784x1; the model takes 28x28/,
    );
    await expectOneLine(
      [...model, '--images', images!, '--labels', badLabels!],
      /label 12 of image 2 is not a class of the model \(0 \.\. 9\)/,
    );
  }, 60_000);
});

describeFixtures('a checkpoint file as the model', () => {
  it('is recognised by the single-file entries (the LeNet-5 file is lenet5)', async () => {
    const path = fixture('cnn', 'lenet5_mnist.safetensors');
    const run = await cli('eval', path, '--T', '8', '--limit', '4', '--calibration', '2');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^lenet5: .*; 4 images, T = 8\n {2}float top-1 /);
  }, 60_000);
});

describeFixtures('non-finite weights on the command line', () => {
  it('a NaN in a weight is one line naming the tensor; --allow-non-finite evaluates the model as it is', async () => {
    const st = parseSafetensors(await readFileBytes(fixture('vit', 'vit_mnist.safetensors')), 'vit');
    const tensors = writableTensors(st).map((t) =>
      t.name === 'patch_to_embedding.weight'
        ? { ...t, data: Float32Array.from(t.data, (v, i) => (i === 7 ? NaN : v)) }
        : t,
    );
    const path = join(await mkdtemp(join(tmpdir(), 'mbe-snn-nan-')), 'nan.safetensors');
    await writeFile(path, writeSafetensors(tensors));
    const args = ['eval', 'vit', '--model', path, '--T', '8', '--limit', '4', '--calibration', '2', '--quick-fits'];
    await expectOneLine(
      args,
      /nan\.safetensors.*tensor "patch_to_embedding\.weight" has NaN at element 7.*--allow-non-finite/,
    );
    const allowed = await cli(...args, '--allow-non-finite');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/^ {2}float top-1 +\d+\.\d\d%/m);
  }, 60_000);
});
