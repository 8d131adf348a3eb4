// The frontier plot: a metric against E_SNN / E_ANN for each kind of operating point, the Pareto front dashed and
// the float model's level, as the frontier command writes it and the demo page shows it.
import { linePlot } from './svg.js';

/** What the plot reads of an operating point (tasks/frontier.ts FrontierPoint has these fields). */
export interface FrontierPlotPoint {
  readonly kind: 'uniform' | 'allocated';
  readonly code: 'binary' | 'signed-digit';
  readonly value: number;
  readonly energyRatio: number;
  readonly onFront?: boolean;
}

export function frontierSvg(
  model: string,
  metric: string,
  float: number,
  points: readonly FrontierPlotPoint[],
): string {
  const lowerIsBetter = metric === 'perplexity';
  const series = (kind: FrontierPlotPoint['kind'], code: FrontierPlotPoint['code'], label: string) => ({
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
