// mbe-snn: the public API, browser-safe (nothing reachable from here imports `node:` modules). Every name is
// listed here on purpose, grouped as the README's API section is; everything else is internal. The list is
// pinned by test/package/exports.test.ts, so changing it is a visible decision.
//   mbe-snn/node         this plus the Node file readers
//   mbe-snn/plot         SVG plots
//   mbe-snn/stories260K  the embedded default model (1.4 MB: its own entry)

// Kernels: WebAssembly SIMD membrane simulation, spike-plane products, GEMM, exponent/mantissa split.
export {
  Kernels,
  loadKernels,
  MAX_BASES,
  MAX_THREADS,
  MAX_TIMESTEPS,
  ResidentMatrix,
  ResidentTables,
} from './kernels/index.js';
export type {
  FrexpBuffers,
  FrexpOptions,
  FrexpResult,
  GemmOptions,
  LdexpOptions,
  LoadKernelsOptions,
  MatmulF64Options,
  MembraneOptions,
  MembraneSpikes,
  MembraneSpikesBuffers,
  MembraneSpikesOptions,
  MembraneTables,
  PackedDtype,
  PackedMatrix,
  SpikePlanes,
} from './kernels/index.js';
export { bestVariant, supportedVariants, WASM_VARIANTS, WasmVariantError } from '../bindings/loader.js';
export type { WasmVariant } from '../bindings/loader.js';

// Neurons: MBE and Few-Spikes neurons, their fitter, the shipped table of fitted neurons, the target functions.
export { identityNeuron, simulate, type FsNeuron, type MbeNeuron, type Neuron } from './neurons/neuron.js';
export type { NeuronEntry, NeuronVariant } from './neurons/entry.js';
export { fitNeuron, type FitOutcome, type FitRequest } from './neurons/fit/fit-neuron.js';
export { findShippedNeuron, shippedNeuron, shippedNeurons, type NeuronQuery } from './neurons/table.js';
export { TARGET_NAMES, TARGETS, type TargetFunction, type TargetName } from './neurons/targets.js';

// Operators: the float, calibrating and spiking OpSets every model runs on, and where neurons come from.
export { FloatOpSet } from './ops/float-opset.js';
export { CalibratingOpSet, type Calibration } from './ops/calibration.js';
export { SpikingOpSet, type SpikingOpSetInit } from './ops/spiking/spiking-opset.js';
export type { ActivationFit, IdentityCode, RangeMode, SpikingMode, SpikingOptions } from './ops/spiking/options.js';
export type { IdentityRangeRule, IdentityRounding } from './ops/spiking/ranges.js';
export type { ActivationKind, LinearLayer, OpSet } from './ops/opset.js';
export { OP_FAMILIES, type OpFamily } from './ops/conventions.js';
export {
  memoryNeuronCache,
  NeuronProvider,
  type NeuronCache,
  type NeuronProviderOptions,
} from './ops/neuron-provider.js';

// Loading: the architecture registry (llama2.c, GPT-2, Llama, Qwen2, BERT, RoBERTa, ViT) and the readers.
export { ARCHITECTURES, findArchitecture, recogniseArchitecture } from './models/registry.js';
export type {
  ArchitectureEntry,
  CausalLMEntry,
  ImageClassifierEntry,
  ModelFile,
  ModelFiles,
  SequenceClassifierEntry,
  SequenceEncoderEntry,
} from './models/registry.js';
export type * from './models/interfaces.js';
export type { ModelBuilder } from './models/builder.js';
export { parseLlama2c, type Llama2cCheckpoint, type Llama2cConfig } from './io/llama2c.js';
export { parseTokenizer, type Llama2cTokenizer } from './io/tokenizer.js';
export { parseSafetensors, type Safetensors, type SafetensorsTensor } from './io/safetensors.js';
export {
  gunzip,
  parseIdxImages,
  parseIdxLabels,
  type GunzipOptions,
  type IdxImages,
  type IdxLabels,
} from './io/idx.js';
export type { WeightOptions } from './io/finite.js';
export { folderFromFiles, type PickedFile } from './io/hf/file-list.js';
export { MODEL_FOLDER_FILES, type FolderFiles } from './io/hf/folder.js';
export { HfConfig } from './io/hf/config.js';
export { hasHfTokenizer, hfTokenizer, type HfTokenizer } from './io/hf/tokenizer.js';
export { decodeWithCanvas } from './io/images/canvas.js';
export type { DecodedImage } from './io/images/image.js';
export { writeSafetensors, type WritableTensor } from './io/safetensors-writer.js';
export { llama2cToHf } from './io/llama2c-to-hf.js';

