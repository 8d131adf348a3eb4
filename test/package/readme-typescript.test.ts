// The README's TypeScript blocks, executed as written (the package's entries mapped to the sources they are built
// from). If this fails, the README is wrong.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { codeBlocks, README } from '../helpers/readme.js';

const root = new URL('../../', import.meta.url);
const run = promisify(execFile);

/** The package's entries, as the sources they are built from. */
const ENTRIES: Record<string, string> = {
  'mbe-snn': 'src/index.ts',
  'mbe-snn/node': 'src/node.ts',
  'mbe-snn/plot': 'src/plot/index.ts',
  'mbe-snn/stories260K': 'src/io/embedded/stories260K.ts',
};

describe('README TypeScript blocks', () => {
  const typescript = codeBlocks(README).filter((b) => b.lang === 'ts');
  it('there are some', () => expect(typescript.length).toBeGreaterThanOrEqual(4));
  for (const block of typescript) {
    it(`the block at README.md line ${block.line} (${block.section}) runs`, async () => {
      const dir = new URL('test-results/readme/', root);
      await mkdir(dir, { recursive: true });
      const code = block.code.replace(/from '(mbe-snn[^']*)'/g, (whole, name: string) => {
        const source = ENTRIES[name];
        if (source === undefined) throw new Error(`README.md line ${block.line}: unknown entry ${name}`);
        return `from '${new URL(source.replace(/\.ts$/, '.js'), root).href}'`;
      });
      const file = new URL(`block-${block.line}.mts`, dir);
      await writeFile(file, code);
      // blocks that read files are given the embedded model's own copies (always in the repository)
      const embedded = (name: string) => fileURLToPath(new URL(`src/io/embedded/stories260K/${name}`, root));
      const { stdout } = await run(process.execPath, ['--import', 'tsx', fileURLToPath(file)], {
        cwd: fileURLToPath(root),
        env: { ...process.env, CHECKPOINT: embedded('stories260K.bin'), TOKENIZER: embedded('tok512.bin') },
      });
      console.log(`README.md line ${block.line}: ${stdout.split('\n').length} lines of output`);
    }, 120_000);
  }
});
