// The SVG documents the plot entry writes: one line plot, or a grid of them as nested <svg> elements.

import { InvalidArgumentError } from '../errors.js';
import { renderPanel } from './line-plot.js';
import type { GridPlotOptions, LinePlotOptions } from './options.js';
import { TITLE_SIZE, num, preamble, svgElement, titleText } from './svg-elements.js';

export type { GridPlotOptions, LinePlotOptions, Series } from './options.js';
export { PALETTE } from './palette.js';
export { escapeXml } from './svg-elements.js';

const GRID_TITLE_HEIGHT = 34;

/** A complete standalone SVG document with one line plot. */
export function linePlot(options: LinePlotOptions): string {
  const panel = renderPanel(options);
  return `${svgElement(panel.width, panel.height, panel.body)}\n`;
}

/** Several line plots in one SVG document, laid out row by row in `columns` columns, as nested <svg> elements. */
export function gridPlot(options: GridPlotOptions): string {
  const { columns } = options;
  if (!Number.isInteger(columns) || columns < 1) {
    throw new InvalidArgumentError(`columns must be a positive integer, got ${columns}`);
  }
  const panels = options.panels.map(renderPanel);
  const cellW = Math.max(0, ...panels.map((p) => p.width));
  const cellH = Math.max(0, ...panels.map((p) => p.height));
  const rows = Math.ceil(panels.length / columns);
  const top = options.title !== '' ? GRID_TITLE_HEIGHT : 0;
  const width = Math.max(1, Math.min(columns, panels.length) * cellW);
  const height = Math.max(1, top + rows * cellH);
  const out = preamble(options.title, `${panels.length} panels in ${rows} rows of up to ${columns}`, width, height);
  if (options.title !== '') out.push(titleText(width, TITLE_SIZE + 12, TITLE_SIZE + 2, options.title));
  panels.forEach((p, k) => {
    const x = (k % columns) * cellW;
    const y = top + Math.floor(k / columns) * cellH;
    out.push(svgElement(p.width, p.height, p.body, ` x="${num(x)}" y="${num(y)}"`));
  });
  return `${svgElement(width, height, out.join('\n'))}\n`;
}
