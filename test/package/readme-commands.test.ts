// The README's shell blocks outside the quick start (readme-quick-start.test.ts runs those), executed: every
// `npx mbe-snn ...` line runs from the sources, with the README's placeholder paths (path/to/folder, dev.tsv,
// ...) replaced by real files, and with options appended that only bound its size (fewer evaluated items,
// one T of a sweep, short generations, quick neuron fits into a temporary cache); `npm run serve` is started and
// its page fetched. Every other block is a TypeScript block (readme-typescript.test.ts) or printed output.
// If this fails, the README is wrong.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { pngBytes } from '../helpers/images.js';
import { codeBlocks, README, type Block } from '../helpers/readme.js';
import {
  BERT_VOCAB_TXT,
  CAUSAL_TOKENIZER_JSON,
  fixtureFolderCopy,
  labelledSentences,
  sst2Tsv,
} from '../tasks/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const SERVER = 'scripts/serve.ts';
const blocks = codeBlocks(README);
const shellBlocks = blocks.filter((b) => b.lang === 'sh' && b.section !== 'Quick start');

/** A shell line's words: double-quoted strings kept whole, `# comments` dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|(#.*$)|(\S+)/g)) {
    if (match[2] !== undefined) break;
    out.push(match[1] ?? match[3]!);
  }
  return out;
}

/** The commands of a shell block, as word lists. */
const commandsOf = (block: Block) =>
  block.code
    .split('\n')
    .map(words)
    .filter((w) => w.length > 0);

/** Options appended to a command so that it runs in seconds: the README's command, on less work. */
function bounded(args: readonly string[]): string[] {
  const [name] = args;
  const has = (option: string) => args.includes(option);
  const extra: string[] = [];
  if (name === 'eval' && !has('--golden')) extra.push('--limit', '4', '--calibration', '2', '--quick-fits');
  if (name === 'sweep')
    extra.push('--limit', '4', '--calibration', '2', '--quick-fits', ...(has('--T') ? [] : ['--T', '8']));
  if (name === 'eval' && has('--budget')) extra.push('--levels', '12,8');
  if (name === 'frontier') {
    // its allocations are the eval --budget path, run on its own below and in test/package/cli-tasks.test.ts
    extra.push('--limit', '4', '--calibration', '2', '--quick-fits', '--T', '8', '--budgets', 'none');
  }
  if (name === 'generate') extra.push('--steps', '6', '--quick-fits');
  if (name === 'fit') extra.push('--seeds', '1', '--epochs', '20');
  return [...args, ...extra];
}

describe('README blocks', () => {
  it('every block is executed by a test, or is printed output', () => {
    const kinds = blocks.map((b) => `${b.lang || 'plain'} (${b.section})`);
    const executed = (b: Block) => b.lang === 'ts' || b.lang === 'sh';
    const output = blocks.filter((b) => !executed(b)).map((b) => `${b.lang || 'plain'} (${b.section})`);
    expect(output, kinds.join(', ')).toEqual(['text (Quick start)', 'plain (Layout)']);
    expect(shellBlocks.length).toBeGreaterThanOrEqual(4);
    for (const block of shellBlocks) {
      for (const command of commandsOf(block)) {
        expect(command.slice(0, 2).join(' '), `README.md line ${block.line}`).toMatch(/^(npx mbe-snn|npm run)$/);
      }
    }
  });
});

