// The gemm benchmark page. Opened by a person it measures every shape and build and shows GFLOP/s; driven by
// bench/browser/run.ts (`?driver`) it only exposes `window.gemmBench` ({ measure, show }) so that the
// driver can interleave the Chromium and Node measurements and then show both.
import { GEMM_SHAPES, measureGemm, summarize } from './gemm-bench.js';

const status = document.getElementById('status');
const container = document.getElementById('table');

function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

/**
 * rows: { shape, variant, chromium: GFLOP/s, node?: GFLOP/s, chromiumOverNode?, bestChromiumOverNode?,
 * recorded?: GFLOP/s, target?: minimum best-vs-best ratio }
 */
function show(rows, caption) {
  const withNode = rows.some((row) => row.node !== undefined);
  const table = document.createElement('table');
  const head = document.createElement('tr');
  const titles = ['shape', 'build', 'Chromium GFLOP/s'];
  if (withNode) {
    titles.push('Node GFLOP/s', 'Chromium / Node (medians)', 'Chromium / Node (best)', 'Node, npm run bench');
  }
  for (const title of titles) head.append(cell('th', title));
  table.append(head);
  for (const row of rows) {
    const tr = document.createElement('tr');
    tr.append(cell('td', row.shape), cell('td', row.variant), cell('td', row.chromium.toFixed(1)));
    if (withNode) {
      const best = row.bestChromiumOverNode;
      const verdict = row.target === undefined ? '' : best >= row.target ? 'pass' : 'fail';
      tr.append(
        cell('td', row.node.toFixed(1)),
        cell('td', `${row.chromiumOverNode.toFixed(2)}x`),
        cell('td', `${best.toFixed(2)}x${row.target === undefined ? '' : ` (>= ${row.target})`}`, verdict),
        cell('td', row.recorded === undefined ? '-' : row.recorded.toFixed(1)),
      );
    }
    table.append(tr);
  }
  container.replaceChildren(table);
  status.textContent = caption;
}

async function main() {
  const lib = await import('../../dist/browser/mbe-snn.min.js');
  const supported = [...lib.supportedVariants()];
  window.gemmBench = {
    supported,
    userAgent: navigator.userAgent,
    measure: (variant, shape, timing) => measureGemm(lib, variant, shape, timing),
    show,
  };
  if (new URLSearchParams(location.search).has('driver')) {
    status.textContent = `driven by bench/browser/run.ts; builds [${supported.join(', ')}]`;
    return;
  }
  const rows = [];
  for (const shape of GEMM_SHAPES) {
    for (const variant of supported) {
      status.textContent = `measuring ${variant} ${shape.join('x')}…`;
      const m = await measureGemm(lib, variant, shape);
      rows.push({ shape: m.shape, variant, chromium: summarize(shape, m.sampleMs).gflops });
      show(rows, `measuring…`);
    }
  }
  show(rows, `done: builds [${supported.join(', ')}]; ${navigator.userAgent}`);
}

main().catch((error) => {
  status.className = 'fail';
  status.textContent = `failed: ${error instanceof Error ? error.stack : String(error)}`;
  window.gemmBench = { error: String(error) };
});
