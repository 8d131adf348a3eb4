// The kernel test page: loads the bundle, runs web/kernel-suite.js under every wasm build this browser
// validates, shows one fingerprint per output and build, and leaves the full result on
// `window.kernelTest` ({ status: 'done', result } or { status: 'error', message }) for the Node test.
// `?bundle=mbe-snn.js` loads the readable bundle instead of the minified one.
import { fingerprint, runKernelSuite } from './kernel-suite.js';

const BUNDLES = ['mbe-snn.min.js', 'mbe-snn.js'];

const status = document.getElementById('status');
const summary = document.getElementById('summary');

function cell(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function render(result, bundle) {
  const variants = Object.keys(result.results);
  const head = document.createElement('tr');
  for (const title of ['output', 'kind', 'length', ...variants.map((v) => `${v} (fingerprint)`)]) {
    head.append(cell('th', title));
  }
  const table = document.createElement('table');
  table.append(head);
  const first = result.results[variants[0]].cases;
  for (const [name, entry] of Object.entries(first)) {
    const row = document.createElement('tr');
    row.append(cell('td', name), cell('td', entry.kind), cell('td', String(entry.bits.length)));
    for (const variant of variants) {
      row.append(cell('td', fingerprint(Uint32Array.from(result.results[variant].cases[name].bits))));
    }
    table.append(row);
  }
  const times = variants.map((v) => `${v} ${result.results[v].ms.toFixed(0)} ms`).join(', ');
  status.className = 'status-done';
  status.textContent =
    `done: ${bundle}, builds [${result.supported.join(', ')}] (best: ${result.best}), ` +
    `${Object.keys(first).length} outputs per build; ${times}`;
  summary.replaceChildren(table);
}

async function main() {
  const requested = new URLSearchParams(location.search).get('bundle') ?? BUNDLES[0];
  if (!BUNDLES.includes(requested)) throw new Error(`?bundle= must be one of ${BUNDLES.join(', ')}`);
  const lib = await import(`../dist/browser/${requested}`);
  const result = await runKernelSuite(lib);
  window.kernelTest = { status: 'done', bundle: requested, userAgent: navigator.userAgent, result };
  render(result, requested);
}

main().catch((error) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
  window.kernelTest = { status: 'error', message };
  status.className = 'status-error';
  status.textContent = `failed: ${message}`;
});
