// Draws one line plot's contents: lays out the plot area and writes its grid, series, axes and legend as SVG.

import { InvalidArgumentError } from '../errors.js';
import type { LinePlotOptions, Series } from './options.js';
import { seriesColour } from './palette.js';
import { project, type Point } from './projection.js';
import { buildAxis, onAxis, type Axis } from './scale.js';
import { FONT_SIZE, TITLE_SIZE, num, preamble, strokePath, text, titleText } from './svg-elements.js';

const DEFAULT_WIDTH = 640;
const DEFAULT_HEIGHT = 400;
const CHAR_WIDTH = FONT_SIZE * 0.6; // rough sans-serif advance, for layout only
const TICK_LENGTH = 5;
const DASH = '6 4';
const MARKER_RADIUS = 3;

/** One rendered plot: its size and everything inside its <svg> element. */
export interface Panel {
  readonly width: number;
  readonly height: number;
  readonly body: string;
}

/** The plot area in pixels, and the maps from axis units onto it. */
interface Frame {
  readonly x0: number; // pixel x of the left edge
  readonly y0: number; // pixel y of the bottom edge
  readonly top: number;
  readonly plotW: number;
  readonly plotH: number;
  readonly px: (u: number) => number;
  readonly py: (v: number) => number;
}

/** A series that has a legend entry, with its index (which picks its colour). */
interface Labelled {
  readonly s: Series;
  readonly i: number;
}

function checkSize(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0)
    throw new InvalidArgumentError(`${name} must be a positive finite number, got ${v}`);
}

/** Places the plot area: title on top, tick labels and axis labels left and below, legend on the right. */
function layout(
  options: LinePlotOptions,
  width: number,
  height: number,
  xAxis: Axis,
  yAxis: Axis,
  labelled: readonly Labelled[],
): Frame {
  const yTickChars = Math.max(1, ...yAxis.ticks.map((t) => t.label.length));
  const lastX = xAxis.ticks[xAxis.ticks.length - 1];
  const left = 10 + (options.yLabel !== '' ? FONT_SIZE + 10 : 0) + yTickChars * CHAR_WIDTH + TICK_LENGTH + 4;
  const top = options.title !== '' ? TITLE_SIZE + 22 : 14;
  const bottom = TICK_LENGTH + FONT_SIZE + 8 + (options.xLabel !== '' ? FONT_SIZE + 10 : 0) + 6;
  const legendChars = Math.max(0, ...labelled.map(({ s }) => s.label.length));
  const legendWidth = labelled.length > 0 ? Math.min(width * 0.4, 12 + 24 + 6 + legendChars * CHAR_WIDTH + 8) : 0;
  const right = Math.max(legendWidth, 12, lastX === undefined ? 0 : (lastX.label.length * CHAR_WIDTH) / 2 + 4);
  const plotW = Math.max(1, width - left - right);
  const plotH = Math.max(1, height - top - bottom);
  const x0 = left;
  const y0 = top + plotH;
  return {
    x0,
    y0,
    top,
    plotW,
    plotH,
    px: (u) => x0 + ((u - xAxis.lo) / (xAxis.hi - xAxis.lo)) * plotW,
    py: (v) => y0 - ((v - yAxis.lo) / (yAxis.hi - yAxis.lo)) * plotH,
  };
}

/** Where an axis's ticks land in pixels (printed): its major ticks within its range, with their labels, and its minor ones. */
interface Marks {
  readonly major: readonly string[];
  readonly labels: readonly string[];
  readonly minor: readonly string[];
}

function marks(axis: Axis, toPixel: (u: number) => number): Marks {
  const shown = axis.ticks.filter((t) => onAxis(axis, t.at));
  return {
    major: shown.map((t) => num(toPixel(t.at))),
    labels: shown.map((t) => t.label),
    minor: axis.minor.map((u) => num(toPixel(u))),
  };
}

/** A path through the given pieces, or nothing when there are none. */
function pathOf(pieces: readonly string[], stroke: string): string[] {
  return pieces.length > 0 ? [strokePath(pieces.join(''), stroke)] : [];
}

/** Grid lines across the plot area at the major ticks, then lighter ones at the minor ticks of log axes. */
function drawGrid({ x0, y0, top, plotW }: Frame, x: Marks, y: Marks): string[] {
  const vertical = (at: string): string => `M${at} ${num(top)}V${num(y0)}`;
  const horizontal = (at: string): string => `M${num(x0)} ${at}H${num(x0 + plotW)}`;
  return [
    ...pathOf([...x.major.map(vertical), ...y.major.map(horizontal)], '#e0e0e0'),
    ...pathOf([...x.minor.map(vertical), ...y.minor.map(horizontal)], '#f2f2f2'),
  ];
}

