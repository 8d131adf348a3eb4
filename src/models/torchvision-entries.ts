// The registry entries of torchvision CNNs exported to one safetensors file (role 'model'): ResNet and VGG, each
// recognised by tensor names the other layouts (LeNet-5's convnet.*, the ViT's, each other's) do not have. The
// input is RGB at __metadata__.input_size (default 224), normalised with the ImageNet statistics, resized with
// Pillow's bilinear filter; labels are the class indices.
import { FormatError } from '../errors.js';
import type { WeightOptions } from '../io/finite.js';
import { floatTensorMap, parseSafetensors } from '../io/safetensors.js';
import type { TensorMap } from '../tensor.js';
import type { ModelBuilder } from './builder.js';
import type { ImageClassifier, ImageShape } from './interfaces.js';
import { hasTensors } from './model-file.js';
import type { ImageClassifierEntry, ImageInput, ModelFiles } from './registry.js';
import { RESNET_TENSORS } from './resnet-config.js';
import { resnetBuilder } from './resnet.js';
import { classIndexLabels, imageShapeOf } from './torchvision.js';
import { VGG_TENSORS } from './vgg-config.js';
import { vggBuilder } from './vgg.js';

/** A builder of the model file's tensors, told the input shape; it knows its class count. */
type TorchvisionBuild = (
  tensors: TensorMap,
  image: ImageShape,
  source: string,
  options: WeightOptions,
) => ModelBuilder<ImageClassifier> & { readonly classes: number };

/** The model file loaded: a builder and the input (shape from the metadata, bilinear, class-index labels). */
function load(entry: string, files: ModelFiles, build: TorchvisionBuild, options: WeightOptions = {}) {
  const model = files.get('model');
  if (!model) throw new FormatError(entry, 'the model needs its model file');
  const parsed = parseSafetensors(model.bytes, model.name);
  const image = imageShapeOf(parsed.metadata, model.name);
  const builder = build(floatTensorMap(parsed, options), image, model.name, options);
  const input: ImageInput = { image, resample: 'bilinear', labels: classIndexLabels(builder.classes) };
  return { builder, input };
}

export const RESNET_ENTRY: ImageClassifierEntry = {
  name: 'resnet',
  task: 'image-classifier',
  summary:
    'a torchvision ResNet (BasicBlock/Bottleneck: conv1, bn1, layerN.i.*, fc; RGB, ImageNet normalisation, ' +
    '224x224 unless __metadata__.input_size) in a safetensors file',
  files: [{ role: 'model', description: 'ResNet safetensors' }],
  recognise: (files) => hasTensors(files.get('model'), RESNET_TENSORS),
  load: (files, options) => load('resnet', files, resnetBuilder, options),
  calibration: { imagesPerFold: 32 },
};

export const VGG_ENTRY: ImageClassifierEntry = {
  name: 'vgg',
  task: 'image-classifier',
  summary:
    'a torchvision VGG with or without batch norm (features.*, classifier.0/3/6; RGB, ImageNet normalisation, ' +
    '224x224 unless __metadata__.input_size) in a safetensors file',
  files: [{ role: 'model', description: 'VGG safetensors' }],
  recognise: (files) => hasTensors(files.get('model'), VGG_TENSORS),
  load: (files, options) => load('vgg', files, vggBuilder, options),
  calibration: { imagesPerFold: 32 },
};
