// The fitting entry point: validates a request, builds the seeded samples, fits from several
// initialisations, keeps the best training loss and measures the held-out error with the wasm kernel.
import { InvalidArgumentError } from '../../errors.js';
import { MAX_BASES, MAX_TIMESTEPS, type Kernels } from '../../kernels/index.js';
import { VERSION } from '../../version.js';
import type { FitRecord, NeuronEntry, NeuronVariant } from '../entry.js';
import { NEURON_VARIANTS } from '../entry.js';
import { heldOutError } from '../evaluate.js';
import { identityNeuron, type FsNeuron, type Neuron } from '../neuron.js';
import { targetByName, type TargetFunction, type TargetName } from '../targets.js';
import { fitFs, initialFsNeuron, spikesPerInput, type FsFitSettings } from './fit-fs.js';
import { effectiveDomain, fitMbe, type MbeMode } from './fit-mbe.js';
import {
  distributionSamples,
  trainingSamples,
  type InputDistribution,
  type NearZeroSamples,
  type SampleSet,
} from './samples.js';

export interface FitRequest {
  readonly target: TargetName;
  readonly T: number;
  /** Bases (MBE variants); default: the target's default N. */
  readonly N?: number;
  /** Default: the target's default domain. */
  readonly domain?: readonly [number, number];
  /** Default 'mbe'. */
  readonly variant?: NeuronVariant;
  /** Initialisations tried, seeds firstSeed .. firstSeed + seeds - 1 (default 3). */
  readonly seeds?: number;
  /** The first initialisation seed (default 0): one fit per seed with `seeds: 1`. */
  readonly firstSeed?: number;
  /** Default 900. */
  readonly epochs?: number;
  /** Default 0.05 (Adam, on log-parameters), times `lrDecay` (0.995) per epoch. */
  readonly learningRate?: number;
  readonly lrDecay?: number;
  /** MBE fits: restart phases from the best parameters, each at half the rate (default 3). */
  readonly phases?: number;
  /** Uniform training samples (default 10,000). */
  readonly samples?: number;
  /** Training sample seed (default 1). */
  readonly sampleSeed?: number;
  /**
   * Where the neuron's real inputs are (e.g. a site's calibrated histogram): half the training samples are drawn
   * from it and half stay uniform on the domain, so the loss weights the real inputs without leaving the rest of
   * the domain unfitted. Default: uniform samples only (plus the target's near-0 samples).
   */
  readonly distribution?: InputDistribution;
}

export interface FitOutcome {
  readonly entry: NeuronEntry;
  /** Training MSE per epoch of the kept run. */
  readonly history: Float64Array;
}

const DEFAULTS = {
  seeds: 3,
  epochs: 900,
  learningRate: 0.05,
  lrDecay: 0.995,
  phases: 3,
  samples: 10_000,
  sampleSeed: 1,
};

/**
 * The fitter's version: part of every cache key with the settings below, so a neuron cached by an older
 * fitter (other samples, schedules or optimiser) is refitted. Bump it whenever a change here, in fit-mbe.ts,
 * fit-fs.ts, samples.ts, surrogate.ts or the NEAR_ZERO samples could change a fit's result.
 */
export const FITTER_VERSION = 1;

/** The settings a fit would run with (the defaults where `settings` leaves one out), as one key string. */
export function fitSettingsKey(settings: Omit<FitRequest, 'target' | 'T' | 'N' | 'domain'>): string {
  const resolved = { ...DEFAULTS, ...definedOnly(settings) };
  const parts = (Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>).map((key) => `${key}=${resolved[key]}`);
  // firstSeed is not a DEFAULTS key; it joins the key only when set, so default keys stay as they were.
  if (settings.firstSeed) parts.push(`firstSeed=${settings.firstSeed}`);
  return `fitter${FITTER_VERSION},${settings.variant ?? 'mbe'},${parts.join(',')}`;
}

/** Targets whose real inputs concentrate near 0 get extra training samples there. */
const NEAR_ZERO: Partial<Record<TargetName, NearZeroSamples>> = {
  gelu: { count: 2000, scale: 2 },
  gelu_tanh: { count: 2000, scale: 2 },
  silu: { count: 2000, scale: 2 },
};

const MODES: Partial<Record<NeuronVariant, MbeMode>> = { mbe: 'mbe', 'mbe-no-decay': 'no-decay', 'mbe-paper': 'paper' };

/** The FS variants: the paper-literal neuron (u[0] = x, no bias) or the fair one (shifted input, bias). */
const FS_FORMS: Partial<Record<NeuronVariant, Pick<FsFitSettings, 'form' | 'init'>>> = {
  'fs-binary': { form: 'literal', init: 'binary' },
  'fs-random': { form: 'literal', init: 'random' },
  'fs-fair-binary': { form: 'fair', init: 'binary' },
  'fs-fair-random': { form: 'fair', init: 'random' },
};

