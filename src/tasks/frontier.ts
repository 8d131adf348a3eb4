// The accuracy-energy frontier of one model's conversion: its operating points (every T with the binary and the
// signed-digit identity code, then per-site timesteps allocated within each budget) and which of them no other
// point beats. The evaluation of a point is the caller's (a task's metric on its data), so the CLI's frontier
// command and the demo page share the points, the order they are run in and the front.
import type { AllocationRequest, TimestepBudget } from './allocate.js';

/** The timesteps an allocated point may give a site (the largest is where every site starts). */
export const FRONTIER_ALLOCATION_LEVELS: readonly number[] = [12, 10, 8, 6];
/** Uniform timesteps of a frontier when none are given. */
export const FRONTIER_TIMESTEPS: readonly number[] = [16, 12, 10, 8, 6];

/** One operating point: how it was converted, its metric and its energy (Eq. 14 at the default constants). */
export interface FrontierPoint {
  readonly label: string;
  readonly kind: 'uniform' | 'allocated';
  readonly code: 'binary' | 'signed-digit';
  readonly T: number;
  readonly budget?: string;
  readonly value: number;
  readonly energyRatio: number;
  /** Allocations: the T each site got. */
  readonly siteT?: Readonly<Record<string, number>>;
  onFront?: boolean;
}

/** What evaluating one operating point gives. */
export interface PointResult {
  readonly value: number;
  readonly energyRatio: number;
  readonly siteT?: Readonly<Record<string, number>>;
}

/** A budget as written (kl:0.007) and the allocation it asks for. */
export interface FrontierBudget {
  readonly text: string;
  readonly request: AllocationRequest;
}

/** Converts and scores one operating point: spiking options T and code, and an allocation when asked. */
export type EvaluatePoint = (
  label: string,
  T: number,
  code: FrontierPoint['code'],
  allocate?: AllocationRequest,
) => PointResult;

/**
 * Every T of `timesteps` with the binary code, then with signed digits, then each budget (signed digits, spiking
 * options at the first T), each evaluated in that order.
 */
export function frontierPoints(
  timesteps: readonly number[],
  budgets: readonly FrontierBudget[],
  evaluate: EvaluatePoint,
): FrontierPoint[] {
  const points: FrontierPoint[] = [];
  for (const code of ['binary', 'signed-digit'] as const) {
    for (const T of timesteps) {
      const label = `T = ${T}, ${code}`;
      points.push({ label, kind: 'uniform', code, T, ...evaluate(label, T, code) });
    }
  }
  for (const { text, request } of budgets) {
    const label = `allocated, ${text}`;
    const T = timesteps[0] as number;
    const result = evaluate(label, T, 'signed-digit', request);
    points.push({ label, kind: 'allocated', code: 'signed-digit', T, budget: text, ...result });
  }
  return points;
}

/** A budget as the CLI and the page write it, kl:<nats below 100> or agreement:<fraction>; undefined if malformed. */
export function parseBudget(text: string): TimestepBudget | undefined {
  const match = /^(kl|agreement):([0-9]*\.?[0-9]+(?:e-?\d+)?)$/.exec(text.trim());
  const value = match ? Number(match[2]) : NaN;
  const metric = match?.[1] as 'kl' | 'agreement' | undefined;
  if (!metric || !(metric === 'kl' ? value < 100 : value <= 1)) return undefined;
  return { metric, value };
}

/** A point's metric against the float model's, as the frontier tables print it: +0.41% (perplexity) or -0.26 points. */
export function changeFromFloat(value: number, float: number, lowerIsBetter: boolean): string {
  return lowerIsBetter ? `${(100 * (value / float - 1)).toFixed(2)}%` : `${(value - float).toFixed(2)} points`;
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
