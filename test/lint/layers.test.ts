// The layering of docs/DESIGN.md as the linter enforces it (eslint.config.js, `no-restricted-imports`): small
// in-memory files at chosen paths, linted with the project's configuration through ESLint's Node API.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ORDER =
  'src/cli -> src/tasks -> src/metrics | src/convert | src/models -> src/ops -> src/neurons -> src/kernels -> bindings';
const NODE_MESSAGE = 'Node built-ins are only allowed in the ./node entry.';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}eslint.config.js` });
});

/** The `no-restricted-imports` messages for `code` placed at `filePath` (the file need not exist). */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering (eslint.config.js)', () => {
  it('an upward import is an error that names the layer order', async () => {
    const messages = await restricted('src/ops/x.ts', "import { llama2cForward } from '../models/llama2c.js';");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("'../models/llama2c.js' import is restricted");
    expect(messages[0]).toContain('src/ops may not import src/models');
    expect(messages[0]).toContain(ORDER);
  });

  it('a downward import is not', async () => {
    expect(await restricted('src/models/x.ts', "import type { OpSet } from '../ops/opset.js';")).toEqual([]);
    expect(await restricted('src/models/x.ts', "import { checkShape } from '../ops/opset.js';")).toEqual([]);
  });

  // Per importing file: specifiers it may import, and those it may not with the part their error names.
  const layers: Record<string, { allowed?: string[]; forbidden?: Record<string, string> }> = {
    'src/cli/x.ts': { allowed: ['../tasks/vit.js', '../plot/svg.js', '../io/node/files.js'] },
    'src/tasks/x.ts': {
      allowed: ['../convert/convert.js', '../io/llama2c.js'],
      forbidden: { '../cli/args.js': 'src/cli', '../plot/svg.js': 'src/plot', '../io/node/files.js': 'src/io/node' },
    },
    'src/metrics/x.ts': {
      allowed: ['../ops/instrumentation.js'],
      forbidden: { '../convert/report.js': 'src/convert', '../tasks/vit.js': 'src/tasks', '../io/idx.js': 'src/io' },
    },
    'src/convert/x.ts': { forbidden: { '../metrics/energy.js': 'src/metrics' } },
    'src/models/x.ts': {
      allowed: ['../io/llama2c.js'],
      forbidden: {
        '../metrics/evaluate.js': 'src/metrics',
        '../convert/convert.js': 'src/convert',
        '../tasks/generate.js': 'src/tasks',
      },
    },
    'src/ops/x.ts': {
      allowed: ['../neurons/targets.js', '../../bindings/loader.js', '../errors.js'],
      forbidden: { '../io/tokenizer.js': 'src/io', '../index.js': 'src/index.ts' },
    },
    // '../index.js' is src/ops/index.ts, its own barrel
    'src/ops/spiking/x.ts': {
      allowed: ['../index.js', '../../random.js'],
      forbidden: { '../../models/vit.js': 'src/models' },
    },
    'src/neurons/x.ts': { allowed: ['../kernels/index.js'] },
    'src/neurons/fit/x.ts': { forbidden: { '../../ops/opset.js': 'src/ops' } },
    'src/kernels/x.ts': { allowed: ['../../bindings/loader.js'], forbidden: { '../neurons/entry.js': 'src/neurons' } },
    'bindings/x.ts': { allowed: ['../src/errors.js'], forbidden: { '../src/kernels/index.js': 'src/kernels' } },
    'src/io/x.ts': {
      allowed: ['../errors.js', '../tensor.js'],
      forbidden: { './node/files.js': 'src/io/node', '../kernels/index.js': 'src/kernels' },
    },
    'src/io/node/x.ts': { allowed: ['../llama2c.js'], forbidden: { '../../ops/index.js': 'src/ops' } },
    'src/plot/x.ts': { allowed: ['../errors.js'], forbidden: { '../io/index.js': 'src/io' } },
    'src/errors.ts': { forbidden: { './kernels/index.js': 'src/kernels' } },
    'src/tensor.ts': { forbidden: { './kernels/index.js': 'src/kernels' } },
    'src/index.ts': {
      allowed: ['./tasks/index.js'],
      forbidden: { './plot/svg.js': 'src/plot', './io/node/files.js': 'src/io/node' },
    },
    'src/node.ts': { allowed: ['./io/node/files.js', './index.js'], forbidden: { './cli/main.js': 'src/cli' } },
  };
  // [file, import specifier, the part named in the error or undefined when allowed]
  const cases = Object.entries(layers).flatMap(([file, { allowed = [], forbidden = {} }]) => [
    ...allowed.map((specifier): [string, string, string | undefined] => [file, specifier, undefined]),
    ...Object.entries(forbidden).map(([specifier, part]): [string, string, string | undefined] => [
      file,
      specifier,
      part,
    ]),
  ]);
  it.each(cases)('%s importing %s: %s', async (file, specifier, forbidden) => {
    const messages = await restricted(file, `import { x } from '${specifier}';`);
    if (forbidden === undefined) expect(messages).toEqual([]);
    else {
      expect(messages).toHaveLength(1);
      // The part, then the end of the sentence or its gloss: 'src/io' does not pass for 'src/io/node'.
      expect(messages[0]).toMatch(new RegExp(`may not import ${forbidden.replace(/[.]/g, '\\.')}(\\.| \\()`));
      expect(messages[0]).toContain(ORDER);
    }
  });

  it('metrics and convert may import the types of models, not their values', async () => {
    for (const file of ['src/metrics/x.ts', 'src/convert/x.ts']) {
      expect(await restricted(file, "import type { CausalLM } from '../models/llama2c.js';")).toEqual([]);
      expect(await restricted(file, "import { type CausalLM } from '../models/llama2c.js';")).toEqual([]);
      expect(await restricted(file, "export type { VitWeights } from '../models/vit.js';")).toEqual([]);
      const [message, ...rest] = await restricted(file, "import { buildVit } from '../models/vit.js';");
      expect(rest).toEqual([]);
      expect(message).toContain('may not import src/models (only its types, with `import type`)');
    }
  });

  it('browser-reachable code may not import Node built-ins; src/cli, src/io/node and src/node.ts may', async () => {
    for (const file of ['src/ops/x.ts', 'src/io/x.ts', 'src/plot/x.ts', 'src/index.ts', 'bindings/x.ts']) {
      expect(await restricted(file, "import { readFile } from 'node:fs/promises';"), file).toEqual([
        `'node:fs/promises' import is restricted from being used by a pattern. ${NODE_MESSAGE}`,
      ]);
    }
    // A folder no layer names yet still gets the Node guard.
    expect(await restricted('src/tensor/x.ts', "import { readFile } from 'node:fs';")).toHaveLength(1);
    for (const file of ['src/cli/x.ts', 'src/io/node/x.ts', 'src/node.ts']) {
      expect(await restricted(file, "import { readFile } from 'node:fs/promises';"), file).toEqual([]);
    }
  });

  it('the layer patterns and the Node guard apply together (one rule, patterns merged per file group)', async () => {
    const messages = await restricted(
      'src/neurons/fit/x.ts',
      "import { readFileSync } from 'node:fs';\nimport { FloatOpSet } from '../../ops/float-opset.js';",
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain(NODE_MESSAGE);
    expect(messages[1]).toContain('src/neurons may not import src/ops');
  });

  it('every source file is covered by its layer, not only by the catch-all Node guard', async () => {
    const files: string[] = [];
    for (const dir of ['src', 'bindings']) {
      for (const entry of await readdir(`${root}${dir}`, { recursive: true })) {
        // generated modules (the base64 wasm builds and embedded model) are not linted
        if (entry.endsWith('.ts') && !/(^|\/)generated\//.test(entry)) files.push(`${dir}/${entry}`);
      }
    }
    expect(files.length).toBeGreaterThan(20);
    const uncovered: string[] = [];
    for (const file of files) {
      const config = (await eslint.calculateConfigForFile(`${root}${file}`)) as {
        rules: Record<string, [unknown, { patterns: Array<{ message: string }> }]>;
      };
      const patterns = config.rules['no-restricted-imports']?.[1].patterns ?? [];
      const layered = file.startsWith('src/cli/') || patterns.some((p) => p.message.includes(ORDER));
      if (!layered) uncovered.push(file);
    }
    expect(uncovered).toEqual([]);
  });
});
