// A Hugging Face config.json: parsed with a size bound, its fields read with their types checked, so a
// wrong field is a FormatError naming the file, the field and what was expected.
import { FormatError } from '../../errors.js';
import { describeText, describeValue } from '../../describe.js';
import { parseJsonFile } from './json.js';

/** Configs are a few kB; anything past this is not a config. */
const MAX_CONFIG_BYTES = 1 << 20;

/** A field's value for a message, summarised however long or deeply nested it is. */
const describe = (value: unknown): string => describeValue(value, 60);

export class HfConfig {
  private constructor(
    private readonly json: Readonly<Record<string, unknown>>,
    /** The file, for messages. */
    readonly file: string,
  ) {}

  static parse(bytes: Uint8Array, file = 'config.json'): HfConfig {
    return new HfConfig(parseJsonFile(bytes, file, MAX_CONFIG_BYTES, 'a config'), file);
  }

  has(field: string): boolean {
    return this.json[field] !== undefined && this.json[field] !== null;
  }

  /** The raw value (undefined when absent or null). */
  raw(field: string): unknown {
    const value = this.json[field];
    return value === null ? undefined : value;
  }

  /** `architectures` (e.g. ["GPT2LMHeadModel"]), empty when absent. */
  get architectures(): readonly string[] {
    const value = this.json.architectures;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  get modelType(): string | undefined {
    const value = this.json.model_type;
    return typeof value === 'string' ? value : undefined;
  }

  /** An integer field in [min, max]; `fallback` when absent (an absent field without one is an error). */
  int(field: string, options: { min?: number; max?: number; fallback?: number } = {}): number {
    const { min = 1, max = 2 ** 31 - 1 } = options;
    const value = this.value(field, options.fallback);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw this.error(field, `an integer in [${min}, ${max}]`, value);
    }
    return value;
  }

  /** A finite number field, > 0 unless `min` says otherwise. */
  number(field: string, options: { min?: number; fallback?: number } = {}): number {
    const value = this.value(field, options.fallback);
    const min = options.min ?? 0;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < min ||
      (options.min === undefined && value <= 0)
    ) {
      throw this.error(field, options.min === undefined ? 'a positive number' : `a number >= ${min}`, value);
    }
    return value;
  }

  /** A string field from `allowed` (any string when allowed is undefined). */
  string<S extends string>(field: string, allowed?: readonly S[], fallback?: S): S {
    const value = this.value(field, fallback);
    if (typeof value !== 'string' || (allowed !== undefined && !allowed.includes(value as S))) {
      throw this.error(
        field,
        allowed === undefined ? 'a string' : `one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
        value,
      );
    }
    return value as S;
  }

  boolean(field: string, fallback?: boolean): boolean {
    const value = this.value(field, fallback);
    if (typeof value !== 'boolean') throw this.error(field, 'true or false', value);
    return value;
  }

  /** A FormatError naming the field (for checks across fields). */
  error(field: string, expected: string, got?: unknown): FormatError {
    const found = got === undefined ? 'it is missing' : `got ${describe(got)}`;
    return new FormatError(this.file, `field "${describeText(field)}" must be ${expected}; ${found}`);
  }

  private value(field: string, fallback: unknown): unknown {
    const value = this.raw(field);
    if (value === undefined) {
      if (fallback === undefined) throw this.error(field, 'present', undefined);
      return fallback;
    }
    return value;
  }
}
