// The fixture's MNIST ViT through the image task (kept for direct use of its tensors).
import type { Conversion, ConvertOptions } from '../convert/convert.js';
import type { Kernels } from '../kernels/index.js';
import { vitBuilder, type VitModel } from '../models/vit.js';
import type { TensorMap } from '../tensor.js';
import {
  convertImageClassifier,
  evaluateImageClassifier,
  type ImageClassifierEvaluation,
  type ImageClassifierEvaluationOptions,
} from './image-classification.js';

/** Converts the ViT, calibrating on `calibration` (count, pixels) images. */
export function convertVit(
  kernels: Kernels,
  tensors: TensorMap,
  calibration: Uint8Array,
  calibrationCount: number,
  options: ConvertOptions,
): Conversion<VitModel> {
  return convertImageClassifier(kernels, vitBuilder(tensors), calibration, calibrationCount, options);
}

/** Accuracy of the float ViT and of its spiking conversion, in two calibration folds. */
export function evaluateVit(
  kernels: Kernels,
  tensors: TensorMap,
  images: Uint8Array,
  labels: Uint8Array,
  options: ImageClassifierEvaluationOptions,
): ImageClassifierEvaluation<VitModel> {
  return evaluateImageClassifier(kernels, vitBuilder(tensors), images, labels, options);
}
