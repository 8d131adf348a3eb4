// What the single-file image entries (the ViT, LeNet-5, ResNet, VGG) share: recognising their safetensors file
// by tensor names only that layout has.
import { FormatError } from '../errors.js';
import { parseSafetensors } from '../io/safetensors.js';
import type { ModelFile } from './registry.js';

/** Whether `model` is a safetensors file holding every one of `names` (a file that does not parse is not). */
export function hasTensors(model: ModelFile | undefined, names: readonly string[]): boolean {
  if (!model) return false;
  try {
    const { tensors } = parseSafetensors(model.bytes, model.name);
    return names.every((n) => tensors.has(n));
  } catch (error) {
    if (error instanceof FormatError) return false;
    throw error;
  }
}
