// The frontier command's Pareto front: a point is on it when no other point is at most as costly and at least as
// good, and better on one of the two; and its plot draws every kind of point, the front and the float level.
import { describe, expect, it } from 'vitest';
import { frontierSvg } from '../../src/plot/index.js';
import { markParetoFront, type FrontierPoint } from '../../src/tasks/frontier.js';

const point = (label: string, value: number, energyRatio: number): FrontierPoint => ({
  label,
  kind: label.startsWith('a') ? 'allocated' : 'uniform',
  code: 'signed-digit',
  T: 8,
  value,
  energyRatio,
});

describe('the Pareto front of operating points', () => {
  it('keeps the points nothing beats, for a metric lower or higher is better', () => {
    const points = [point('u16', 4.21, 1.0), point('u8', 4.25, 0.4), point('u6', 4.6, 0.27), point('a1', 4.22, 0.35)];
    expect(markParetoFront(points, true).map((p) => p.label)).toEqual(['u6', 'a1', 'u16']);
    expect(points.find((p) => p.label === 'u8')!.onFront).toBe(false);
    const accuracy = [point('u16', 97, 1), point('u8', 97, 0.4), point('u4', 90, 0.1)];
    expect(markParetoFront(accuracy, false).map((p) => p.label)).toEqual(['u4', 'u8']);
    const svg = frontierSvg('m', 'perplexity', 4.2, points);
    for (const label of ['uniform T, signed digits', 'allocated T, signed digits', 'Pareto front', 'float (4.200)']) {
      expect(svg).toContain(label);
    }
  });
});
