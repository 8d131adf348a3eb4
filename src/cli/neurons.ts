// `mbe-snn neurons`: the shipped neuron table with each entry's held-out errors.
import { shippedNeurons } from '../neurons/table.js';
import { textTable } from './args.js';
import { command } from './command.js';

export const neuronsCommand = command({
  name: 'neurons',
  summary: 'list the shipped neuron table and its held-out errors',
  options: { json: { type: 'boolean' }, help: { type: 'boolean' } },
  help: 'Usage: mbe-snn neurons [--json]',
  positionals: { max: 0, what: '' },
  async run({ values }) {
    const entries = shippedNeurons();
    if (values.json) {
      console.log(JSON.stringify(entries, null, 2));
      return 0;
    }
    const rows = entries.map((e) => [
      e.target,
      e.variant,
      String(e.N),
      String(e.T),
      `[${e.domain[0]}, ${e.domain[1]}]`,
      e.heldOut.mse.toExponential(2),
      e.heldOut.maxError.toExponential(2),
    ]);
    console.log(textTable(['function', 'neuron', 'N', 'T', 'domain', 'held-out MSE', 'max |error|'], rows));
    console.log(
      `\n${entries.length} neurons; errors on ${entries[0]?.heldOut.samples ?? 0} uniform samples per domain.`,
    );
    return 0;
  },
});
