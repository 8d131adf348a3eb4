// `mbe-snn frontier <model>`: the accuracy-energy trade-off of one model's conversions: uniform T with binary and
// signed-digit codes, and (causal LMs, image classifiers) per-site timesteps allocated within several budgets; a table, a JSON file
// and an SVG plot of the metric against E_SNN / E_ANN with the Pareto front marked.
import { ARCHITECTURES } from '../models/registry.js';
import { linePlot } from '../plot/index.js';
import type { Allocation, AllocationRequest } from '../tasks/allocate.js';
import { allocationRequest } from './allocation-args.js';
import { intOption, textTable } from './args.js';
import { command, UsageError } from './command.js';
import { EVALUATION_OPTIONS, evaluationSizes, loadData, runEvaluation } from './evaluation.js';
import { heldWeightsOption, MODEL_OPTIONS_HELP, neuronProvider, spikingOptions, loadKernels } from './model-args.js';
import { EMBEDDED_MODEL, resolveModel } from './model-source.js';
import { openOutput } from './output.js';
import { progressBar } from './progress.js';

const DEFAULT_BUDGETS = 'kl:0.004,kl:0.006,kl:0.007,kl:0.008';
const DEFAULT_ALLOCATION_LEVELS = '12,10,8,6';

const HELP = `Usage: mbe-snn frontier [${EMBEDDED_MODEL}|${ARCHITECTURES.map((a) => a.name).join('|')}|<folder>] [options]

Operating points of a model's conversion: every T of --T with binary and with signed-digit identity codes, and
(causal LMs, image classifiers) per-site timesteps allocated on the calibration inputs within each budget of --budgets (signed-digit
code, levels --levels). Prints a table, and writes the points and the Pareto front as JSON (--out) and as an SVG plot
of the metric against E_SNN / E_ANN (--svg). Takes the options of "mbe-snn eval" except --T and --code.

  --T <list>           timesteps (default 16,12,10,8,6)
  --budgets <list>     allocation budgets, each as eval's --budget (default ${DEFAULT_BUDGETS}; "none" for none)
  --levels <T,...>     the timesteps an allocation may give a site (default ${DEFAULT_ALLOCATION_LEVELS})
  --code-levels <T,...> further timesteps for the sites that are identity codes alone, as eval's (default none)
  --svg <file.svg>     write the plot there
  --limit, --calibration, --window, --stride, --sample-tokens, --out <file.json>: as for eval
${MODEL_OPTIONS_HELP}`;

/** One operating point: how it was converted, its metric and its energy (Eq. 14 at the default constants). */
export interface FrontierPoint {
  readonly label: string;
  readonly kind: 'uniform' | 'allocated';
  readonly code: 'binary' | 'signed-digit';
  readonly T: number;
  readonly budget?: string;
  readonly value: number;
  readonly energyRatio: number;
  /** Allocations: the T each site got, counted. */
  readonly siteT?: Readonly<Record<string, number>>;
  onFront?: boolean;
}

/** Marks the points no other point beats on both energy (lower) and the metric (lower or higher is better). */
export function markParetoFront(points: FrontierPoint[], lowerIsBetter: boolean): FrontierPoint[] {
  const better = (a: number, b: number) => (lowerIsBetter ? a < b : a > b);
  for (const p of points) {
    p.onFront = !points.some(
      (q) =>
        q !== p &&
        q.energyRatio <= p.energyRatio &&
        !better(p.value, q.value) &&
        (q.energyRatio < p.energyRatio || better(q.value, p.value)),
    );
  }
  return points.filter((p) => p.onFront).sort((a, b) => a.energyRatio - b.energyRatio);
}

export function frontierSvg(model: string, metric: string, float: number, points: readonly FrontierPoint[]): string {
  const lowerIsBetter = metric === 'perplexity';
  const series = (kind: FrontierPoint['kind'], code: FrontierPoint['code'], label: string) => ({
    label,
    markers: true,
    points: points
      .filter((p) => p.kind === kind && p.code === code)
      .map((p) => [100 * p.energyRatio, p.value] as const)
      .sort((a, b) => a[0] - b[0]),
  });
  const front = points.filter((p) => p.onFront).sort((a, b) => a.energyRatio - b.energyRatio);
  const xs = points.map((p) => 100 * p.energyRatio);
  return linePlot({
    title: `${model}: ${metric} against energy`,
    xLabel: 'E_SNN / E_ANN, % (fp32, Eq. 14)',
    yLabel: lowerIsBetter ? `${metric} (lower is better)` : `${metric} (higher is better)`,
    series: [
      series('uniform', 'binary', 'uniform T, binary code'),
      series('uniform', 'signed-digit', 'uniform T, signed digits'),
      series('allocated', 'signed-digit', 'allocated T, signed digits'),
      { label: 'Pareto front', dashed: true, points: front.map((p) => [100 * p.energyRatio, p.value] as const) },
      {
        label: `float (${float.toFixed(lowerIsBetter ? 3 : 2)})`,
        dashed: true,
        points: [[Math.min(...xs), float] as const, [Math.max(...xs), float] as const],
      },
    ].filter((s) => s.points.length > 0),
  });
}

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
    const timesteps = (values.T ?? '16,12,10,8,6').split(',').map((t) => intOption('T', t, 1, 32) as number);
    const allocatable = entry.task === 'causal-lm' || entry.task === 'image-classifier';
    const budgetList = values.budgets ?? (allocatable ? DEFAULT_BUDGETS : 'none');
    const budgets: { text: string; request: AllocationRequest }[] =
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
    const points: FrontierPoint[] = [];
    let float = NaN;
    let metric = '';
    let decimals = 2;
    const evaluate = (label: string, T: number, code: FrontierPoint['code'], allocate?: AllocationRequest) => {
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
    for (const code of ['binary', 'signed-digit'] as const) {
      for (const T of timesteps) {
        const label = `T = ${T}, ${code}`;
        points.push({ label, kind: 'uniform', code, T, ...evaluate(label, T, code) });
      }
    }
    for (const { text, request } of budgets) {
      const label = `allocated, ${text}`;
      const T = timesteps[0] as number;
      points.push({
        label,
        kind: 'allocated',
        code: 'signed-digit',
        T,
        budget: text,
        ...evaluate(label, T, 'signed-digit', request),
      });
    }
    const lowerIsBetter = metric === 'perplexity';
    const front = markParetoFront(points, lowerIsBetter);
    const change = (v: number) =>
      lowerIsBetter ? `${(100 * (v / float - 1)).toFixed(2)}%` : `${(v - float).toFixed(2)} points`;
    const rows = points.map((p) => [
      p.label,
      p.value.toFixed(decimals),
      change(p.value),
      `${(100 * p.energyRatio).toFixed(1)}%`,
      p.onFront ? 'yes' : '',
    ]);
    console.log(`\n${entry.name}: ${metric} (float ${float.toFixed(decimals)}) against E_SNN / E_ANN (fp32, Eq. 14):`);
    console.log(textTable(['operating point', metric, 'vs float', 'E_SNN / E_ANN', 'Pareto front'], rows));
    const json = { model: entry.name, metric, float, sizes, points, front: front.map((p) => p.label) };
    await out?.write(`${JSON.stringify(json, null, 2)}\n`);
    await svgOut?.write(frontierSvg(entry.name, metric, float, points));
    return 0;
  },
});
