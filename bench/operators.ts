// The README's operator error table: each spiking operator against the float OpSet on realistic inputs,
// worst row of max|y - y_float| / max|y_float|, at T = 8, 12, 16 with the shipped neurons (activation
// neurons fitted on the calibrated domain with the default fitter), for the paper's identity code (floor,
// power-of-two ranges) and the default one (nearest, mse ranges). The evaluated inputs reach past the calibrated
// ones, as unseen data does. Usage: npm run bench:operators
// Prints the table and writes it, as numbers, to bench/results/operators.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { Kernels } from '../src/index.js';
import { diskNeuronCache } from '../src/cli/neuron-cache.js';
import { CalibratingOpSet } from '../src/ops/calibration.js';
import { FloatOpSet } from '../src/ops/float-opset.js';
import { NeuronProvider } from '../src/ops/neuron-provider.js';
import { ACTIVATION_KINDS } from '../src/ops/opset.js';
import { SpikingOpSet } from '../src/ops/spiking/spiking-opset.js';
import { CASES, REALISTIC } from '../test/helpers/operator-cases.js';
import { activationInputs, rowError } from '../test/helpers/operator-inputs.js';
import { formatTable, nodeEnvironment } from './measure.js';

const TIMESTEPS = [8, 12, 16];
/** The identity codes compared: the paper's, then the default. */
const CODES = [
  { name: 'paper', options: { rounding: 'floor', identityRange: 'power-of-two' } },
  { name: 'default', options: {} },
] as const;
const kernels = await Kernels.load();
const neurons = new NeuronProvider(kernels, {
  cache: diskNeuronCache(),
  onFit: (r) => console.error(`  fitting ${r.target} on [${r.domain.join(', ')}] at T = ${r.T}`),
});
/** One table row: the worst relative error at each T of TIMESTEPS. */
interface OperatorRow {
  operator: string;
  inputs: string;
  /** (CODES, TIMESTEPS) */
  errors: number[];
}
const rows: OperatorRow[] = [];

for (const [name, evaluation, calibrationInput] of REALISTIC) {
  const op = CASES.find((c) => c.name === name)!;
  const calibrating = new CalibratingOpSet(kernels);
  op.run(calibrating, calibrationInput());
  const input = evaluation();
  const ref = op.run(new FloatOpSet(kernels), input);
  const errors = CODES.flatMap((code) =>
    TIMESTEPS.map((T) => {
      const options = { T, ...code.options };
      const ops = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options, neurons });
      const { y, rows: r, n } = op.run(ops, input);
      return rowError(y, ref.y, r, n);
    }),
  );
  rows.push({ operator: name, inputs: input.name, errors });
}

for (const kind of ACTIVATION_KINDS) {
  const input = activationInputs(3);
  const calibrating = new CalibratingOpSet(kernels);
  calibrating.activation('act', kind, new Float32Array(input.n), activationInputs(103).x, input.n);
  const ref = new Float32Array(input.n);
  new FloatOpSet(kernels).activation('act', kind, ref, input.x, input.n);
  const errors = CODES.flatMap((code) =>
    TIMESTEPS.map((T) => {
      const options = { T, ...code.options };
      const ops = new SpikingOpSet({ kernels, calibration: calibrating.calibration, options, neurons });
      const out = new Float32Array(input.n);
      ops.activation('act', kind, out, input.x, input.n);
      return rowError(out, ref, 1, input.n);
    }),
  );
  rows.push({ operator: `activation ${kind}`, inputs: input.name, errors });
}

console.log(
  formatTable(
    ['operator', 'inputs', ...CODES.flatMap((c) => TIMESTEPS.map((T) => `${c.name} T = ${T}`))],
    rows.map((r) => [r.operator, r.inputs, ...r.errors.map((e) => e.toExponential(1))]),
  ),
);

const report = {
  generatedAt: new Date().toISOString(),
  environment: {
    ...nodeEnvironment(),
    wasmBuild: kernels.variant,
  },
  metric: 'worst row of max|y - y_float| / max|y_float|, spiking operator against the float OpSet',
  T: TIMESTEPS,
  codes: CODES,
  rows,
};
const resultsDir = new URL('./results/', import.meta.url);
await mkdir(resultsDir, { recursive: true });
await writeFile(new URL('operators.json', resultsDir), `${JSON.stringify(report, null, 2)}\n`);
console.log('\nWrote bench/results/operators.json');
