// A small, dependency-free SVG line-chart writer for docs and the browser page: pure string building, no DOM and
// no `node:` imports. Output is deterministic (same options -> same string) and numbers are printed with at most two
// decimals to keep files small.

import { InvalidArgumentError } from '../errors.js';

export interface Series {
  readonly label: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dashed?: boolean;
  readonly markers?: boolean;
}

export interface LinePlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** log10 y axis; non-positive y values are skipped (and counted in the plot's `<desc>`). */
  readonly logY?: boolean;
  /** log10 x axis; non-positive x values are skipped (and counted in the plot's `<desc>`). */
  readonly logX?: boolean;
  /** Default 640. */
  readonly width?: number;
  /** Default 400. */
  readonly height?: number;
  /** Explicit x ticks (data units), else automatic "nice" ticks. */
  readonly xTicks?: readonly number[];
}

export interface GridPlotOptions {
  readonly title: string;
  readonly panels: readonly LinePlotOptions[];
  readonly columns: number;
}

/** Okabe-Ito, reordered so the low-contrast yellow comes last. */
export const PALETTE: readonly string[] = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

const DEFAULT_WIDTH = 640;
const DEFAULT_HEIGHT = 400;
const FONT_SIZE = 12;
const TITLE_SIZE = 15;
const CHAR_WIDTH = FONT_SIZE * 0.6; // rough sans-serif advance, for layout only
const TICK_LENGTH = 5;
const DASH = '6 4';
const MARKER_RADIUS = 3;
const GRID_TITLE_HEIGHT = 34;

/** Escapes text for XML element content and double-quoted attributes; drops characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate with at most two decimals, no trailing zeros, no "-0". */
function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? '0' : String(r);
}

/** One axis: a linear map from (transformed) data units to pixels, with labelled major ticks. */
interface Axis {
  readonly lo: number; // transformed units (log10 for log axes)
  readonly hi: number;
  readonly ticks: readonly { readonly at: number; readonly label: string }[];
  readonly minor: readonly number[];
}

/** Returns the data value in axis units, or undefined if the axis cannot show it. */
function transform(v: number, log: boolean): number | undefined {
  if (!Number.isFinite(v)) return undefined;
  if (!log) return v;
  return v > 0 ? Math.log10(v) : undefined;
}

/** Widens a degenerate (single value) range so that the scale never divides by zero. */
function widen(lo: number, hi: number, log: boolean): [number, number] {
  if (!(lo <= hi)) return log ? [0, 1] : [0, 1]; // no data
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo > scale * 1e-10) return [lo, hi];
  const mid = (lo + hi) / 2;
  if (log) return [Math.floor(mid + 1e-9) - 1, Math.ceil(mid - 1e-9) + 1];
  const d = mid === 0 ? 1 : Math.abs(mid) * 0.1;
  return [mid - d, mid + d];
}

/** Formats tick labels for one axis, switching the whole axis to exponent form for very small or large values. */
function formatLabels(values: readonly number[]): string[] {
  const exp = values.some((v) => v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6));
  return values.map((v) => {
    if (v === 0) return '0';
    const p = Number(v.toPrecision(6));
    return exp ? p.toExponential().replace('e+', 'e') : String(p);
  });
}

/** Nice linear ticks (steps of 1, 2 or 5 times a power of ten) whose ends enclose [lo, hi]. */
function linearAxis(lo: number, hi: number, target: number): Axis {
  const span = hi - lo;
  const raw = span / target;
  if (!Number.isFinite(raw) || !(raw > 0)) {
    // Ranges beyond float64 (overflowing or subnormal spans): just label the two ends.
    const labels = formatLabels([lo, hi]);
    return {
      lo,
      hi,
      ticks: [
        { at: lo, label: labels[0]! },
        { at: hi, label: labels[1]! },
      ],
      minor: [],
    };
  }
  let e = Math.floor(Math.log10(raw));
  const r = raw / Number(`1e${e}`);
  let nice = r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10;
  if (nice === 10) {
    nice = 1;
    e += 1;
  }
  const step = Number(`${nice}e${e}`);
  const i0 = Math.floor(lo / step + 1e-9);
  const i1 = Math.ceil(hi / step - 1e-9);
  const values: number[] = [];
  for (let i = i0; i <= i1; i++) values.push(Number(`${i * nice}e${e}`));
  const labels = formatLabels(values);
  return {
    lo: values[0]!,
    hi: values[values.length - 1]!,
    ticks: values.map((at, k) => ({ at, label: labels[k]! })),
    minor: [],
  };
}