/** One path per series (runs broken at skipped points), and circles for markers and isolated points. */
function drawSeries(
  { px, py }: Frame,
  series: readonly Series[],
  segments: readonly (readonly (readonly Point[])[])[],
): string[] {
  return series.map((s, i) => {
    const colour = seriesColour(i);
    const runs = segments[i]!;
    const d = runs
      .filter((run) => run.length > 1)
      .map((run) => run.map(([u, v], k) => `${k === 0 ? 'M' : 'L'}${num(px(u))} ${num(py(v))}`).join(''))
      .join('');
    const parts: string[] = [];
    if (d !== '') {
      parts.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.75" stroke-linejoin="round" stroke-linecap="round"${dashAttribute(s)}/>`,
      );
    }
    const dots = runs.filter((run) => s.markers === true || run.length === 1).flat();
    if (dots.length > 0) {
      const circles = dots.map(([u, v]) => `<circle cx="${num(px(u))}" cy="${num(py(v))}" r="${MARKER_RADIUS}"/>`);
      parts.push(`<g fill="${colour}" stroke="#ffffff" stroke-width="0.75">${circles.join('')}</g>`);
    }
    return `<g class="series">${parts.join('')}</g>`;
  });
}

function dashAttribute(s: Series): string {
  return s.dashed === true ? ` stroke-dasharray="${DASH}"` : '';
}

/** The frame around the plot area, tick marks, tick labels and the two axis labels. */
function drawAxes(
  { x0, y0, top, plotW, plotH }: Frame,
  x: Marks,
  y: Marks,
  options: LinePlotOptions,
  height: number,
): string[] {
  const below = (length: number) => (at: string) => `M${at} ${num(y0)}v${length}`;
  const beside = (length: number) => (at: string) => `M${num(x0)} ${at}h${-length}`;
  const ticks = [
    ...x.major.map(below(TICK_LENGTH)),
    ...y.major.map(beside(TICK_LENGTH)),
    ...x.minor.map(below(TICK_LENGTH / 2)),
    ...y.minor.map(beside(TICK_LENGTH / 2)),
  ];
  const labels = [
    ...x.major.map((at, k) =>
      text(`x="${at}" y="${num(y0 + TICK_LENGTH + FONT_SIZE + 2)}" text-anchor="middle"`, x.labels[k]!),
    ),
    ...y.major.map((at, k) =>
      text(`x="${num(x0 - TICK_LENGTH - 3)}" y="${at}" text-anchor="end" dy="0.35em"`, y.labels[k]!),
    ),
  ];
  const out = [
    `<rect x="${num(x0)}" y="${num(top)}" width="${num(plotW)}" height="${num(plotH)}" fill="none" stroke="#333333" stroke-width="1"/>`,
    ...pathOf(ticks, '#333333'),
    `<g fill="#333333">${labels.join('')}</g>`,
  ];
  if (options.xLabel !== '') {
    out.push(text(`x="${num(x0 + plotW / 2)}" y="${num(height - 8)}" text-anchor="middle"`, options.xLabel));
  }
  if (options.yLabel !== '') {
    const at = `translate(${num(10 + FONT_SIZE)} ${num(top + plotH / 2)}) rotate(-90)`;
    out.push(text(`transform="${at}" text-anchor="middle"`, options.yLabel));
  }
  return out;
}

/** One row per labelled series, to the right of the plot area. */
function drawLegend({ x0, top, plotW }: Frame, labelled: readonly Labelled[]): string[] {
  if (labelled.length === 0) return [];
  const lx = x0 + plotW + 12;
  const rows = labelled.map(({ s, i }, row) => {
    const colour = seriesColour(i);
    const y = top + 8 + row * 18;
    const marker =
      s.markers === true
        ? `<circle cx="${num(lx + 12)}" cy="${num(y)}" r="${MARKER_RADIUS}" fill="${colour}" stroke="#ffffff" stroke-width="0.75"/>`
        : '';
    return (
      `<path d="M${num(lx)} ${num(y)}h24" stroke="${colour}" stroke-width="1.75"${dashAttribute(s)}/>${marker}` +
      text(`x="${num(lx + 30)}" y="${num(y)}" dy="0.35em"`, s.label)
    );
  });
  return [`<g class="legend" fill="#333333">${rows.join('')}</g>`];
}

/** Renders one line plot's contents (without the enclosing <svg> element). */
export function renderPanel(options: LinePlotOptions): Panel {
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  checkSize('width', width);
  checkSize('height', height);
  const logX = options.logX === true;
  const logY = options.logY === true;
  const data = project(options.series, logX, logY);
  const xAxis = buildAxis(data.xLo, data.xHi, logX, Math.max(2, Math.round(width / 110)), options.xTicks);
  const yAxis = buildAxis(data.yLo, data.yHi, logY, Math.max(2, Math.round(height / 70)), undefined);
  const labelled = options.series.map((s, i) => ({ s, i })).filter(({ s }) => s.label !== '');
  const f = layout(options, width, height, xAxis, yAxis, labelled);
  const x = marks(xAxis, f.px);
  const y = marks(yAxis, f.py);
  const out = [
    ...preamble(options.title, data.summary, width, height),
    ...drawGrid(f, x, y),
    ...drawSeries(f, options.series, data.segments),
    ...drawAxes(f, x, y, options, height),
  ];
  if (options.title !== '') out.push(titleText(width, TITLE_SIZE + 8, TITLE_SIZE, options.title));
  out.push(...drawLegend(f, labelled));
  return { width, height, body: out.join('\n') };
}
