// The page of the packaging check: bundled by `vite build` (no configuration) in the temporary project where the
// tarball is installed, it does the small fidelity run in the browser and writes the outcome as JSON into #result,
// with #status "done" or "error".
/* global document */
import { smallFidelityRun } from './fidelity.js';

const status = document.getElementById('status');
const result = document.getElementById('result');

smallFidelityRun().then(
  (run) => {
    result.textContent = JSON.stringify(run);
    status.textContent = 'done';
  },
  (error) => {
    result.textContent = JSON.stringify({ error: String(error?.stack ?? error) });
    status.textContent = 'error';
  },
);
