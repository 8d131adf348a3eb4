// The image task: a ViT classifier converted with calibration images disjoint from the evaluated ones.
import { convert, type Conversion, type ConvertOptions } from '../convert/convert.js';
import type { Kernels } from '../kernels/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { Safetensors } from '../io/safetensors.js';
import { energyReport, type EnergyReport } from '../metrics/energy.js';
import { accuracy, type AccuracyResult } from '../metrics/evaluate.js';
import { VitModel, type Tensor } from '../models/vit.js';
import { mergeCounters } from '../ops/instrumentation.js';

export const VIT_NON_SPIKING = [
  'pixel normalisation (a constant affine map of the input)',
  'class token and learned position additions (constants)',
];

/** Converts the ViT, calibrating on `calibration` (count, pixels) images. */
export function convertVit(
  kernels: Kernels,
  tensors: ReadonlyMap<string, Tensor>,
  calibration: Uint8Array,
  calibrationCount: number,
  options: ConvertOptions,
): Conversion<VitModel> {
  const size = calibration.length / calibrationCount;
  return convert(
    kernels,
    (ops) => new VitModel(tensors, ops),
    (model) => {
      for (let i = 0; i < calibrationCount; i++) model.forward(calibration.subarray(i * size, (i + 1) * size));
    },
    { ...options, declaredNonSpiking: [...VIT_NON_SPIKING, ...(options.declaredNonSpiking ?? [])] },
  );
}

export interface VitEvaluation {
  readonly float?: AccuracyResult;
  readonly spiking: AccuracyResult;
  /** The conversion of the first fold (its report is representative; both folds use the same options). */
  readonly conversion: Conversion<VitModel>;
  readonly energy: EnergyReport;
}

export interface VitEvaluationOptions extends ConvertOptions {
  /** Images evaluated: the first `evaluate` (default: all). */
  readonly evaluate?: number;
  /** Calibration images per fold (default 32). */
  readonly calibrate?: number;
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

/**
 * Accuracy of the float ViT and of its spiking conversion. The evaluated images are split into two halves,
 * each scored by a conversion calibrated on images outside it: the first half on the last `calibrate` images
 * of the set, the second half on the first ones. The calibration sets do not depend on how many images are
 * evaluated, so every run converts the model the same way.
 */
export function evaluateVit(
  kernels: Kernels,
  tensors: ReadonlyMap<string, Tensor>,
  images: Uint8Array,
  labels: Uint8Array,
  options: VitEvaluationOptions,
): VitEvaluation {
  const available = labels.length;
  const total = options.evaluate ?? available;
  const calibrate = options.calibrate ?? 32;
  const size = images.length / available;
  if (total < 2 || total > available) {
    throw new InvalidArgumentError(`evaluate must be between 2 and ${available} images, got ${total}`);
  }
  const half = Math.ceil(total / 2);
  if (half > available - calibrate || calibrate > half) {
    throw new InvalidArgumentError(
      `${calibrate} calibration images per fold need 2 x ${calibrate} <= evaluated <= ${2 * (available - calibrate)} images, got ${total}`,
    );
  }
  const folds = [
    { start: 0, end: half, calibration: available - calibrate },
    { start: half, end: total, calibration: 0 },
  ];
  const predictions = new Uint8Array(total);
  let correct = 0;
  let first: Conversion<VitModel> | undefined;
  let floatResult: AccuracyResult | undefined;
  const counters = [];
  for (const fold of folds) {
    const calibration = images.subarray(fold.calibration * size, (fold.calibration + calibrate) * size);
    const conversion = convertVit(kernels, tensors, calibration, calibrate, options);
    first ??= conversion;
    if (!options.skipFloat && fold.start === 0) {
      floatResult = accuracy(conversion.float, images, labels, total, (d, t) => options.onProgress?.('float', d, t));
    }
    conversion.ops.counters.reset();
    const part = accuracy(
      conversion.spiking,
      images.subarray(fold.start * size, fold.end * size),
      labels.subarray(fold.start, fold.end),
      fold.end - fold.start,
      (d) => options.onProgress?.('spiking', fold.start + d, total),
    );
    predictions.set(part.predictions, fold.start);
    correct += part.correct;
    counters.push(...conversion.ops.counters.all());
    conversion.float.dispose();
    conversion.spiking.dispose();
  }
  const spiking = { correct, total, accuracy: correct / total, predictions };
  const energy = energyReport(mergeCounters(counters));
  return { ...(floatResult ? { float: floatResult } : {}), spiking, conversion: first as Conversion<VitModel>, energy };
}

/** The float tensors of a safetensors file, by name (other dtypes are left out). */
export function floatTensorMap(file: Safetensors): Map<string, Tensor> {
  const map = new Map<string, Tensor>();
  for (const [name, tensor] of file.tensors)
    if ('data' in tensor) map.set(name, { data: tensor.data, shape: tensor.shape });
  return map;
}
