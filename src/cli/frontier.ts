// `mbe-snn frontier <model>`: the accuracy-energy trade-off of one model's conversions: uniform T with binary and
// signed-digit codes, and (causal LMs, image classifiers) per-site timesteps allocated within several budgets; a table, a JSON file
// and an SVG plot of the metric against E_SNN / E_ANN with the Pareto front marked.
import { ARCHITECTURES } from '../models/registry.js';
import { frontierSvg } from '../plot/index.js';
import type { Allocation, AllocationRequest } from '../tasks/allocate.js';
import {
  FRONTIER_ALLOCATION_LEVELS,
  FRONTIER_TIMESTEPS,
  changeFromFloat,
  frontierPoints,
  markParetoFront,
  type EvaluatePoint,
  type FrontierBudget,
} from '../tasks/frontier.js';
import { allocationRequest } from './allocation-args.js';
import { intOption, textTable } from './args.js';
import { command, UsageError } from './command.js';
import { EVALUATION_OPTIONS, evaluationSizes, loadData, runEvaluation } from './evaluation.js';
import { heldWeightsOption, MODEL_OPTIONS_HELP, neuronProvider, spikingOptions, loadKernels } from './model-args.js';
import { EMBEDDED_MODEL, resolveModel } from './model-source.js';
import { openOutput } from './output.js';
import { progressBar } from './progress.js';

const DEFAULT_BUDGETS = 'kl:0.004,kl:0.006,kl:0.007,kl:0.008';
const DEFAULT_ALLOCATION_LEVELS = FRONTIER_ALLOCATION_LEVELS.join(',');

const HELP = `Usage: mbe-snn frontier [${EMBEDDED_MODEL}|${ARCHITECTURES.map((a) => a.name).join('|')}|<folder>] [options]

Operating points of a model's conversion: every T of --T with binary and with signed-digit identity codes, and
(causal LMs, image classifiers) per-site timesteps allocated on the calibration inputs within each budget of --budgets (signed-digit
code, levels --levels). Prints a table, and writes the points and the Pareto front as JSON (--out) and as an SVG plot
of the metric against E_SNN / E_ANN (--svg). Takes the options of "mbe-snn eval" except --T and --code.

  --T <list>           timesteps (default ${FRONTIER_TIMESTEPS.join(',')})
  --budgets <list>     allocation budgets, each as eval's --budget (default ${DEFAULT_BUDGETS}; "none" for none)
  --levels <T,...>     the timesteps an allocation may give a site (default ${DEFAULT_ALLOCATION_LEVELS})
  --code-levels <T,...> further timesteps for the sites that are identity codes alone, as eval's (default none)
  --svg <file.svg>     write the plot there
  --limit, --calibration, --window, --stride, --sample-tokens, --out <file.json>: as for eval
${MODEL_OPTIONS_HELP}`;

export const frontierCommand = command({
  name: 'frontier',
  summary: 'operating points of a conversion: metric against energy, uniform and allocated T, with the Pareto front',
  options: {
    ...EVALUATION_OPTIONS,
    budgets: { type: 'string' },
    levels: { type: 'string' },
    'code-levels': { type: 'string' },
    svg: { type: 'string' },
  },
  help: HELP,
  positionals: { max: 1, what: 'the model' },
  async run({ values, positionals }) {
    if (values.code !== undefined) {
      throw new UsageError('frontier runs both codes itself: leave out --code');
    }
    const source = await resolveModel(positionals[0], values);
    const { entry } = source;
    const timesteps = (values.T ?? FRONTIER_TIMESTEPS.join(','))
      .split(',')
      .map((t) => intOption('T', t, 1, 32) as number);
    const allocatable = entry.task === 'causal-lm' || entry.task === 'image-classifier';
    const budgetList = values.budgets ?? (allocatable ? DEFAULT_BUDGETS : 'none');
    const budgets: FrontierBudget[] =
      budgetList === 'none'
        ? []
        : budgetList.split(',').map((text) => ({
            text,
            request: allocationRequest({
              budget: text,
              levels: values.levels ?? DEFAULT_ALLOCATION_LEVELS,
              ...(values['code-levels'] !== undefined ? { 'code-levels': values['code-levels'] } : {}),
            }) as AllocationRequest,
          }));
    if (budgets.length > 0 && !allocatable) {
      throw new UsageError(
        `--budgets applies to causal language models and image classifiers for now; ${entry.name} is a ${entry.task}`,
      );
    }
    const kernels = await loadKernels(values);
    const neurons = neuronProvider(kernels, values);
    const sizes = evaluationSizes(values);
    const out = await openOutput(values.out); // before the work: a bad path fails now
    const svgOut = await openOutput(values.svg, '--svg');
    const data = await loadData(source, values);
    let float = NaN;
    let metric = '';
    let decimals = 2;
    const evaluate: EvaluatePoint = (label, T, code, allocate) => {
      const bar = progressBar(label.padEnd(24).slice(0, 24));
      const outcome = runEvaluation(kernels, entry, data, {
        spiking: { ...spikingOptions(values, T), code },
        neurons,
        ...heldWeightsOption(values),
        skipFloat: !Number.isNaN(float),
        onProgress: (phase, done, total) => {
          if (phase === 'spiking') bar(done, total);
        },
        ...(allocate ? { allocate } : {}),
        ...sizes,
      });
      if (!Number.isNaN(outcome.float)) float = outcome.float;
      ({ metric, decimals } = outcome);
      // a classifier's two folds are allocated apart: the first fold's choice stands for both in the table
      const summary = outcome.summary as { allocation?: Allocation; allocations?: Allocation[] };
      const siteT = (summary.allocation ?? summary.allocations?.[0])?.siteT;
      return { value: outcome.spiking, energyRatio: outcome.energy.totals.ratio, ...(siteT ? { siteT } : {}) };
    };
    const points = frontierPoints(timesteps, budgets, evaluate);
    const lowerIsBetter = metric === 'perplexity';
    const front = markParetoFront(points, lowerIsBetter);
    const rows = points.map((p) => [
      p.label,
      p.value.toFixed(decimals),
      changeFromFloat(p.value, float, lowerIsBetter),
      `${(100 * p.energyRatio).toFixed(1)}%`,
      p.onFront ? 'yes' : '',
    ]);
    const spikeCost = spikingOptions(values, 1).spikeCost ?? 0;
    const rounding =
      spikeCost > 0 ? `, linear and convolution inputs rounded spike-aware at spike cost ${spikeCost}` : '';
    console.log(
      `\n${entry.name}: ${metric} (float ${float.toFixed(decimals)}) against E_SNN / E_ANN (fp32, Eq. 14)${rounding}:`,
    );
    console.log(textTable(['operating point', metric, 'vs float', 'E_SNN / E_ANN', 'Pareto front'], rows));
    const json = { model: entry.name, metric, float, sizes, spikeCost, points, front: front.map((p) => p.label) };
    await out?.write(`${JSON.stringify(json, null, 2)}\n`);
    await svgOut?.write(frontierSvg(entry.name, metric, float, points));
    return 0;
  },
});
