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

  // [file, import specifier, the part named in the error or undefined when allowed]
  const cases: Array<[string, string, string | undefined]> = [
    ['src/cli/x.ts', '../tasks/vit.js', undefined],
    ['src/cli/x.ts', '../plot/svg.js', undefined],
    ['src/cli/x.ts', '../io/node/files.js', undefined],
    ['src/tasks/x.ts', '../convert/convert.js', undefined],
    ['src/tasks/x.ts', '../io/llama2c.js', undefined],
    ['src/tasks/x.ts', '../cli/args.js', 'src/cli'],
    ['src/tasks/x.ts', '../plot/svg.js', 'src/plot'],
    ['src/tasks/x.ts', '../io/node/files.js', 'src/io/node'],
    ['src/metrics/x.ts', '../ops/instrumentation.js', undefined],
    ['src/metrics/x.ts', '../convert/report.js', 'src/convert'],
    ['src/metrics/x.ts', '../tasks/vit.js', 'src/tasks'],
    ['src/metrics/x.ts', '../io/idx.js', 'src/io'],
    ['src/convert/x.ts', '../metrics/energy.js', 'src/metrics'],
    ['src/models/x.ts', '../io/llama2c.js', undefined],
    ['src/models/x.ts', '../metrics/evaluate.js', 'src/metrics'],
    ['src/models/x.ts', '../convert/convert.js', 'src/convert'],
    ['src/models/x.ts', '../tasks/generate.js', 'src/tasks'],
    ['src/ops/x.ts', '../neurons/targets.js', undefined],
    ['src/ops/x.ts', '../../bindings/loader.js', undefined],
    ['src/ops/x.ts', '../errors.js', undefined],
    ['src/ops/x.ts', '../io/tokenizer.js', 'src/io'],
    ['src/ops/x.ts', '../index.js', 'src/index.ts'],
    ['src/ops/spiking/x.ts', '../index.js', undefined], // src/ops/index.ts, its own barrel
    ['src/ops/spiking/x.ts', '../../models/vit.js', 'src/models'],
    ['src/ops/spiking/x.ts', '../../random.js', undefined],
    ['src/neurons/x.ts', '../kernels/index.js', undefined],
    ['src/neurons/fit/x.ts', '../../ops/opset.js', 'src/ops'],
    ['src/kernels/x.ts', '../../bindings/loader.js', undefined],
    ['src/kernels/x.ts', '../neurons/entry.js', 'src/neurons'],
    ['bindings/x.ts', '../src/errors.js', undefined],
    ['bindings/x.ts', '../src/kernels/index.js', 'src/kernels'],
    ['src/io/x.ts', '../errors.js', undefined],
    ['src/io/x.ts', './node/files.js', 'src/io/node'],
    ['src/io/x.ts', '../kernels/index.js', 'src/kernels'],
    ['src/io/node/x.ts', '../llama2c.js', undefined],
    ['src/io/node/x.ts', '../../ops/index.js', 'src/ops'],
    ['src/plot/x.ts', '../errors.js', undefined],
    ['src/plot/x.ts', '../io/index.js', 'src/io'],
    ['src/io/x.ts', '../tensor.js', undefined],
    ['src/errors.ts', './kernels/index.js', 'src/kernels'],
    ['src/tensor.ts', './kernels/index.js', 'src/kernels'],
    ['src/index.ts', './tasks/index.js', undefined],
    ['src/index.ts', './plot/svg.js', 'src/plot'],
    ['src/index.ts', './io/node/files.js', 'src/io/node'],
    ['src/node.ts', './io/node/files.js', undefined],
    ['src/node.ts', './index.js', undefined],
    ['src/node.ts', './cli/main.js', 'src/cli'],
  ];
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
        if (entry.endsWith('.ts') && !entry.startsWith('generated/')) files.push(`${dir}/${entry}`);
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
