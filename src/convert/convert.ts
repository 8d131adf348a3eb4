// convert: a model (given as a builder over an OpSet) + calibration inputs -> its float twin, its spiking
// version and a report of what was replaced and what stayed non-spiking. Weights are never modified: both
// models are built from the same arrays; only the OpSet differs.
import type { Kernels, PackedDtype } from '../kernels/index.js';
import type { ModelBuilder } from '../models/builder.js';
import { CalibratingOpSet, type Calibration, type SiteOps } from '../ops/calibration.js';
import { FloatOpSet } from '../ops/float-opset.js';
import type { NeuronProvider } from '../ops/neuron-provider.js';
import type { OpSet } from '../ops/opset.js';
import type { SpikingOptions } from '../ops/spiking/options.js';
import { SpikingOpSet } from '../ops/spiking/spiking-opset.js';
import { conversionReport, type ConversionReport } from './report.js';

export interface ConvertOptions {
  readonly spiking: SpikingOptions;
  /** Shared neuron source (and its cache) across conversions; default: a fresh in-memory one. */
  readonly neurons?: NeuronProvider;
  /** Operations the model keeps non-spiking by design (embedding lookups, RoPE, ...), listed in the report. */
  readonly declaredNonSpiking?: readonly string[];
  /** What the model was calibrated on, for the report (a function is asked after calibration ran). */
  readonly calibration?: string | (() => string);
  /**
   * How both models hold their linear and convolution weights: f32 (default) or bf16 (half the memory, rounded to
   * nearest once, widened exactly in the gemm kernel); the calibration runs on the same weights.
   */
  readonly weights?: PackedDtype;
}

export interface Conversion<M> {
  /** The model over the float OpSet: the reference. */
  readonly float: M;
  /** The model over the spiking OpSet. */
  readonly spiking: M;
  readonly ops: SpikingOpSet;
  readonly report: ConversionReport;
}

/** What a calibration pass saw: every site's operation and its operands' ranges and histograms. */
export interface Calibrated {
  readonly calibration: Calibration;
  readonly siteOps: SiteOps;
}

/** The weights option of a conversion, for the OpSets it builds ({} for the default, f32). */
export function heldWeights(options: { readonly weights?: PackedDtype }): { readonly weights?: PackedDtype } {
  return options.weights ? { weights: options.weights } : {};
}

/** Builds the model over a calibrating OpSet and runs `calibrate` on it (the calibration inputs). */
export function calibrateModel<M>(
  kernels: Kernels,
  build: (ops: OpSet) => M,
  calibrate: (model: M) => void,
  options: { readonly weights?: PackedDtype } = {},
): Calibrated {
  const calibrating = new CalibratingOpSet(kernels, options);
  calibrate(build(calibrating));
  return { calibration: calibrating.calibration, siteOps: calibrating.siteOps };
}

/**
 * Resolves every spiking site's neurons and identity ranges from a calibration (fits happen here, so evaluation
 * runs at full speed), reports the result, then builds the float and spiking versions.
 */
export function convertCalibrated<M>(
  kernels: Kernels,
  build: (ops: OpSet) => M,
  calibrated: Calibrated,
  options: ConvertOptions,
): Conversion<M> {
  const ops = new SpikingOpSet({
    kernels,
    calibration: calibrated.calibration,
    options: options.spiking,
    ...(options.neurons ? { neurons: options.neurons } : {}),
    ...heldWeights(options),
  });
  const plans = ops.resolve(calibrated.siteOps);
  const report = conversionReport({
    options: ops.options,
    siteOps: calibrated.siteOps,
    plans,
    neurons: ops.context.neurons.used.values(),
    declaredNonSpiking: options.declaredNonSpiking ?? [],
    calibration: typeof options.calibration === 'function' ? options.calibration() : (options.calibration ?? ''),
    weights: options.weights ?? 'f32',
  });
  const float = build(new FloatOpSet(kernels, heldWeights(options)));
  return { float, spiking: build(ops), ops, report };
}

/** Calibrates (calibrateModel), then converts (convertCalibrated). */
export function convert<M>(
  kernels: Kernels,
  build: (ops: OpSet) => M,
  calibrate: (model: M) => void,
  options: ConvertOptions,
): Conversion<M> {
  return convertCalibrated(kernels, build, calibrateModel(kernels, build, calibrate, heldWeights(options)), options);
}

/** convert() for a model builder: its architecture's non-spiking declarations go into the report. */
export function convertBuilder<M>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  calibrate: (model: M) => void,
  options: ConvertOptions,
): Conversion<M> {
  return convert(kernels, (ops) => builder.build(ops), calibrate, {
    ...options,
    declaredNonSpiking: [...builder.nonSpiking, ...(options.declaredNonSpiking ?? [])],
  });
}
