// Matrices held in wasm memory across calls (weights that kernels read many times): row-major for
// spikemm and gemmRef, packed into 16-column panels for gemm. Each belongs to the Kernels that made it.
import { InvalidArgumentError } from '../errors.js';
import { checkInt, checkLength, MAX_DIM } from './checks.js';
import type { KernelContext } from './context.js';
import type { Kernels } from './kernels.js';

/** A row-major matrix held in wasm memory, for kernels that read it many times. */
export class ResidentMatrix {
  private freed = false;
  constructor(
    /** @internal */ readonly owner: Kernels,
    readonly ptr: number,
    readonly rows: number,
    readonly cols: number,
    readonly layout: 'row-major' | 'packed-16',
  ) {}
  /** Gives the memory back; the matrix cannot be used afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.owner.releaseMatrix(this);
  }
  get isFreed(): boolean {
    return this.freed;
  }
}

/** A B operand packed by Kernels.pack. */
export type PackedMatrix = ResidentMatrix;

/** Copies data (rows, cols) into a long-lived block. */
export function uploadMatrix(
  { heap }: KernelContext,
  owner: Kernels,
  data: Float32Array,
  rows: number,
  cols: number,
): ResidentMatrix {
  checkMatrix('data', data, rows, cols);
  const ptr = heap.alloc(rows * cols * 4); // (rows, cols)
  heap.f32(ptr, rows * cols).set(data);
  return new ResidentMatrix(owner, ptr, rows, cols, 'row-major');
}

/** Packs b (K, N) into a long-lived block of (ceil(N / 16), K, 16) panels, zero-padded past N. */
export function packMatrix(
  { heap, wasm }: KernelContext,
  owner: Kernels,
  b: Float32Array,
  K: number,
  N: number,
): PackedMatrix {
  checkMatrix('b', b, K, N);
  const ptr = heap.alloc(Math.ceil(N / 16) * K * 16 * 4); // (ceil(N / 16), K, 16)
  heap.scratch((scratch) => {
    const bPtr = scratch.alloc(K * N * 4); // (K, N)
    heap.f32(bPtr, K * N).set(b);
    wasm.gemm_pack_b(ptr, bPtr, K, N);
  });
  return new ResidentMatrix(owner, ptr, K, N, 'packed-16');
}

/** Throws unless `matrix` is a live matrix of `owner` in the given layout. */
export function checkResident(
  owner: Kernels,
  name: string,
  matrix: ResidentMatrix,
  layout: ResidentMatrix['layout'],
): void {
  if (!(matrix instanceof ResidentMatrix) || matrix.layout !== layout) {
    const how = layout === 'packed-16' ? 'Kernels.pack' : 'Kernels.upload';
    throw new InvalidArgumentError(`${name} must be a ${layout} matrix made by ${how}`);
  }
  if (matrix.isFreed) throw new InvalidArgumentError(`${name} was freed`);
  if (matrix.owner !== owner) throw new InvalidArgumentError(`${name} belongs to another Kernels instance`);
}

function checkMatrix(name: string, data: Float32Array, rows: number, cols: number): void {
  checkInt(`${name} rows`, rows, 0, MAX_DIM);
  checkInt(`${name} cols`, cols, 0, MAX_DIM);
  checkLength(name, data, rows * cols, `(${rows}, ${cols})`);
}
