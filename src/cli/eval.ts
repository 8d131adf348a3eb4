// `mbe-snn eval <model> --T 16`: the float model and its spiking conversion side by side on the same data (the
// task's metric: perplexity, accuracy or embedding similarity), with the conversion report and the energy
// report (or all of it as JSON).
import { writeFile } from 'node:fs/promises';
import { formatConversionReport } from '../convert/report.js';
import { Kernels } from '../kernels/index.js';
import { formatEnergyReport } from '../metrics/energy.js';
import { ARCHITECTURES } from '../models/registry.js';
import { intOption } from './args.js';
import { command, UsageError } from './command.js';
import { EVALUATION_OPTIONS, loadData, runEvaluation } from './evaluation.js';
import { formatGoldenReport, runGoldenCheck } from './golden-check.js';
import { MODEL_OPTIONS_HELP, neuronProvider, slidingWindowOption, spikingOptions } from './model-args.js';
import { resolveModel } from './model-source.js';
import { progressBar } from './progress.js';

const HELP = `Usage: mbe-snn eval <${ARCHITECTURES.map((a) => a.name).join('|')}> --T <steps> [options]

Converts the model (calibrating on inputs disjoint from the evaluated ones) and evaluates the float model and
the spiking one on the same data, by the model's task:
  causal LMs            perplexity of each blank-line-separated paragraph (or id line) scored from its start, or
                        with --window, sliding-window perplexity of long documents; calibration on paragraphs
                        300.. (after the evaluated ones) or on the last id lines
  image classifiers     top-1 accuracy, two folds: each half calibrated on images outside it
  sequence classifiers  top-1 accuracy on --tsv rows, two folds as for images
  sequence encoders     mean and min cosine similarity of the float and spiking pooled embeddings of
                        --sentences (or --text paragraphs, --ids lines), two folds as for images

  <model>                  a name below, or the path of a Hugging Face model folder (config.json + safetensors)
  --T <1..32>              timesteps (required, except with --golden)
  --golden <file.json>     check the float model against a golden file (hf-tiny format) instead
  --limit <n>              paragraphs (default 300), id lines (default all but the calibration ones),
                           rows, sentences or images (default all) evaluated
  --calibration <n>        calibration paragraphs or id lines (default 8), rows, sentences or images per
                           fold (default 32)
  --window <n>             causal LMs: sliding-window perplexity with windows of up to n tokens, as Hugging
                           Face's perplexity guide (the evaluated paragraphs joined and tokenized once; each
                           id line a document); only tokens after the previous window are scored
  --stride <s>             tokens between window starts (default: half the window, rounded up)
  --report                 print the full conversion report
  --json                   print everything as JSON
  --out <file.json>        also write the JSON there
${MODEL_OPTIONS_HELP}`;

export const evalCommand = command({
  name: 'eval',
  summary: 'evaluate a model and its spiking conversion side by side (perplexity, accuracy or similarity)',
  options: {
    ...EVALUATION_OPTIONS,
    report: { type: 'boolean' },
    json: { type: 'boolean' },
    golden: { type: 'string' },
  },
  help: HELP,
  async run({ values, positionals }) {
    const source = await resolveModel(positionals[0], values);
    const { entry } = source;
    if (values.golden !== undefined) {
      const report = await runGoldenCheck(await Kernels.load(), source, values.golden);
      console.log(values.json ? JSON.stringify(report, null, 2) : formatGoldenReport(report));
      return report.pass ? 0 : 1;
    }
    const T = intOption('T', values.T, 1, 32);
    if (T === undefined) throw new UsageError(`--T is required\n\n${HELP}`);
    const kernels = await Kernels.load();
    const bars = { float: progressBar('float  '), spiking: progressBar('spiking') };
    const limit = intOption('limit', values.limit, 2, 1_000_000);
    const calibrate = intOption('calibration', values.calibration, 1, 100_000);
    const slidingWindow = slidingWindowOption(values);
    const outcome = runEvaluation(kernels, entry, await loadData(source, values), {
      spiking: spikingOptions(values, T),
      neurons: neuronProvider(kernels, values),
      onProgress: (phase, done, total) => bars[phase](done, total),
      ...(limit === undefined ? {} : { evaluate: limit }),
      ...(calibrate === undefined ? {} : { calibrate }),
      ...(slidingWindow ? { slidingWindow } : {}),
    });
    const summary = { ...outcome.summary, report: outcome.report, energy: outcome.energy };
    const reportText = formatConversionReport(outcome.report);
    const energyText = formatEnergyReport(outcome.energy);
    const text = outcome.lines;
    const json = `${JSON.stringify(summary, null, 2)}\n`;
    if (values.out) await writeFile(values.out, json);
    if (values.json) {
      process.stdout.write(json);
      return 0;
    }
    console.log(text.join('\n'));
    console.log(`\n${values.report ? reportText : reportText.split('\n')[0]}`);
    console.log(`\n${energyText}`);
    return 0;
  },
});
