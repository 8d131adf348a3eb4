export {
  Kernels,
  loadKernels,
  ResidentMatrix,
  ResidentTables,
  MAX_BASES,
  MAX_THREADS,
  MAX_TIMESTEPS,
} from './kernels.js';
export type {
  ElementwiseOptions,
  FrexpBuffers,
  FrexpOptions,
  GemmOptions,
  LdexpOptions,
  LoadKernelsOptions,
  MatmulF64Options,
  MembraneOptions,
  MembraneSpikesBuffers,
  MembraneSpikesOptions,
  PackedDtype,
  PackedMatrix,
  SoftmaxKernelOptions,
} from './kernels.js';
export type { FrexpResult, MembraneSpikes, MembraneTables, SpikePlanes } from './types.js';
