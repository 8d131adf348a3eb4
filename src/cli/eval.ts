// `mbe-snn eval llama2c|vit --T 16`: the float model and its spiking conversion side by side on the same
// data, with the conversion report and the energy report (or all of it as JSON).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatConversionReport } from '../convert/report.js';
import { Kernels } from '../kernels/index.js';
import { formatEnergyReport } from '../metrics/energy.js';
import { evaluateLlama2c } from '../tasks/llama2c.js';
import { evaluateVit } from '../tasks/vit.js';
import { intOption } from './args.js';
import { UsageError, type Command } from './command.js';
import {
  loadLlama2cData,
  loadVitData,
  MODEL_OPTIONS,
  MODEL_OPTIONS_HELP,
  neuronProvider,
  parseModelKind,
  spikingOptions,
} from './model-args.js';
import { progressBar } from './progress.js';

const HELP = `Usage: mbe-snn eval <llama2c|vit> --T <steps> [options]

Converts the model (calibrating on inputs disjoint from the evaluated ones) and evaluates the float model and
the spiking one on the same data: perplexity of each blank-line-separated paragraph scored from BOS
(llama2c), or top-1 accuracy (vit, two folds: each half calibrated on the other).

  --T <1..32>              timesteps (required)
  --limit <n>              paragraphs (default 300) or images (default all) evaluated
  --calibration <n>        calibration paragraphs (default 8) or images per fold (default 32)
  --report                 print the full conversion report
  --json                   print everything as JSON
  --out <file.json>        also write the JSON there
${MODEL_OPTIONS_HELP}`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a model and its spiking conversion side by side (perplexity or accuracy)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...MODEL_OPTIONS,
        T: { type: 'string' },
        limit: { type: 'string' },
        calibration: { type: 'string' },
        report: { type: 'boolean' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const kind = parseModelKind(positionals[0]);
    const T = intOption('T', values.T, 1, 32);
    if (T === undefined) throw new UsageError(`--T is required\n\n${HELP}`);
    const kernels = await Kernels.load();
    const common = {
      spiking: spikingOptions(values, T),
      neurons: neuronProvider(kernels, values),
      onProgress: (() => {
        const bars = { float: progressBar('float  '), spiking: progressBar('spiking') };
        return (phase: 'float' | 'spiking', done: number, total: number) => bars[phase](done, total);
      })(),
    };
    const limit = intOption('limit', values.limit, 2, 1_000_000);
    const calibrate = intOption('calibration', values.calibration, 1, 100_000);
    let summary: Record<string, unknown>;
    let text: string[];
    let reportText: string;
    let energyText: string;
    if (kind === 'llama2c') {
      const data = await loadLlama2cData(values);
      const result = evaluateLlama2c(kernels, data.checkpoint, data.tokenizer, data.text, {
        ...common,
        ...(limit === undefined ? {} : { evaluate: limit }),
        ...(calibrate === undefined ? {} : { calibrate }),
      });
      const f = result.float!;
      const s = result.spiking;
      summary = { model: 'llama2c', T, float: f, spiking: s, report: result.conversion.report, energy: result.energy };
      text = [
        `stories260K-style llama2.c model, ${s.tokens} tokens over ${limit ?? 300} paragraphs, T = ${T}`,
        `  float perplexity    ${f.perplexity.toFixed(4)}`,
        `  spiking perplexity  ${s.perplexity.toFixed(4)}  (${(100 * (s.perplexity / f.perplexity - 1)).toFixed(2)}%)`,
      ];
      reportText = formatConversionReport(result.conversion.report);
      energyText = formatEnergyReport(result.energy);
    } else {
      const data = await loadVitData(values);
      const result = evaluateVit(kernels, data.tensors, data.images, data.labels, {
        ...common,
        ...(limit === undefined ? {} : { evaluate: limit }),
        ...(calibrate === undefined ? {} : { calibrate }),
      });
      const f = result.float!;
      const s = result.spiking;
      const agree = s.predictions.reduce((n, p, i) => n + (p === f.predictions[i] ? 1 : 0), 0);
      summary = {
        model: 'vit',
        T,
        float: { correct: f.correct, total: f.total, accuracy: f.accuracy },
        spiking: { correct: s.correct, total: s.total, accuracy: s.accuracy, agreeWithFloat: agree },
        report: result.conversion.report,
        energy: result.energy,
      };
      text = [
        `ViT on ${s.total} MNIST images, T = ${T}`,
        `  float top-1    ${(100 * f.accuracy).toFixed(2)}%  (${f.correct})`,
        `  spiking top-1  ${(100 * s.accuracy).toFixed(2)}%  (${s.correct}; ${(100 * (s.accuracy - f.accuracy)).toFixed(2)} points; ` +
          `same prediction as float on ${agree})`,
      ];
      reportText = formatConversionReport(result.conversion.report);
      energyText = formatEnergyReport(result.energy);
    }
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
};
