// `mbe-snn eval <model> --T 16`: the float model and its spiking conversion side by side on the same data (the
// task's metric: perplexity, accuracy or embedding similarity), with the conversion report and the energy
// report (or all of it as JSON).
import { formatConversionReport } from '../convert/report.js';
import { ENERGY_PRESETS, energyReport, formatEnergyReport, type EnergyPrecision } from '../metrics/energy.js';
import { ARCHITECTURES } from '../models/registry.js';
import { ALLOCATION_HELP, ALLOCATION_OPTIONS, allocationRequest } from './allocation-args.js';
import { intOption, positiveOption } from './args.js';
import { command, UsageError } from './command.js';
import { describeValue } from '../describe.js';
import { EVALUATION_OPTIONS, evaluationSizes, loadData, runEvaluation } from './evaluation.js';
import { formatGoldenReport, runGoldenCheck } from './golden-check.js';
import {
  heldWeightsOption,
  MODEL_OPTIONS_HELP,
  neuronProvider,
  spikingOptions,
  weightOptions,
  loadKernels,
} from './model-args.js';
import { EMBEDDED_MODEL, resolveModel } from './model-source.js';
import { openOutput } from './output.js';
import { progressBar } from './progress.js';

const HELP = `Usage: mbe-snn eval [${EMBEDDED_MODEL}|${ARCHITECTURES.map((a) => a.name).join('|')}|<folder>] [--T <steps>] [options]

Converts the model (calibrating on inputs disjoint from the evaluated ones) and evaluates the float model and
the spiking one on the same data, by the model's task. With no model: the embedded ${EMBEDDED_MODEL} (MIT licence).
  causal LMs            perplexity of each blank-line-separated paragraph (or id line) scored from its start, or
                        with --window, sliding-window perplexity of long documents; calibration on paragraphs
                        300.. (after the evaluated ones) or on the last id lines.
                        With neither --text nor --ids (the embedded model, a folder; llama2c reads the fixtures'
                        text): no dataset. Calibration on 8 samples of the float model (seed 1), evaluation on 16
                        others (seed 2): perplexity of both on them, mean KL(float || spiking) of the next-token
                        distributions and top-1 agreement
  image classifiers     top-1 accuracy, two folds: each half calibrated on images outside it
  sequence classifiers  top-1 accuracy on --tsv rows, two folds as for images
  sequence encoders     mean and min cosine similarity of the float and spiking pooled embeddings of
                        --sentences (or --text paragraphs, --ids lines), two folds as for images

  <model>                  ${EMBEDDED_MODEL} (the default), a name below, or the path of a Hugging Face model folder
                           (config.json + safetensors)
  --T <1..32>              timesteps (default 16)
  --golden <file.json>     check the float model against a golden file (hf-tiny format) instead
  --limit <n>              paragraphs (default 300), id lines (default all but the calibration ones), samples
                           (default 16), rows, sentences or images (default all) evaluated
  --calibration <n>        calibration paragraphs, id lines or samples (default 8), rows, sentences or images
                           per fold (default 32)
  --sample-tokens <n>      tokens per sample at most, the start token included (default 256)
  --window <n>             causal LMs: sliding-window perplexity with windows of up to n tokens, as Hugging
                           Face's perplexity guide (the evaluated paragraphs joined and tokenized once; each
                           id line a document); only tokens after the previous window are scored
  --stride <s>             tokens between window starts (default: half the window, rounded up)
  --energy <precision>     E_AC and E_MAC of Eq. 14: fp32 (default: 0.9, 4.6 pJ), fp16 (0.4, 1.5) or int8
                           (0.03, 0.23), 45 nm; the ANN at each precision is printed too
  --memory-pj <x>          add a memory-access term to Eq. 14: x pJ per byte of weights and activations moved,
                           on both sides (the spiking model's inputs as spike planes, 1 bit per neuron step)
  --report                 print the full conversion report
  --json                   print everything as JSON
  --out <file.json>        also write the JSON there
${MODEL_OPTIONS_HELP}
${ALLOCATION_HELP}`;

export const evalCommand = command({
  name: 'eval',
  summary: 'evaluate a model and its spiking conversion side by side (perplexity, accuracy or similarity)',
  options: {
    ...EVALUATION_OPTIONS,
    ...ALLOCATION_OPTIONS,
    report: { type: 'boolean' },
    json: { type: 'boolean' },
    golden: { type: 'string' },
    energy: { type: 'string' },
    'memory-pj': { type: 'string' },
  },
  help: HELP,
  positionals: { max: 1, what: 'the model' },
  async run({ values, positionals }) {
    const source = await resolveModel(positionals[0], values);
    const { entry } = source;
    if (values.golden !== undefined) {
      const report = await runGoldenCheck(await loadKernels(values), source, values.golden, weightOptions(values));
      console.log(values.json ? JSON.stringify(report, null, 2) : formatGoldenReport(report));
      return report.pass ? 0 : 1;
    }
    const T = intOption('T', values.T, 1, 32) ?? 16;
    const precision = energyPrecision(values.energy);
    const allocate = allocationRequest(values);
    const memory = positiveOption('memory-pj', values['memory-pj']);
    const out = await openOutput(values.out); // before the work: a bad path fails now
    const kernels = await loadKernels(values);
    const bars = { float: progressBar('float  '), spiking: progressBar('spiking') };
    const outcome = runEvaluation(kernels, entry, await loadData(source, values), {
      spiking: spikingOptions(values, T),
      neurons: neuronProvider(kernels, values),
      ...heldWeightsOption(values),
      ...(allocate ? { allocate } : {}),
      onProgress: (phase, done, total) => bars[phase](done, total),
      ...evaluationSizes(values),
      ...(source.embedded ? { embedded: source.embedded } : {}),
    });
    const energy = energyReport(
      outcome.energy.sites,
      ENERGY_PRESETS[precision],
      memory === undefined ? undefined : { pjPerByte: memory },
    );
    const summary = { ...outcome.summary, report: outcome.report, energy };
    const reportText = formatConversionReport(outcome.report);
    const energyText = formatEnergyReport(energy);
    const text = outcome.lines;
    const json = `${JSON.stringify(summary, null, 2)}\n`;
    await out?.write(json);
    if (values.json) {
      process.stdout.write(json);
      return 0;
    }
    console.log(text.join('\n'));
    console.log(`\n${values.report ? reportText : reportText.split('\n\n')[0]}`);
    console.log(`\n${energyText}`);
    return 0;
  },
});

/** --energy: one of the presets' precisions (default fp32, the paper's constants). */
function energyPrecision(value: string | undefined): EnergyPrecision {
  if (value === undefined) return 'fp32';
  if (!Object.hasOwn(ENERGY_PRESETS, value)) {
    throw new UsageError(
      `--energy must be one of ${Object.keys(ENERGY_PRESETS).join(', ')}, got ${describeValue(value, 24)}`,
    );
  }
  return value as EnergyPrecision;
}
