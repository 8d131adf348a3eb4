export { Kernels, loadKernels, ResidentMatrix, MAX_BASES, MAX_TIMESTEPS } from './kernels.js';
export type {
  GemmOptions,
  LoadKernelsOptions,
  MembraneOptions,
  MembraneSpikesOptions,
  PackedMatrix,
} from './kernels.js';
export type { FrexpResult, MembraneSpikes, MembraneTables, SpikePlanes } from './types.js';