/** Log axis in log10 units: ticks at powers of ten (every k-th decade when there are many), labelled 1eN. */
function logAxis(lo: number, hi: number): Axis {
  let a = Math.floor(lo + 1e-9);
  let b = Math.ceil(hi - 1e-9);
  if (b <= a) b = a + 1;
  const k = b - a <= 8 ? 1 : Math.ceil((b - a) / 8);
  a = Math.floor(a / k) * k;
  b = Math.ceil(b / k) * k;
  const ticks: { at: number; label: string }[] = [];
  const minor: number[] = [];
  for (let d = a; d <= b; d += k) {
    ticks.push({ at: d, label: `1e${d}` });
    if (k === 1 && b - a <= 6 && d < b) for (let m = 2; m <= 9; m++) minor.push(d + Math.log10(m));
  }
  return { lo: a, hi: b, ticks, minor };
}

/** An axis through the given explicit ticks (data units); its range covers both the data and the ticks. */
function explicitAxis(dataLo: number, dataHi: number, ticks: readonly number[], log: boolean): Axis {
  const kept: number[] = [];
  for (const t of ticks) {
    const u = transform(t, log);
    if (u !== undefined) kept.push(t);
  }
  let lo = dataLo;
  let hi = dataHi;
  for (const t of kept) {
    const u = transform(t, log)!;
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
  }
  [lo, hi] = widen(lo, hi, log);
  const plain = formatLabels(kept);
  const labels = kept.map((t, i) => {
    if (!log) return plain[i]!;
    const p = Math.log10(t);
    return Number.isInteger(p) ? `1e${p}` : plain[i]!;
  });
  return { lo, hi, ticks: kept.map((t, i) => ({ at: transform(t, log)!, label: labels[i]! })), minor: [] };
}

function buildAxis(
  dataLo: number,
  dataHi: number,
  log: boolean,
  target: number,
  explicit: readonly number[] | undefined,
): Axis {
  if (explicit !== undefined) return explicitAxis(dataLo, dataHi, explicit, log);
  const [lo, hi] = widen(dataLo, dataHi, log);
  return log ? logAxis(lo, hi) : linearAxis(lo, hi, target);
}

function checkSize(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0)
    throw new InvalidArgumentError(`${name} must be a positive finite number, got ${v}`);
}

interface Panel {
  readonly width: number;
  readonly height: number;
  readonly body: string; // everything inside the <svg> element
}