/** Fits one neuron as requested; throws InvalidArgumentError naming the first bad option. */
export function fitNeuron(kernels: Kernels, request: FitRequest): FitOutcome {
  const target = targetByName(request.target);
  const variant = request.variant ?? 'mbe';
  if (!NEURON_VARIANTS.includes(variant)) {
    throw new InvalidArgumentError(`variant must be one of ${NEURON_VARIANTS.join(', ')}, got "${String(variant)}"`);
  }
  const fsForm = FS_FORMS[variant];
  const isFs = fsForm !== undefined;
  const N = isFs ? 1 : variant === 'identity' ? 1 : (request.N ?? target.defaultN);
  const domain = request.domain ?? target.defaultDomain;
  const settings = { ...DEFAULTS, ...definedOnly(request) };
  checkInteger('T', request.T, 1, MAX_TIMESTEPS);
  checkInteger('N', N, 1, MAX_BASES);
  checkInteger('seeds', settings.seeds, 1, 64);
  const firstSeed = request.firstSeed ?? 0;
  checkInteger('firstSeed', firstSeed, 0, 2 ** 16);
  checkInteger('epochs', settings.epochs, 0, 100_000);
  checkInteger('phases', settings.phases, 1, 100);
  checkInteger('samples', settings.samples, 16, 10_000_000);
  checkInteger('sampleSeed', settings.sampleSeed, 0, 2 ** 32 - 1);
  checkPositive('learningRate', settings.learningRate);
  checkPositive('lrDecay', settings.lrDecay);
  checkDomain(domain, target);
  if (request.distribution !== undefined) checkDistribution(request.distribution);
  const producedBy = `mbe-snn ${VERSION} fitNeuron`;

  if (variant === 'identity') {
    const alpha = Math.max(Math.abs(domain[0]), Math.abs(domain[1]));
    const neuron = identityNeuron(request.T, alpha);
    const entry = entryOf(target, variant, N, request.T, domain, neuron, kernels, null, producedBy);
    return { entry, history: new Float64Array(0) };
  }

  const started = performance.now();
  const { signMagnitude, fitDomain, nearZero, samples, fromDistribution } = fitProblem(
    target,
    variant,
    domain,
    settings,
    request.distribution,
  );
  let best: { neuron: Neuron; trainMse: number; bestEpoch: number; history: Float64Array; seed: number } | undefined;
  for (let seed = firstSeed; seed < firstSeed + settings.seeds; seed++) {
    const common = {
      T: request.T,
      domain: fitDomain,
      signMagnitude,
      epochs: settings.epochs,
      learningRate: settings.learningRate,
      lrDecay: settings.lrDecay,
      phases: settings.phases,
      seed,
    };
    const result = isFs
      ? fitFs(samples, target.f, { ...common, ...fsForm })
      : fitMbe(samples, target.f, { ...common, N, mode: MODES[variant] as MbeMode });
    if (!best || result.trainMse < best.trainMse) best = { ...result, seed };
  }
  const kept = best as NonNullable<typeof best>;
  const fit: FitRecord = {
    trainMse: kept.trainMse,
    epochs: settings.epochs,
    learningRate: settings.learningRate,
    lrDecay: settings.lrDecay,
    phases: fsForm?.form === 'literal' ? 1 : settings.phases,
    seeds: settings.seeds,
    bestSeed: kept.seed,
    bestEpoch: kept.bestEpoch,
    samples: settings.samples,
    nearZero,
    ...(fromDistribution > 0 ? { fromDistribution } : {}),
    seconds: (performance.now() - started) / 1000,
  };
  const entry = entryOf(target, variant, N, request.T, domain, kept.neuron, kernels, fit, producedBy);
  return { entry, history: kept.history };
}

/** Spikes per training sample of an FS entry, fitted and at the initialisation it was fitted from. */
export interface FsFiringRates {
  readonly initial: number;
  readonly fitted: number;
}

/**
 * Firing rates of an FS entry that fitNeuron made from `request`, on that fit's own training samples
 * (rebuilt: they are seeded). Shows whether an initialisation fires at all.
 */
