// The series colours of every plot.

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

/** The colour of the `index`-th series of a plot (the palette repeats past its end). */
export function seriesColour(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
