// Small helpers for parsing command-line values into checked numbers, with UsageError messages.
import { UsageError } from './command.js';

/** An integer option in [min, max]. */
export function intOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got "${text}"`);
  }
  return value;
}

/** A positive number option. */
export function positiveOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** "a,b" -> [a, b] with a < b, both finite. */
export function domainOption(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  const [a, b] = parts.map(Number) as [number, number];
  if (parts.length !== 2 || parts.some((s) => s === '') || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new UsageError(`--domain must be two finite numbers "a,b", got "${text}"`);
  }
  if (!(a < b)) throw new UsageError(`--domain must be an interval with a < b, got "${text}"`);
  return [a, b];
}

/** Rows of cells as aligned text columns. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
