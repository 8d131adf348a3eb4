export {
  ACTIVATION_KINDS,
  type ActivationKind,
  type LinearLayer,
  type MatmulOptions,
  type OpSet,
  type SoftmaxOptions,
} from './opset.js';
export { FloatOpSet } from './float-opset.js';
export { CalibratingOpSet, type Calibration, type OperandRange } from './calibration.js';
export { Instrumentation, MAC_CONVENTIONS, OP_FAMILIES, type OpFamily, type SiteCounters } from './instrumentation.js';
export {
  memoryNeuronCache,
  NeuronProvider,
  neuronKey,
  type NeuronCache,
  type NeuronProviderOptions,
  type NeuronRequest,
} from './neuron-provider.js';
export { SpikingOpSet, type SpikingOpSetInit } from './spiking/spiking-opset.js';
export type { RangeMode, SpikingMode, SpikingOptions } from './spiking/options.js';
export { activationDomain, powerOfTwoRange } from './spiking/ranges.js';
