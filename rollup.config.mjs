// Bundles the browser entries into dist/browser/, each as a readable ES module and a minified one, each with a
// source map: the library (src/index.ts) into mbe-snn.js / mbe-snn.min.js, the SVG plotting (src/plot/index.ts,
// the `mbe-snn/plot` entry) into mbe-snn-plot.js / mbe-snn-plot.min.js, and the embedded default model
// (src/io/embedded/stories260K.ts, the `mbe-snn/stories260K` entry) into mbe-snn-stories260K.js alone (base64 does
// not minify, and a source map would repeat it). Each
// bundle is self-contained (no shared chunks: the plot bundle carries its own copy of the few error classes it
// throws). Run by `npm run build:browser` (and so by `npm run build` / `npm install`).
//
// The sources are transpiled file by file with TypeScript's transpileModule (type-checking is tsc's job; the
// tsconfig's isolatedModules + verbatimModuleSyntax make per-file transpiling exact), so the bundle never
// depends on a stale dist/src. The wasm builds are already embedded as base64 modules (bindings/generated/),
// so no wasm plugin is needed; the shipped neuron table is a JSON import.
//
// Node-only code must never reach the bundle: a `node:` specifier, a bare Node built-in ('fs', 'path', ...)
// or any other bare import fails the build, naming the importer. The one exception is the library's runtime
// dependency, @huggingface/tokenizers (pure JS, no dependencies of its own; src/io/hf/tokenizer.ts), which
// @rollup/plugin-node-resolve bundles in from its browser build, so that the page tokenizes too.
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

const NODE_BUILTINS = new Set(builtinModules);
/** The packages bundled in (the library's runtime dependencies); every other bare import fails the build. */
const BUNDLED_PACKAGES = ['@huggingface/tokenizers'];

/** Resolves the `.js` specifiers of the TypeScript sources to their `.ts` files and transpiles them. */
function typescriptSources() {
  return {
    name: 'mbe-snn:typescript-sources',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.') || !source.endsWith('.js')) return null;
      const candidate = resolve(dirname(importer), source.replace(/\.js$/, '.ts'));
      return existsSync(candidate) ? candidate : null;
    },
    load(id) {
      if (!id.endsWith('.ts')) return null;
      const { outputText, sourceMapText } = ts.transpileModule(readFileSync(id, 'utf8'), {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: true,
          sourceMap: true,
          inlineSources: true,
        },
        reportDiagnostics: false,
      });
      return { code: outputText, map: sourceMapText ? JSON.parse(sourceMapText) : null };
    },
  };
}

/** Fails the build on anything that is not a relative import of our own code or a BUNDLED_PACKAGES import. */
function browserOnly() {
  let entry = '';
  return {
    name: 'mbe-snn:browser-only',
    buildStart(options) {
      entry = [options.input].flat().map(String).join(', ');
    },
    resolveId(source, importer) {
      if (source.startsWith('.') || source.startsWith('/') || !importer) return null;
      if (BUNDLED_PACKAGES.includes(source)) return null; // resolved by nodeResolve
      const builtin = source.startsWith('node:') || NODE_BUILTINS.has(source.split('/')[0] ?? source);
      const where = `imported by ${importer}, which is reachable from the browser entry ${entry}`;
      this.error(
        builtin
          ? `the Node built-in "${source}" is ${where}. Node-only code belongs in src/node.ts, src/cli/ or ` +
              'src/io/node/ (the ./node entry).'
          : `the bare module "${source}" is ${where}; the bundle takes in only ${BUNDLED_PACKAGES.join(', ')}.`,
      );
    },
  };
}

/**
 * @param {string} input the entry module
 * @param {string} name the bundle's file name in dist/browser/, without `.js` / `.min.js`
 * @returns {import('rollup').RollupOptions}
 */
export function browserBundle(input, name) {
  return {
    ...bundleInput(input),
    output: [
      { file: `dist/browser/${name}.js`, format: 'es', sourcemap: true },
      {
        file: `dist/browser/${name}.min.js`,
        format: 'es',
        sourcemap: true,
        plugins: [terser({ module: true, ecma: 2020, format: { comments: false } })],
      },
    ],
  };
}

/** The input side of a bundle: the entry and the plugins that keep it browser-only. */
function bundleInput(input) {
  return {
    input,
    plugins: [
      browserOnly(),
      typescriptSources(),
      nodeResolve({ browser: true, exportConditions: ['browser'], resolveOnly: BUNDLED_PACKAGES }),
      json({ preferConst: true }),
    ],
    // An import rollup could not resolve would be left in the bundle for the browser to fail on: an error here.
    onwarn(warning, warn) {
      if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'MISSING_NODE_BUILTINS') {
        throw new Error(warning.message);
      }
      warn(warning);
    },
  };
}

// The library bundle comes first: test/browser/bundle.ts builds the first configuration.
// The embedded stories260K (the `mbe-snn/stories260K` entry) is a bundle of its own: only a page that uses the
// default model loads its 1.4 MB.
export default [
  browserBundle('src/index.ts', 'mbe-snn'),
  browserBundle('src/plot/index.ts', 'mbe-snn-plot'),
  {
    ...bundleInput('src/io/embedded/stories260K.ts'),
    output: { file: 'dist/browser/mbe-snn-stories260K.js', format: 'es' },
  },
];