// Converting: a model builder + calibration inputs -> its float twin, its spiking version and the report.
export { convert, convertBuilder, type Conversion, type ConvertOptions } from './convert/convert.js';
export { formatConversionReport, type ConversionReport, type NeuronUse, type SiteReport } from './convert/report.js';

// Running and measuring: the tasks (convert + evaluate the float and spiking models side by side), the metrics,
// the energy estimate.
export {
  causalLMProbe,
  convertCausalLM,
  evaluateCausalLM,
  evaluateCausalLMIds,
  evaluateCausalLMSequences,
  type CausalLMConvertOptions,
  type LanguageModelEvaluation,
  type LanguageModelEvaluationOptions,
  type SlidingWindowOptions,
} from './tasks/language-model.js';
export {
  convertOnSelfSamples,
  evaluateCausalLMFidelity,
  SAMPLE_SEEDS,
  type CausalLMFidelity,
  type CausalLMFidelityOptions,
  type SampleSettings,
  type SelfCalibrationOptions,
} from './tasks/causal-lm-fidelity.js';
export { sampleSequences, type SelfSampleOptions } from './tasks/self-samples.js';
export {
  allocateTimesteps,
  DEFAULT_LEVELS,
  type Allocation,
  type AllocationRequest,
  type OutputProbe,
  type SiteSensitivity,
  type TimestepBudget,
} from './tasks/allocate.js';
export {
  FRONTIER_ALLOCATION_LEVELS,
  FRONTIER_TIMESTEPS,
  changeFromFloat,
  frontierPoints,
  markParetoFront,
  parseBudget,
  type EvaluatePoint,
  type FrontierBudget,
  type FrontierPoint,
  type PointResult,
} from './tasks/frontier.js';
export { generate, type GenerateOptions, type Generation } from './tasks/generate.js';
export {
  convertImageClassifier,
  evaluateImageClassifier,
  type ImageClassifierConvertOptions,
  type ImageClassifierEvaluation,
  type ImageClassifierEvaluationOptions,
} from './tasks/image-classification.js';
export { idxImages, prepareImages } from './tasks/image-data.js';
export {
  evaluateSequenceClassifier,
  parseLabelledTsv,
  type SequenceClassifierEvaluation,
  type SequenceClassifierEvaluationOptions,
} from './tasks/sequence-classification.js';
export {
  evaluateEncoderSimilarity,
  sentenceRows,
  type EncoderEvaluation,
  type EncoderEvaluationOptions,
} from './tasks/encoder-similarity.js';
export { accuracy, perplexity, type AccuracyResult, type PerplexityResult } from './metrics/evaluate.js';
export { fidelity, type FidelityResult } from './metrics/fidelity.js';
export {
  DEFAULT_ENERGY,
  ENERGY_PRESETS,
  energyReport,
  formatEnergyReport,
  type AnnComparison,
  type EnergyAssumptions,
  type EnergyPrecision,
  type EnergyReport,
  type MemoryAssumptions,
  type MemoryEnergy,
} from './metrics/energy.js';

// Errors: every error thrown on bad input is one of these (a stable `code`, a bounded one-line message).
export { FormatError, InvalidArgumentError, MbeError, WasmMemoryError } from './errors.js';
export { VERSION } from './version.js';
export { seededRandom } from './random.js';
