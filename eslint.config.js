// One lint configuration for the TypeScript tree; assembly/ is AssemblyScript (checked by asc and its tsconfig).
import js from '@eslint/js';
import { posix } from 'node:path';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------------------------
// Layering (docs/DESIGN.md): imports point down this order only; a layer may skip the ones in between.
const LAYER_ORDER =
  'Layers, top to bottom: src/cli -> src/tasks -> src/metrics | src/convert | src/models -> src/ops -> ' +
  'src/neurons -> src/kernels -> bindings (metrics and convert import only types from models, not each other). ' +
  'Leaves: src/io (for models, tasks, cli; src/io/node only for cli and src/node.ts), src/plot (only for cli, ' +
  'bench/, web/), src/errors.ts, src/describe.ts, src/random.ts, src/version.ts, src/tensor.ts (for anyone).';

/** The modules the rules talk about ('index' = src/index.ts, the browser entry; 'node' = src/node.ts). */
const MODULES = [
  'cli',
  'tasks',
  'metrics',
  'convert',
  'models',
  'ops',
  'neurons',
  'kernels',
  'bindings',
  'io',
  'io/node',
  'plot',
  'index',
  'node',
];
const BELOW_OPS = ['neurons', 'kernels', 'bindings'];

/**
 * What each part of the tree may import besides its own files and the leaves src/errors.ts, src/describe.ts, src/random.ts,
 * src/version.ts and src/tensor.ts (always allowed). Everything else in MODULES is a restricted import for that part.
 */
const MAY_IMPORT = {
  'src/cli': MODULES.filter((m) => m !== 'cli'),
  'src/tasks': ['metrics', 'convert', 'models', 'ops', ...BELOW_OPS, 'io'],
  'src/metrics': ['ops', ...BELOW_OPS],
  'src/convert': ['ops', ...BELOW_OPS],
  'src/models': ['ops', ...BELOW_OPS, 'io'],
  'src/ops': BELOW_OPS,
  'src/neurons': ['kernels', 'bindings'],
  'src/kernels': ['bindings'],
  bindings: [],
  'src/io': [],
  'src/io/node': ['io'],
  'src/plot': [],
  'src/errors.ts': [],
  'src/describe.ts': [],
  'src/random.ts': [],
  'src/version.ts': [],
  'src/tensor.ts': [],
  'src/index.ts': ['tasks', 'metrics', 'convert', 'models', 'ops', ...BELOW_OPS, 'io'],
  'src/node.ts': ['index', 'tasks', 'metrics', 'convert', 'models', 'ops', ...BELOW_OPS, 'io', 'io/node'],
};
/** Restricted modules a part may still import types from (`import type`, `export type`). */
const TYPES_ONLY = { 'src/metrics': ['models'], 'src/convert': ['models'] };
/** Node-only code (the ./node entry); everything else is reachable from the browser entry. */
const NODE_ONLY = ['src/cli', 'src/io/node', 'src/node.ts'];
/** Folders nest at most this deep below a layer's folder (test/lint/layers.test.ts checks every file is covered). */
const MAX_NESTING = 3;

const NODE_BUILTINS = { group: ['node:*'], message: 'Node built-ins are only allowed in the ./node entry.' };

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const label = (module) =>
  module === 'index'
    ? 'src/index.ts (the browser entry)'
    : module === 'node'
      ? 'src/node.ts (the ./node entry)'
      : module === 'bindings'
        ? 'bindings/'
        : `src/${module}`;

/** Where a module lives, from the repository root. */
const location = (module) =>
  module === 'bindings' ? 'bindings/' : module === 'index' || module === 'node' ? `src/${module}.js` : `src/${module}/`;

/**
 * A regex for the specifiers of `module` written in a file `depth` folders below `dir`: the exact relative path
 * from there (e.g. '../../models/' from src/ops/spiking/), so that src/ops/spiking's '../index.js' (src/ops) is not
 * mistaken for src/index.ts, and src/io's './node/files.js' is src/io/node.
 */
function specifierRegex(module, dir, depth) {
  const from = posix.join(dir, ...Array.from({ length: depth }, (_, i) => `sub${i}`));
  const to = location(module);
  let relative = posix.relative(from, to) + (to.endsWith('/') ? '/' : '');
  if (!relative.startsWith('.')) relative = `./${relative}`;
  const tail = to.endsWith('.js') ? '$' : module === 'io' ? '(?!node/)' : '';
  return `^${escape(relative)}${tail}`;
}

/** The module a part belongs to (its own files are never restricted). */
const ownModule = (part) => (part === 'bindings' ? 'bindings' : part.replace(/^src\//, '').replace(/\.ts$/, ''));

/**
 * One flat-config block per part of the tree and folder depth. `no-restricted-imports` is one rule: a later block
 * for the same file replaces an earlier block's options, so each block carries all of its file's patterns (the
 * layer patterns and, for browser-reachable code, the Node built-ins).
 */
function layerRules() {
  const blocks = [];
  for (const [part, allowed] of Object.entries(MAY_IMPORT)) {
    const self = ownModule(part);
    const restricted = MODULES.filter((m) => m !== self && !allowed.includes(m));
    const isFile = part.endsWith('.ts');
    for (let depth = 0; depth <= (isFile ? 0 : MAX_NESTING); depth++) {
      const patterns = restricted.map((module) => {
        const typesOnly = TYPES_ONLY[part]?.includes(module) ?? false;
        return {
          regex: specifierRegex(module, isFile ? posix.dirname(part) : part, depth),
          message:
            `${part} may not import ${label(module)}${typesOnly ? ' (only its types, with `import type`)' : ''}. ` +
            LAYER_ORDER,
          ...(typesOnly ? { allowTypeImports: true } : {}),
        };
      });
      if (!NODE_ONLY.includes(part)) patterns.push(NODE_BUILTINS);
      blocks.push({
        files: [isFile ? part : `${part}/${'*/'.repeat(depth)}*.ts`],
        ...(part === 'src/io' ? { ignores: ['src/io/node/**'] } : {}),
        rules: { 'no-restricted-imports': ['error', { patterns }] },
      });
    }
  }
  return [
    {
      // Any file no block below covers: the browser entry must not reach Node built-ins; Node-only code lives in
      // src/node.ts, src/cli/ and src/io/node/.
      files: ['src/**/*.ts', 'bindings/**/*.ts'],
      ignores: ['src/node.ts', 'src/cli/**', 'src/io/node/**'],
      rules: { 'no-restricted-imports': ['error', { patterns: [NODE_BUILTINS] }] },
    },
    ...blocks,
  ];
}
// ---------------------------------------------------------------------------------------------------------------

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'build/',
      'bindings/generated/',
      'src/io/embedded/generated/',
      'assembly/',
      'bench/results/',
      'bench/_tmp/',
      'test-results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a union of string literals instead of an enum.' },
      ],
    },
  },
  {
    // The browser pages and their harnesses: plain ES modules run by Chromium (and the harnesses by Node too).
    files: ['web/**/*.js', 'bench/browser/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        navigator: 'readonly',
        setTimeout: 'readonly',
        URLSearchParams: 'readonly',
        fetch: 'readonly',
        TextDecoder: 'readonly',
        Worker: 'readonly',
        self: 'readonly',
      },
    },
  },
  ...layerRules(),
);
