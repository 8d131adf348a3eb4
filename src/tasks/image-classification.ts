// The image task for any image classifier: conversion calibrated on images disjoint from the evaluated
// ones, in two folds.
import { calibrateModel, heldWeights } from '../convert/convert.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernels } from '../kernels/index.js';
import { energyReport, type EnergyReport } from '../metrics/energy.js';
import { accuracy, type AccuracyResult } from '../metrics/evaluate.js';
import type { ModelBuilder } from '../models/builder.js';
import type { ImageClassifier } from '../models/interfaces.js';
import { mergeCounters } from '../ops/instrumentation.js';
import type { OpSet } from '../ops/opset.js';
import {
  convertAllocating,
  type AllocatedConversion,
  type Allocation,
  type AllocatingConvertOptions,
  type OutputProbe,
} from './allocate.js';

/** A conversion's options, with an optional allocation of per-site timesteps on the calibration images. */
export type ImageClassifierConvertOptions = AllocatingConvertOptions;

export type ImageClassifierConversion<M> = AllocatedConversion<M>;

/** The logits of an image classifier on the first `rows` calibration images: what an allocation's budget is measured on. */
function imageProbe<M extends ImageClassifier>(calibration: Uint8Array, count: number): OutputProbe<M> {
  const size = calibration.length / count;
  return {
    run(model: M, rows: number) {
      const n = Math.min(count, rows);
      const logits = new Float32Array(n * model.classes); // (n, classes)
      for (let i = 0; i < n; i++) {
        logits.set(model.forward(calibration.subarray(i * size, (i + 1) * size)), i * model.classes);
      }
      return { logits, classes: model.classes };
    },
  };
}

/**
 * Converts an image classifier, calibrating on `calibration` (count, pixels per image) images; with `allocate`,
 * the per-site timesteps are chosen on those same images first.
 */
export function convertImageClassifier<M extends ImageClassifier>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  calibration: Uint8Array,
  calibrationCount: number,
  options: ImageClassifierConvertOptions,
): ImageClassifierConversion<M> {
  const size = calibration.length / calibrationCount;
  const build = (ops: OpSet) => builder.build(ops);
  const calibrated = calibrateModel(
    kernels,
    build,
    (model) => {
      for (let i = 0; i < calibrationCount; i++) model.forward(calibration.subarray(i * size, (i + 1) * size));
    },
    heldWeights(options),
  );
  return convertAllocating(kernels, builder, calibrated, imageProbe<M>(calibration, calibrationCount), options);
}

export interface ImageClassifierEvaluation<M extends ImageClassifier = ImageClassifier> {
  readonly float?: AccuracyResult;
  readonly spiking: AccuracyResult;
  /** The conversion of the first fold (its report is representative; both folds use the same options). */
  readonly conversion: ImageClassifierConversion<M>;
  /** Each fold's allocation, when one was asked for (each fold is allocated on its own calibration images). */
  readonly allocations?: readonly Allocation[];
  readonly energy: EnergyReport;
}

export interface ImageClassifierEvaluationOptions extends ImageClassifierConvertOptions {
  /** Images evaluated: the first `evaluate` (default: all). */
  readonly evaluate?: number;
  /** Calibration images per fold (default 32). */
  readonly calibrate?: number;
  readonly skipFloat?: boolean;
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

/**
 * Accuracy of the float classifier and of its spiking conversion. The evaluated images are split into two
 * halves, each scored by a conversion calibrated on images outside it: the first half on the last
 * `calibrate` images of the set, the second half on the first ones. The calibration sets do not depend on
 * how many images are evaluated, so every run converts the model the same way.
 */
export function evaluateImageClassifier<M extends ImageClassifier>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  images: Uint8Array,
  labels: Uint8Array | Uint16Array,
  options: ImageClassifierEvaluationOptions,
): ImageClassifierEvaluation<M> {
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
  const predictions = new Uint8Array(total); // (total) spiking predictions
  let correct = 0;
  let first: ImageClassifierConversion<M> | undefined;
  const allocations: Allocation[] = [];
  let floatResult: AccuracyResult | undefined;
  const counters = [];
  for (const fold of folds) {
    const calibration = images.subarray(fold.calibration * size, (fold.calibration + calibrate) * size);
    const conversion = convertImageClassifier(kernels, builder, calibration, calibrate, options);
    first ??= conversion;
    if (conversion.allocation) allocations.push(conversion.allocation);
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
  return {
    ...(floatResult ? { float: floatResult } : {}),
    spiking,
    conversion: first as ImageClassifierConversion<M>,
    ...(allocations.length > 0 ? { allocations } : {}),
    energy,
  };
}
