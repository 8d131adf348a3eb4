// `mbe-snn sweep <model> --T 6,8,10,12,16`: the paper's Table 4 for one model of any task: the float metric,
// then the spiking metric at each T, with linear-layer input encoding on and off.
import { ARCHITECTURES } from '../models/registry.js';
import { intOption, textTable } from './args.js';
import { command, UsageError } from './command.js';
import { EVALUATION_OPTIONS, evaluationSizes, loadData, runEvaluation } from './evaluation.js';
import { heldWeightsOption, MODEL_OPTIONS_HELP, neuronProvider, spikingOptions, loadKernels } from './model-args.js';
import { EMBEDDED_MODEL, resolveModel } from './model-source.js';
import { openOutput } from './output.js';
import { progressBar } from './progress.js';

const HELP = `Usage: mbe-snn sweep [${EMBEDDED_MODEL}|${ARCHITECTURES.map((a) => a.name).join('|')}|<folder>] [--T 6,8,10,12,16] [options]

The float model and its spiking conversion at each T, with linear-layer inputs encoded and not
(the paper's Table 4 form). Takes the options of "mbe-snn eval" except --T; with no model, the embedded
${EMBEDDED_MODEL} on its own samples, as eval.

  --T <list>           timesteps (default 6,8,10,12,16)
  --encoding <which>   both (default) | on | off
  --limit, --calibration, --window, --stride, --sample-tokens, --out <file.json>: as for eval
${MODEL_OPTIONS_HELP}`;

export const sweepCommand = command({
  name: 'sweep',
  summary: "a timestep sweep of a converted model in the form of the paper's Table 4",
  options: {
    ...EVALUATION_OPTIONS,
    encoding: { type: 'string' },
  },
  help: HELP,
  positionals: { max: 1, what: 'the model' },
  async run({ values, positionals }) {
    const source = await resolveModel(positionals[0], values);
    const { entry } = source;
    const timesteps = (values.T ?? '6,8,10,12,16').split(',').map((t) => intOption('T', t, 1, 32) as number);
    const encoding = values.encoding ?? 'both';
    if (!['both', 'on', 'off'].includes(encoding))
      throw new UsageError(`--encoding must be both, on or off, got "${encoding}"`);
    const encodings = encoding === 'both' ? [true, false] : [encoding === 'on'];
    const kernels = await loadKernels(values);
    const neurons = neuronProvider(kernels, values);
    const sizes = evaluationSizes(values);
    const out = await openOutput(values.out); // before the work: a bad path fails now
    const cells: Array<{ T: number; encodeLinear: boolean; value: number }> = [];
    let floatValue = NaN;
    let metric = '';
    let decimals = 2;
    const data = await loadData(source, values);
    for (const encodeLinear of encodings) {
      for (const T of timesteps) {
        const spiking = spikingOptions({ ...values, 'no-encode-linear': !encodeLinear }, T);
        const bar = progressBar(`T = ${String(T).padEnd(2)} ${encodeLinear ? 'encoded' : 'float-in'}`);
        const outcome = runEvaluation(kernels, entry, data, {
          spiking,
          neurons,
          ...heldWeightsOption(values),
          skipFloat: !Number.isNaN(floatValue),
          onProgress: (phase, done, total) => {
            if (phase === 'spiking') bar(done, total);
          },
          ...sizes,
        });
        if (!Number.isNaN(outcome.float)) floatValue = outcome.float;
        metric = outcome.metric;
        decimals = outcome.decimals;
        cells.push({ T, encodeLinear, value: outcome.spiking });
      }
    }
    const format = (v: number) => v.toFixed(decimals);
    const rows = encodings.map((encodeLinear) => [
      `${entry.name}, linear inputs ${encodeLinear ? 'encoded' : 'float'}`,
      format(floatValue),
      ...timesteps.map((T) => format(cells.find((c) => c.T === T && c.encodeLinear === encodeLinear)!.value)),
    ]);
    console.log(`\n${metric}:`);
    console.log(textTable(['model', 'float', ...timesteps.map((T) => `T = ${T}`)], rows));
    await out?.write(`${JSON.stringify({ model: entry.name, metric, float: floatValue, cells, sizes }, null, 2)}\n`);
    return 0;
  },
});