/** Renders one line plot's contents (without the enclosing <svg> element). */
function renderPanel(options: LinePlotOptions): Panel {
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  checkSize('width', width);
  checkSize('height', height);
  const logX = options.logX === true;
  const logY = options.logY === true;

  // Transform the data once; a skipped point breaks its line into segments.
  let skippedX = 0;
  let skippedY = 0;
  let skippedNonFinite = 0;
  let plotted = 0;
  let xLo = Infinity;
  let xHi = -Infinity;
  let yLo = Infinity;
  let yHi = -Infinity;
  const segmentsBySeries = options.series.map((s) => {
    const segments: [number, number][][] = [];
    let current: [number, number][] = [];
    for (const [x, y] of s.points) {
      const u = transform(x, logX);
      const v = transform(y, logY);
      if (u === undefined || v === undefined) {
        if (!Number.isFinite(x) || !Number.isFinite(y)) skippedNonFinite++;
        else if (u === undefined) skippedX++;
        else skippedY++;
        if (current.length > 0) segments.push(current);
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
    if (current.length > 0) segments.push(current);
    return segments;
  });

  const xAxis = buildAxis(xLo, xHi, logX, Math.max(2, Math.round(width / 110)), options.xTicks);
  const yAxis = buildAxis(yLo, yHi, logY, Math.max(2, Math.round(height / 70)), undefined);

  // Layout: title on top, tick labels and axis labels left and below, legend on the right.
  const labelled = options.series.map((s, i) => ({ s, i })).filter(({ s }) => s.label !== '');
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
  const y0 = top + plotH; // pixel y of the bottom edge

  const px = (u: number): number => x0 + ((u - xAxis.lo) / (xAxis.hi - xAxis.lo)) * plotW;
  const py = (v: number): number => y0 - ((v - yAxis.lo) / (yAxis.hi - yAxis.lo)) * plotH;
  const inX = (u: number): boolean =>
    u >= Math.min(xAxis.lo, xAxis.hi) - 1e-9 && u <= Math.max(xAxis.lo, xAxis.hi) + 1e-9;
  const inY = (v: number): boolean =>
    v >= Math.min(yAxis.lo, yAxis.hi) - 1e-9 && v <= Math.max(yAxis.lo, yAxis.hi) + 1e-9;

  const out: string[] = [];
  const skipped = skippedX + skippedY + skippedNonFinite;
  const reasons: string[] = [];
  if (skippedY > 0) reasons.push(`${skippedY} non-positive y on log axis`);
  if (skippedX > 0) reasons.push(`${skippedX} non-positive x on log axis`);
  if (skippedNonFinite > 0) reasons.push(`${skippedNonFinite} not finite`);
  out.push(`<title>${escapeXml(options.title)}</title>`);
  out.push(
    `<desc>${escapeXml(
      `${options.series.length} series, ${plotted} points plotted, ${skipped} skipped` +
        (reasons.length > 0 ? ` (${reasons.join(', ')})` : ''),
    )}</desc>`,
  );
  out.push(`<rect width="${num(width)}" height="${num(height)}" fill="#ffffff"/>`);

  // Grid lines at the major ticks, then minor grid lines on log axes.
  const grid: string[] = [];
  for (const t of xAxis.ticks) {
    if (!inX(t.at)) continue;
    const x = num(px(t.at));
    grid.push(`M${x} ${num(top)}V${num(y0)}`);
  }
  for (const t of yAxis.ticks) {
    if (!inY(t.at)) continue;
    const y = num(py(t.at));
    grid.push(`M${num(x0)} ${y}H${num(x0 + plotW)}`);
  }
  if (grid.length > 0) out.push(`<path d="${grid.join('')}" fill="none" stroke="#e0e0e0" stroke-width="1"/>`);
  const minorGrid: string[] = [];
  for (const u of xAxis.minor) minorGrid.push(`M${num(px(u))} ${num(top)}V${num(y0)}`);
  for (const v of yAxis.minor) minorGrid.push(`M${num(x0)} ${num(py(v))}H${num(x0 + plotW)}`);
  if (minorGrid.length > 0) {
    out.push(`<path d="${minorGrid.join('')}" fill="none" stroke="#f2f2f2" stroke-width="1"/>`);
  }

  // Data: one path per series (segments broken at skipped points), circles for markers and isolated points.
  options.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const segments = segmentsBySeries[i]!;
    const d = segments
      .filter((seg) => seg.length > 1)
      .map((seg) => seg.map(([u, v], k) => `${k === 0 ? 'M' : 'L'}${num(px(u))} ${num(py(v))}`).join(''))
      .join('');
    const parts: string[] = [];
    if (d !== '') {
      const dash = s.dashed === true ? ` stroke-dasharray="${DASH}"` : '';
      parts.push(
        `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.75" stroke-linejoin="round" stroke-linecap="round"${dash}/>`,
      );
    }
    const dots = segments.filter((seg) => s.markers === true || seg.length === 1).flat();
    if (dots.length > 0) {
      const circles = dots.map(([u, v]) => `<circle cx="${num(px(u))}" cy="${num(py(v))}" r="${MARKER_RADIUS}"/>`);
      parts.push(`<g fill="${colour}" stroke="#ffffff" stroke-width="0.75">${circles.join('')}</g>`);
    }
    out.push(`<g class="series">${parts.join('')}</g>`);
  });

  // Axes: frame, ticks, tick labels, axis labels.
  out.push(
    `<rect x="${num(x0)}" y="${num(top)}" width="${num(plotW)}" height="${num(plotH)}" fill="none" stroke="#333333" stroke-width="1"/>`,
  );
  const ticks: string[] = [];
  const labels: string[] = [];
  for (const t of xAxis.ticks) {
    if (!inX(t.at)) continue;
    const x = num(px(t.at));
    ticks.push(`M${x} ${num(y0)}v${TICK_LENGTH}`);
    labels.push(
      `<text x="${x}" y="${num(y0 + TICK_LENGTH + FONT_SIZE + 2)}" text-anchor="middle">${escapeXml(t.label)}</text>`,
    );
  }
  for (const t of yAxis.ticks) {
    if (!inY(t.at)) continue;
    const y = num(py(t.at));
    ticks.push(`M${num(x0)} ${y}h${-TICK_LENGTH}`);
    labels.push(
      `<text x="${num(x0 - TICK_LENGTH - 3)}" y="${y}" text-anchor="end" dy="0.35em">${escapeXml(t.label)}</text>`,
    );
  }
  for (const u of xAxis.minor) ticks.push(`M${num(px(u))} ${num(y0)}v${TICK_LENGTH / 2}`);
  for (const v of yAxis.minor) ticks.push(`M${num(x0)} ${num(py(v))}h${-TICK_LENGTH / 2}`);
  if (ticks.length > 0) out.push(`<path d="${ticks.join('')}" fill="none" stroke="#333333" stroke-width="1"/>`);
  out.push(`<g fill="#333333">${labels.join('')}</g>`);
  if (options.xLabel !== '') {
    out.push(
      `<text x="${num(x0 + plotW / 2)}" y="${num(height - 8)}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    );
  }
  if (options.yLabel !== '') {
    out.push(
      `<text transform="translate(${num(10 + FONT_SIZE)} ${num(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
    );
  }
  if (options.title !== '') {
    out.push(
      `<text x="${num(width / 2)}" y="${num(TITLE_SIZE + 8)}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold">${escapeXml(options.title)}</text>`,
    );
  }

  // Legend: one row per labelled series, to the right of the plot area.
  if (labelled.length > 0) {
    const lx = x0 + plotW + 12;
    const rows = labelled.map(({ s, i }, row) => {
      const colour = PALETTE[i % PALETTE.length]!;
      const y = top + 8 + row * 18;
      const dash = s.dashed === true ? ` stroke-dasharray="${DASH}"` : '';
      const marker =
        s.markers === true
          ? `<circle cx="${num(lx + 12)}" cy="${num(y)}" r="${MARKER_RADIUS}" fill="${colour}" stroke="#ffffff" stroke-width="0.75"/>`
          : '';
      return (
        `<path d="M${num(lx)} ${num(y)}h24" stroke="${colour}" stroke-width="1.75"${dash}/>${marker}` +
        `<text x="${num(lx + 30)}" y="${num(y)}" dy="0.35em">${escapeXml(s.label)}</text>`
      );
    });
    out.push(`<g class="legend" fill="#333333">${rows.join('')}</g>`);
  }

  return { width, height, body: out.join('\n') };
}

