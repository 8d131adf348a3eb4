// The public option types of the plot writers (what a caller passes to linePlot and gridPlot).

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
