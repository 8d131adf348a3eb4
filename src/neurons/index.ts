export {
  basesOf,
  checkNeuron,
  identityNeuron,
  mbeSchedules,
  neuronTables,
  simulate,
  type FsNeuron,
  type MbeNeuron,
  type Neuron,
} from './neuron.js';
export { NEURON_VARIANTS, type FitRecord, type HeldOutError, type NeuronEntry, type NeuronVariant } from './entry.js';
export { HELD_OUT_SAMPLES, HELD_OUT_SEED, heldOutError, weightedError } from './evaluate.js';
export { fitNeuron, type FitOutcome, type FitRequest } from './fit/fit-neuron.js';
export { findShippedNeuron, shippedNeuron, shippedNeurons, type NeuronQuery } from './table.js';
export {
  erf,
  gelu,
  geluTanh,
  sigmoid,
  silu,
  targetByName,
  TARGET_NAMES,
  TARGETS,
  type TargetFunction,
  type TargetName,
} from './targets.js';