describeFixtures('README shell blocks', () => {
  let work = '';
  /** Placeholder -> real path, set up once. */
  const paths = new Map<string, string>();
  /** The model folder a `path/to/folder` command means, by the data it is given. */
  const folders = { golden: '', text: '', tsv: '', images: '' };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mbe-snn-readme-'));
    folders.golden = fixture('hf-tiny', 'gpt2-tiny');
    folders.text = await fixtureFolderCopy('gpt2-tiny-hot', { 'tokenizer.json': CAUSAL_TOKENIZER_JSON });
    folders.tsv = await fixtureFolderCopy('bert-tiny-cls-hot', { 'vocab.txt': BERT_VOCAB_TXT });
    folders.images = fixture('hf-tiny', 'vit-tiny-cls');
    // an image folder: one sub-folder per class, named as the model's labels
    const images = join(work, 'images');
    for (const [c, label] of ['cat', 'dog'].entries()) {
      await mkdir(join(images, label), { recursive: true });
      for (let i = 0; i < 4; i++) {
        const rgb = Uint8Array.from({ length: 32 * 32 * 3 }, (_, j) => (j * (7 + i) + 60 * c) % 256);
        await writeFile(join(images, label, `${i}.png`), pngBytes(32, 32, 2, rgb));
      }
    }
    await writeFile(join(work, 'dev.tsv'), sst2Tsv(labelledSentences(8)));
    const entries: Array<[string, string]> = [
      ['golden.json', join(folders.golden, 'golden.json')],
      ['stories.txt', fixture('text', 'tinystories_valid_part1.txt')],
      ['dev.tsv', join(work, 'dev.tsv')],
      ['dir/', images],
      ['stories260K.bin', fixture('llama2c', 'stories260K.bin')],
      ['tok512.bin', fixture('llama2c', 'tok512.bin')],
      ['out/', join(work, 'out')],
      ['rsqrt.json', join(work, 'rsqrt.json')],
      // the frontier's outputs go to the temporary folder, not over the repository's results
      ['bench/results/frontier-llama2c.json', join(work, 'frontier.json')],
      ['docs/frontier-llama2c.svg', join(work, 'frontier.svg')],
    ];
    for (const [placeholder, path] of entries) paths.set(placeholder, path);
  });

  afterAll(async () => {
    await Promise.all([work, folders.text, folders.tsv].map((d) => rm(d, { recursive: true, force: true })));
  });

  /** A README command with its placeholders replaced by the files set up above. */
  function resolved(args: readonly string[]): string[] {
    const data = (['golden', 'tsv', 'images'] as const).find((d) => args.includes(`--${d}`)) ?? 'text';
    return args.map((a) => (a === 'path/to/folder' ? folders[data] : (paths.get(a) ?? a)));
  }

  for (const block of shellBlocks) {
    for (const command of commandsOf(block)) {
      const shown = command.join(' ');
      if (command[0] === 'npx') {
        it(`README.md line ${block.line}: ${shown}`, async () => {
          const args = bounded(resolved(command.slice(2)));
          const result = await runCli(args, { env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
          expect(result.code, `mbe-snn ${args.join(' ')}:\n${result.stderr}`).toBe(0);
          expect(result.stdout.length).toBeGreaterThan(0);
        }, 120_000);
      } else {
        it(`README.md line ${block.line}: ${shown} serves the page`, async () => {
          // the script is the bundle's build (which npm install ran, and the browser tests run in memory),
          // then the server: the server runs here, on a free port
          expect(command.slice(0, 3)).toEqual(['npm', 'run', 'serve']);
          expect(PACKAGE.scripts.serve).toBe(`npm run build:browser && node --import tsx ${SERVER}`);
          const origin = await serve(async (url) => {
            const page = await fetch(url);
            expect(page.status).toBe(200);
            expect(await page.text()).toMatch(/<title>/);
          });
          expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        }, 120_000);
      }
    }
  }
});

/** Starts the server, waits for its demo-page line, runs `check` on that URL, and stops it; the origin. */
async function serve(check: (url: string) => Promise<void>): Promise<string> {
  const args = ['--import', 'tsx', SERVER, '--port', '0'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const page = /demo page: +(http:\S+)/.exec(out);
        if (page) resolve(page[1]!);
      });
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`${SERVER} exited (${code}) before serving:\n${out}`)));
    });
    await check(url);
    return new URL(url).origin;
  } finally {
    child.kill('SIGTERM');
  }
}
