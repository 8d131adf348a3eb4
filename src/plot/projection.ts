// Projects a plot's series into axis units: drops the points an axis cannot show, breaks lines there, and counts why.

import type { Series } from './options.js';
import { transform } from './scale.js';

/** A point in axis units. */
export type Point = [number, number];

export interface Projection {
  /** Per series, its runs of consecutive shown points (a dropped point ends a run). */
  readonly segments: readonly (readonly (readonly Point[])[])[];
  /** The range of the shown points in axis units (lo > hi when none is shown). */
  readonly xLo: number;
  readonly xHi: number;
  readonly yLo: number;
  readonly yHi: number;
  /** A one-line account of what was plotted and skipped, for the plot's `<desc>`. */
  readonly summary: string;
}

export function project(series: readonly Series[], logX: boolean, logY: boolean): Projection {
  let skippedX = 0;
  let skippedY = 0;
  let skippedNonFinite = 0;
  let plotted = 0;
  let xLo = Infinity;
  let xHi = -Infinity;
  let yLo = Infinity;
  let yHi = -Infinity;
  const segments = series.map((s) => {
    const runs: Point[][] = [];
    let current: Point[] = [];
    for (const [x, y] of s.points) {
      const u = transform(x, logX);
      const v = transform(y, logY);
      if (u === undefined || v === undefined) {
        if (!Number.isFinite(x) || !Number.isFinite(y)) skippedNonFinite++;
        else if (u === undefined) skippedX++;
        else skippedY++;
        if (current.length > 0) runs.push(current);
        current = [];
        continue;
      }
      plotted++;
      xLo = Math.min(xLo, u);
      xHi = Math.max(xHi, u);
      yLo = Math.min(yLo, v);
      yHi = Math.max(yHi, v);
      current.push([u, v]);
    }
    if (current.length > 0) runs.push(current);
    return runs;
  });

  const skipped = skippedX + skippedY + skippedNonFinite;
  const reasons: string[] = [];
  if (skippedY > 0) reasons.push(`${skippedY} non-positive y on log axis`);
  if (skippedX > 0) reasons.push(`${skippedX} non-positive x on log axis`);
  if (skippedNonFinite > 0) reasons.push(`${skippedNonFinite} not finite`);
  const summary =
    `${series.length} series, ${plotted} points plotted, ${skipped} skipped` +
    (reasons.length > 0 ? ` (${reasons.join(', ')})` : '');
  return { segments, xLo, xHi, yLo, yHi, summary };
}
