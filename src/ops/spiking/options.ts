// Options of the spiking OpSet, as a typed record with defaults and checks.
import { describeValue } from '../../describe.js';
import { InvalidArgumentError } from '../../errors.js';
import { MAX_BASES, MAX_TIMESTEPS } from '../../kernels/index.js';
import { OP_FAMILIES, type OpFamily } from '../instrumentation.js';
import type { IdentityRangeRule, IdentityRounding } from './ranges.js';

/** `equivalent`: neurons decoded, dense products; `spike-driven`: products consume the spike planes. */
export type SpikingMode = 'equivalent' | 'spike-driven';

/** `static`: one power-of-two range per site from calibration; `dynamic`: per tensor at run time. */
export type RangeMode = 'static' | 'dynamic';

/** `binary`: one spike per 1-bit of the magnitude; `signed-digit`: its non-adjacent form on a polarity pair. */
export type IdentityCode = 'binary' | 'signed-digit';

/** `uniform`: activation neurons fitted uniformly on their domains (the shipped table's); `calibrated`: half their
 * training samples drawn from the site's calibrated input histogram, fitted per site. */
export type ActivationFit = 'uniform' | 'calibrated';

export interface SpikingOptions {
  /** Timesteps, 1..32. */
  readonly T: number;
  /**
   * Timesteps of single sites or whole op families, overriding T there: keys are site names ("layer0.attn.qk")
   * or op families ("multiplications"); a site's own entry wins over its family's.
   */
  readonly siteT?: Readonly<Record<string, number>>;
  /** Bases of activation neurons (default 4). */
  readonly activationBases?: number;
  /** Bases of the exp2, reciprocal and rsqrt neurons (default 8). */
  readonly operatorBases?: number;
  readonly mode?: SpikingMode;
  /** Which op families are made spiking (default: all). */
  readonly spiking?: Partial<Record<OpFamily, boolean>>;
  readonly ranges?: RangeMode;
  /** How a static identity range is chosen from calibration (default `mse`; the paper's is `power-of-two`). */
  readonly identityRange?: IdentityRangeRule;
  /** How identity codes round (default `nearest`; the paper's code floors). */
  readonly rounding?: IdentityRounding;
  /** How identity codes carry their digits as spikes (default `binary`). */
  readonly code?: IdentityCode;
  /** Activation domains extend the calibrated range by this fraction of its width on each side (default 0.1). */
  readonly domainMargin?: number;
  /** How activation neurons are fitted (default `uniform`, from the table where it has them). */
  readonly activationFit?: ActivationFit;
  /**
   * Spike-aware rounding of linear-layer and convolution inputs (default 0: round as `rounding` says): each input
   * may round to a code value with fewer spikes, one spike charged this many squared code steps, weighted per input
   * by its weight column's (a convolution: its channel's kernels') squared norm (sparse-rounding.ts). In [0, 16].
   */
  readonly spikeCost?: number;
}

export type ResolvedSpikingOptions = Required<Omit<SpikingOptions, 'spiking' | 'siteT'>> & {
  readonly spiking: Readonly<Record<OpFamily, boolean>>;
  /** Per-site and per-family timesteps (checked; site names are checked against the model in resolve). */
  readonly siteT: Readonly<Record<string, number>>;
};

/** Checks that a string option is one of its allowed values. */
function oneOf<V extends string>(name: string, value: unknown, allowed: readonly V[], fallback: V): V {
  const v = value ?? fallback;
  if (!allowed.includes(v as V)) {
    throw new InvalidArgumentError(
      `option ${name} must be ${allowed.map((a) => `"${a}"`).join(' or ')}, got ${describeValue(v, 40)}`,
    );
  }
  return v as V;
}

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
  const mode = oneOf<SpikingMode>('mode', options.mode, ['equivalent', 'spike-driven'], 'equivalent');
  const ranges = oneOf<RangeMode>('ranges', options.ranges, ['static', 'dynamic'], 'static');
  const identityRange = oneOf<IdentityRangeRule>(
    'identityRange',
    options.identityRange,
    ['mse', 'max', 'power-of-two'],
    'mse',
  );
  const rounding = oneOf<IdentityRounding>('rounding', options.rounding, ['nearest', 'floor'], 'nearest');
  const code = oneOf<IdentityCode>('code', options.code, ['binary', 'signed-digit'], 'binary');
  const activationFit = oneOf<ActivationFit>(
    'activationFit',
    options.activationFit,
    ['uniform', 'calibrated'],
    'uniform',
  );
  const siteT = Object.create(null) as Record<string, number>; // no prototype: every key is the user's own
  if (options.siteT !== undefined) {
    if (typeof options.siteT !== 'object' || options.siteT === null) {
      throw new InvalidArgumentError('option siteT must be an object of site or family names to timesteps');
    }
    for (const [key, value] of Object.entries(options.siteT)) {
      siteT[key] = int(`siteT[${describeValue(key, 60)}]`, value, 1, MAX_TIMESTEPS);
    }
  }
  const domainMargin = options.domainMargin ?? 0.1;
  if (typeof domainMargin !== 'number' || !(domainMargin >= 0) || domainMargin > 10) {
    throw new InvalidArgumentError(`option domainMargin must be a number in [0, 10], got ${String(domainMargin)}`);
  }
  const spikeCost = options.spikeCost ?? 0;
  if (typeof spikeCost !== 'number' || !(spikeCost >= 0) || spikeCost > 16) {
    throw new InvalidArgumentError(`option spikeCost must be a number in [0, 16], got ${describeValue(spikeCost, 40)}`);
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
  return {
    T,
    siteT,
    activationBases,
    operatorBases,
    mode,
    ranges,
    identityRange,
    rounding,
    code,
    domainMargin,
    activationFit,
    spikeCost,
    spiking,
  };
}
