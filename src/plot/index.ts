// mbe-snn/plot: the SVG chart writer (line plots and grids of them) as its own entry, outside the library's root
// entry. Browser-safe (no `node:` imports); bundled on its own into dist/browser/mbe-snn-plot.js (and .min.js).
// Layering: a leaf imported only by src/cli, bench/ and web/, never by the library's layers.
export { gridPlot, linePlot, PALETTE, type GridPlotOptions, type LinePlotOptions, type Series } from './svg.js';
export { frontierSvg, type FrontierPlotPoint } from './frontier.js';
