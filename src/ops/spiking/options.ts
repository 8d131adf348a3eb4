// Options of the spiking OpSet, as a typed record with defaults and checks.
import { InvalidArgumentError } from '../../errors.js';
import { MAX_BASES, MAX_TIMESTEPS } from '../../kernels/index.js';
import { OP_FAMILIES, type OpFamily } from '../instrumentation.js';

/** `equivalent`: neurons decoded, dense products; `spike-driven`: products consume the spike planes. */
export type SpikingMode = 'equivalent' | 'spike-driven';

/** `static`: one power-of-two range per site from calibration; `dynamic`: per tensor at run time. */
export type RangeMode = 'static' | 'dynamic';

export interface SpikingOptions {
  /** Timesteps, 1..32. */
  readonly T: number;
  /** Bases of activation neurons (default 4). */
  readonly activationBases?: number;
  /** Bases of the exp2, reciprocal and rsqrt neurons (default 8). */
  readonly operatorBases?: number;
  readonly mode?: SpikingMode;
  /** Which op families are made spiking (default: all). */
  readonly spiking?: Partial<Record<OpFamily, boolean>>;
  readonly ranges?: RangeMode;
  /** Activation domains extend the calibrated range by this fraction of its width on each side (default 0.1). */
  readonly domainMargin?: number;
}

export type ResolvedSpikingOptions = Required<Omit<SpikingOptions, 'spiking'>> & {
  readonly spiking: Readonly<Record<OpFamily, boolean>>;
};

export function resolveSpikingOptions(options: SpikingOptions): ResolvedSpikingOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('spiking options must be an object');
  const int = (name: string, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`option ${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
    }
    return value;
  };
  const T = int('T', options.T, 1, MAX_TIMESTEPS);
  const activationBases = int('activationBases', options.activationBases ?? 4, 1, MAX_BASES);
  const operatorBases = int('operatorBases', options.operatorBases ?? 8, 1, MAX_BASES);
  const mode = options.mode ?? 'equivalent';
  if (mode !== 'equivalent' && mode !== 'spike-driven') {
    throw new InvalidArgumentError(`option mode must be "equivalent" or "spike-driven", got "${String(mode)}"`);
  }
  const ranges = options.ranges ?? 'static';
  if (ranges !== 'static' && ranges !== 'dynamic') {
    throw new InvalidArgumentError(`option ranges must be "static" or "dynamic", got "${String(ranges)}"`);
  }
  const domainMargin = options.domainMargin ?? 0.1;
  if (typeof domainMargin !== 'number' || !(domainMargin >= 0) || domainMargin > 10) {
    throw new InvalidArgumentError(`option domainMargin must be a number in [0, 10], got ${String(domainMargin)}`);
  }
  const spiking = Object.fromEntries(OP_FAMILIES.map((f) => [f, true])) as Record<OpFamily, boolean>;
  for (const [family, on] of Object.entries(options.spiking ?? {})) {
    if (!OP_FAMILIES.includes(family as OpFamily)) {
      throw new InvalidArgumentError(
        `option spiking.${family} is not an op family; expected ${OP_FAMILIES.join(', ')}`,
      );
    }
    if (typeof on !== 'boolean') throw new InvalidArgumentError(`option spiking.${family} must be true or false`);
    spiking[family as OpFamily] = on;
  }
  return { T, activationBases, operatorBases, mode, ranges, domainMargin, spiking };
}
