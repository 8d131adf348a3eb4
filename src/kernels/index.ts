export { Kernels, loadKernels, ResidentMatrix, MAX_BASES, MAX_THREADS, MAX_TIMESTEPS } from './kernels.js';
export type {
  FrexpBuffers,
  FrexpOptions,
  GemmOptions,
  LdexpOptions,
  LoadKernelsOptions,
  MembraneOptions,
  MembraneSpikesBuffers,
  MembraneSpikesOptions,
  PackedDtype,
  PackedMatrix,
} from './kernels.js';
export type { FrexpResult, MembraneSpikes, MembraneTables, SpikePlanes } from './types.js';
