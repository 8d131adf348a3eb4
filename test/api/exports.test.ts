// The public API, pinned: every name the package's entries export, values and types. A change to this list is
// a decision about the API (README "API"), made here on purpose, never a side effect of an index file.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

/** Names exported by a module, from the type checker: values and types alike. */
function exportedNames(entry: string): string[] {
  const file = fileURLToPath(new URL(entry, root));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.name)
    .sort();
}

const VALUES = [
  'ARCHITECTURES',
  'CalibratingOpSet',
  'DEFAULT_ENERGY',
  'ENERGY_PRESETS',
  'FloatOpSet',
  'FormatError',
  'HfConfig',
  'InvalidArgumentError',
  'Kernels',
  'MAX_BASES',
  'DEFAULT_LEVELS',
  'FRONTIER_ALLOCATION_LEVELS',
  'FRONTIER_TIMESTEPS',
  'MAX_THREADS',
  'MAX_TIMESTEPS',
  'MODEL_FOLDER_FILES',
  'MbeError',
  'NeuronProvider',
  'OP_FAMILIES',
  'ResidentMatrix',
  'SAMPLE_SEEDS',
  'SpikingOpSet',
  'TARGETS',
  'TARGET_NAMES',
  'VERSION',
  'WASM_VARIANTS',
  'WasmMemoryError',
  'WasmVariantError',
  'accuracy',
  'allocateTimesteps',
  'bestVariant',
  'causalLMProbe',
  'convert',
  'convertBuilder',
  'convertCausalLM',
  'convertImageClassifier',
  'convertOnSelfSamples',
  'decodeWithCanvas',
  'energyReport',
  'evaluateCausalLM',
  'evaluateCausalLMFidelity',
  'evaluateCausalLMIds',
  'evaluateCausalLMSequences',
  'evaluateEncoderSimilarity',
  'evaluateImageClassifier',
  'evaluateSequenceClassifier',
  'fidelity',
  'findArchitecture',
  'findShippedNeuron',
  'frontierPoints',
  'fitNeuron',
  'folderFromFiles',
  'formatConversionReport',
  'formatEnergyReport',
  'generate',
  'gunzip',
  'hasHfTokenizer',
  'hfTokenizer',
  'identityNeuron',
  'idxImages',
  'llama2cToHf',
  'markParetoFront',
  'loadKernels',
  'memoryNeuronCache',
  'parseBudget',
  'parseIdxImages',
  'parseIdxLabels',
  'parseLabelledTsv',
  'parseLlama2c',
  'parseSafetensors',
  'parseTokenizer',
  'perplexity',
  'prepareImages',
  'recogniseArchitecture',
  'sampleSequences',
  'seededRandom',
  'sentenceRows',
  'shippedNeuron',
  'shippedNeurons',
  'simulate',
  'supportedVariants',
  'writeSafetensors',
];

const TYPES = [
  'EvaluatePoint',
  'FrontierBudget',
  'FrontierPoint',
  'PointResult',
  'Allocation',
  'AllocationRequest',
  'CausalLMConvertOptions',
  'IdentityCode',
  'IdentityRangeRule',
  'IdentityRounding',
  'ImageClassifierConvertOptions',
  'MemoryAssumptions',
  'MemoryEnergy',
  'OutputProbe',
  'SiteSensitivity',
  'TimestepBudget',
  'AccuracyResult',
  'AnnComparison',
  'ActivationFit',
  'ActivationKind',
  'ArchitectureEntry',
  'Calibration',
  'CausalLM',
  'CausalLMEntry',
  'CausalLMFidelity',
  'CausalLMFidelityOptions',
  'Conversion',
  'ConversionReport',
  'ConvertOptions',
  'DecodedImage',
  'EncoderEvaluation',
  'EncoderEvaluationOptions',
  'EnergyAssumptions',
  'EnergyPrecision',
  'EnergyReport',
  'FidelityResult',
  'FitOutcome',
  'FitRequest',
  'FolderFiles',
  'FrexpBuffers',
  'FrexpOptions',
  'FrexpResult',
  'FsNeuron',
  'GemmOptions',
  'GenerateOptions',
  'GunzipOptions',
  'Generation',
  'HfTokenizer',
  'IdxImages',
  'IdxLabels',
  'ImageClassifier',
  'ImageClassifierEntry',
  'ImageClassifierEvaluation',
  'ImageClassifierEvaluationOptions',
  'ImageShape',
  'LanguageModelEvaluation',
  'LanguageModelEvaluationOptions',
  'LdexpOptions',
  'LinearLayer',
  'Llama2cCheckpoint',
  'Llama2cConfig',
  'Llama2cTokenizer',
  'LoadKernelsOptions',
  'MbeNeuron',
  'MembraneOptions',
  'MembraneSpikes',
  'MembraneSpikesBuffers',
  'MembraneSpikesOptions',
  'MembraneTables',
  'ModelBuilder',
  'ModelFile',
  'ModelFiles',
  'Neuron',
  'NeuronCache',
  'NeuronEntry',
  'NeuronProviderOptions',
  'NeuronQuery',
  'NeuronUse',
  'NeuronVariant',
  'OpFamily',
  'OpSet',
  'PackedDtype',
  'PackedMatrix',
  'PerplexityResult',
  'PickedFile',
  'RangeMode',
  'Safetensors',
  'SafetensorsTensor',
  'SampleSettings',
  'SelfCalibrationOptions',
  'SelfSampleOptions',
  'SequenceClassifier',
  'SequenceClassifierEntry',
  'SequenceClassifierEvaluation',
  'SequenceClassifierEvaluationOptions',
  'SequenceEncoder',
  'SequenceEncoderEntry',
  'SiteReport',
  'SlidingWindowOptions',
  'SpikePlanes',
  'SpikingMode',
  'SpikingOpSetInit',
  'SpikingOptions',
  'TargetFunction',
  'TargetName',
  'TextTokenizer',
  'WasmVariant',
  'WeightOptions',
  'WritableTensor',
];

/** mbe-snn/node adds the file readers. */
const NODE_VALUES = [
  'decodeImage',
  'loadLlama2c',
  'loadMnist',
  'loadSafetensors',
  'loadTokenizer',
  'readFileBytes',
  'readImageFile',
  'readImageFolder',
  'readModelFolder',
];
const NODE_TYPES = ['ImageFolder', 'ImageFolderOptions', 'MnistSet', 'ReadFileOptions'];

const sorted = (names: readonly string[]) => [...names].sort();

describe('the public API', () => {
  it('mbe-snn exports exactly the pinned names, values and types', async () => {
    expect(exportedNames('src/index.ts')).toEqual(sorted([...VALUES, ...TYPES]));
    expect(Object.keys(await import('../../src/index.js')).sort()).toEqual(sorted(VALUES));
  });

  it('mbe-snn/node exports the browser entry plus the pinned Node readers', async () => {
    const all = [...VALUES, ...TYPES, ...NODE_VALUES, ...NODE_TYPES];
    expect(exportedNames('src/node.ts')).toEqual(sorted(all));
    expect(Object.keys(await import('../../src/node.js')).sort()).toEqual(sorted([...VALUES, ...NODE_VALUES]));
  });

  it('mbe-snn/stories260K exports the embedded model and its source', () => {
    expect(exportedNames('src/io/embedded/stories260K.ts')).toEqual(
      sorted(['EmbeddedFile', 'EmbeddedModel', 'STORIES260K_SOURCE', 'stories260K']),
    );
  });
});
