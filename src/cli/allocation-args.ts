// --budget and --levels: per-site timesteps allocated on the calibration inputs (tasks/allocate.ts), and how the
// chosen allocation is printed.
import { describeValue } from '../describe.js';
import { DEFAULT_LEVELS, type Allocation, type AllocationRequest } from '../tasks/allocate.js';
import { parseBudget } from '../tasks/frontier.js';
import { UsageError } from './command.js';

export const ALLOCATION_OPTIONS = {
  budget: { type: 'string' },
  levels: { type: 'string' },
  'code-levels': { type: 'string' },
} as const;

export const ALLOCATION_HELP = `Per-site timesteps (causal LMs, image classifiers: each fold on its own calibration images):
  --budget <b>             choose each site's T on the calibration inputs within a budget, least energy first:
                           kl:<nats> (mean KL(float || spiking) of the output distributions, e.g. kl:0.004)
                           or agreement:<fraction> (top-1 agreement with float, e.g. agreement:0.97)
  --levels <T,...>         the timesteps a site may get (default ${DEFAULT_LEVELS.join(',')}; the largest is where
                           every site starts)
  --code-levels <T,...>    further timesteps below --levels for the sites that are identity codes alone (linear
                           inputs, products, pooling: no neuron to fit), e.g. 5,4; default none`;

/** The allocation the options ask for (undefined without --budget). */
export function allocationRequest(values: {
  budget?: string;
  levels?: string;
  'code-levels'?: string;
}): AllocationRequest | undefined {
  if (values.budget === undefined) {
    for (const name of ['levels', 'code-levels'] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} needs --budget <kl:nats | agreement:fraction>`);
    }
    return undefined;
  }
  const budget = parseBudget(values.budget);
  if (!budget) {
    throw new UsageError(
      `--budget takes kl:<nats below 100> or agreement:<fraction in [0, 1]>, got ${describeValue(values.budget, 40)}`,
    );
  }
  const levels = timestepList('levels', values.levels, '12,10,8,6');
  const codeLevels = values['code-levels'] === 'none' ? [] : timestepList('code-levels', values['code-levels'], '5,4');
  return { budget, ...(levels ? { levels } : {}), ...(codeLevels ? { codeLevels } : {}) };
}

/** A comma-separated list of timesteps in 1..32 (undefined when the option is absent). */
function timestepList(name: string, text: string | undefined, example: string): number[] | undefined {
  const list = text?.split(',').map((t) => (/^\s*\d{1,2}\s*$/.test(t) ? Number(t) : NaN));
  if (list && (list.length === 0 || list.some((T) => !(T >= 1 && T <= 32)))) {
    throw new UsageError(`--${name} takes timesteps in 1..32, e.g. ${example}; got ${describeValue(text, 40)}`);
  }
  return list;
}

const percent = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Lines for the terminal: the budget, what was measured on the calibration inputs, and the T each site got. */
export function allocationLines(allocation: Allocation): string[] {
  const { budget, uniform, allocated } = allocation;
  const measure = (r: { kl: number; agreement: number }) =>
    `KL ${r.kl.toExponential(2)} nats, top-1 agreement ${percent(r.agreement)}`;
  const counts = new Map<number, number>();
  for (const T of Object.values(allocation.siteT)) counts.set(T, (counts.get(T) ?? 0) + 1);
  const histogram = [...counts.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([T, n]) => `${n} at T = ${T}`)
    .join(', ');
  return [
    `Allocation: budget ${budget.metric === 'kl' ? `KL <= ${budget.value} nats` : `top-1 agreement >= ${percent(budget.value)}`} ` +
      `on the calibration inputs${allocation.withinBudget ? '' : ' (NOT met: every site stays at the largest level)'}`,
    `  every site at T = ${allocation.levels[0]}: ${measure(uniform)}, E_SNN / E_ANN ${percent(uniform.energyRatio)} (calibration inputs)`,
    `  allocated:            ${measure(allocated)}, E_SNN / E_ANN ${percent(allocated.energyRatio)} (calibration inputs)`,
    `  sites: ${histogram}; ${allocation.evaluations} spiking runs in ${allocation.seconds.toFixed(0)} s, ` +
      `${percent(allocation.replayed)} of the sensitivity runs' calls replayed (the report lists each site's T)`,
  ];
}