function svgOpen(width: number, height: number, extra = ''): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${extra} width="${num(width)}" height="${num(height)}" ` +
    `viewBox="0 0 ${num(width)} ${num(height)}" font-family="sans-serif" font-size="${FONT_SIZE}">`
  );
}

/** A complete standalone SVG document with one line plot. */
export function linePlot(options: LinePlotOptions): string {
  const panel = renderPanel(options);
  return `${svgOpen(panel.width, panel.height)}\n${panel.body}\n</svg>\n`;
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
  const out: string[] = [svgOpen(width, height)];
  out.push(`<title>${escapeXml(options.title)}</title>`);
  out.push(`<desc>${panels.length} panels in ${rows} rows of up to ${columns}</desc>`);
  out.push(`<rect width="${num(width)}" height="${num(height)}" fill="#ffffff"/>`);
  if (options.title !== '') {
    out.push(
      `<text x="${num(width / 2)}" y="${num(TITLE_SIZE + 12)}" text-anchor="middle" font-size="${TITLE_SIZE + 2}" font-weight="bold">${escapeXml(options.title)}</text>`,
    );
  }
  panels.forEach((p, k) => {
    const x = (k % columns) * cellW;
    const y = top + Math.floor(k / columns) * cellH;
    out.push(`${svgOpen(p.width, p.height, ` x="${num(x)}" y="${num(y)}"`)}\n${p.body}\n</svg>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
