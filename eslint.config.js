// One lint configuration for the TypeScript tree; assembly/ is AssemblyScript (checked by asc and its tsconfig).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'build/',
      'bindings/generated/',
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
  {
    // The browser entry must not reach Node built-ins; Node-only code lives in src/node.ts, src/cli/ and src/io/node/.
    files: ['src/**/*.ts', 'bindings/**/*.ts'],
    ignores: ['src/node.ts', 'src/cli/**', 'src/io/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'Node built-ins are only allowed in the ./node entry.' }] },
      ],
    },
  },
);