export function fsFiringRates(request: FitRequest, entry: NeuronEntry): FsFiringRates {
  const fsForm = FS_FORMS[entry.variant];
  if (!fsForm || entry.neuron.kind !== 'fs' || !entry.fit) {
    throw new InvalidArgumentError(`fsFiringRates needs a fitted FS entry, got variant "${entry.variant}"`);
  }
  const settings = { ...DEFAULTS, ...definedOnly(request) };
  const target = targetByName(entry.target);
  const problem = fitProblem(target, entry.variant, entry.domain, settings, request.distribution);
  const initial: FsNeuron = initialFsNeuron(problem.samples, target.f, {
    T: entry.T,
    domain: problem.fitDomain,
    signMagnitude: problem.signMagnitude,
    seed: entry.fit.bestSeed,
    ...fsForm,
  });
  return {
    initial: spikesPerInput(initial, problem.samples.x),
    fitted: spikesPerInput(entry.neuron, problem.samples.x),
  };
}

/** What a fit sees: sign-magnitude folding, the folded domain and the seeded training samples. */
function fitProblem(
  target: TargetFunction,
  variant: NeuronVariant,
  domain: readonly [number, number],
  settings: Pick<typeof DEFAULTS, 'samples' | 'sampleSeed'>,
  distribution?: InputDistribution,
): {
  signMagnitude: boolean;
  fitDomain: [number, number];
  nearZero: NearZeroSamples | null;
  samples: SampleSet;
  fromDistribution: number;
} {
  const signMagnitude = target.odd && variant !== 'mbe-paper';
  const fitDomain = effectiveDomain(domain, signMagnitude);
  if (distribution) {
    // the distribution takes the near-0 samples' place: it says where the inputs are
    const fromDistribution = settings.samples >> 1;
    const uniform = trainingSamples(target.f, fitDomain, settings.samples - fromDistribution, settings.sampleSeed);
    const drawn = distributionSamples(
      distribution,
      fitDomain,
      fromDistribution,
      settings.sampleSeed + 1,
      signMagnitude,
    );
    const x = new Float64Array(settings.samples); // (samples) uniform, then drawn
    x.set(uniform.x);
    x.set(drawn, uniform.x.length);
    return { signMagnitude, fitDomain, nearZero: null, samples: { x, f: x.map(target.f) }, fromDistribution };
  }
  const nearZero = NEAR_ZERO[target.name] ?? null;
  const samples = trainingSamples(target.f, fitDomain, settings.samples, settings.sampleSeed, nearZero ?? undefined);
  return { signMagnitude, fitDomain, nearZero, samples, fromDistribution: 0 };
}

/** Equal lengths (at most 1,000,000), finite values, finite non-negative weights that do not all vanish. */
function checkDistribution(distribution: InputDistribution): void {
  const { x, weight } = distribution;
  if (!x || !weight || x.length !== weight.length || x.length === 0 || x.length > 1_000_000) {
    throw new InvalidArgumentError(
      `distribution must have as many weights as values (1 to 1,000,000), got ${x?.length} values and ${weight?.length} weights`,
    );
  }
  let total = 0;
  for (let k = 0; k < x.length; k++) {
    const [v, w] = [x[k] as number, weight[k] as number];
    if (!Number.isFinite(v) || !Number.isFinite(w) || w < 0) {
      throw new InvalidArgumentError(
        `distribution entry ${k} must be a finite value with a finite weight >= 0, got ${v} weighted ${w}`,
      );
    }
    total += w;
  }
  if (!(total > 0)) throw new InvalidArgumentError('distribution weights are all 0');
}

function entryOf(
  target: TargetFunction,
  variant: NeuronVariant,
  N: number,
  T: number,
  domain: readonly [number, number],
  neuron: Neuron,
  kernels: Kernels,
  fit: FitRecord | null,
  producedBy: string,
): NeuronEntry {
  const heldOut = heldOutError(kernels, neuron, target.f, domain);
  return { target: target.name, variant, N, T, domain: [domain[0], domain[1]], neuron, heldOut, fit, producedBy };
}

function definedOnly(request: Partial<FitRequest>): Partial<typeof DEFAULTS> {
  const out: Partial<Record<keyof typeof DEFAULTS, number>> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = request[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

function checkPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} must be a positive finite number, got ${String(value)}`);
  }
}

/** A finite, non-empty interval on which the target is finite. */
function checkDomain(domain: readonly [number, number], target: TargetFunction): void {
  if (!Array.isArray(domain) || domain.length !== 2) {
    throw new InvalidArgumentError(`domain must be a pair [a, b], got ${String(domain)}`);
  }
  const [a, b] = domain;
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new InvalidArgumentError(`domain bounds must be finite numbers, got [${a}, ${b}]`);
  }
  if (!(a < b)) throw new InvalidArgumentError(`domain must be a non-empty interval a < b, got [${a}, ${b}]`);
  for (let i = 0; i <= 100; i++) {
    const x = a + ((b - a) * i) / 100;
    const y = target.f(x);
    if (!Number.isFinite(y)) {
      throw new InvalidArgumentError(`${target.name} is not finite at x = ${x}, inside the domain [${a}, ${b}]`);
    }
  }
}
