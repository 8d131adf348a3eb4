// The geometry of a stacked matmul call (MatmulOptions.batch): which b block each product reads, where the
// products' operands lie, and the checks every OpSet shares. One product per call is a batch of one.
import { InvalidArgumentError } from '../errors.js';
import type { MatmulOptions } from './opset.js';

export interface MatmulBatch {
  /** Products in the call. */
  readonly batch: number;
  /** Consecutive products reading one b block. */
  readonly share: number;
  /** Elements from one b block to the next. */
  readonly stride: number;
  /** b blocks read: batch / share. */
  readonly blocks: number;
}

/** The batch geometry of a call's options on (K, N) b blocks. */
export function matmulBatch(options: MatmulOptions | undefined, K: number, N: number): MatmulBatch {
  const batch = options?.batch ?? 1;
  const share = options?.bShare ?? 1;
  const stride = options?.bStride ?? K * N;
  return { batch, share, stride, blocks: batch / share };
}

/** Throws unless the options describe whole products: batch a positive integer, bShare dividing it, bStride >= 0. */
export function checkMatmulBatch(site: string, options: MatmulOptions | undefined): void {
  const batch = options?.batch ?? 1;
  const share = options?.bShare ?? 1;
  const stride = options?.bStride;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new InvalidArgumentError(`${site}: batch must be a positive integer, got ${String(batch)}`);
  }
  if (!Number.isInteger(share) || share < 1 || batch % share !== 0) {
    throw new InvalidArgumentError(
      `${site}: bShare must be a positive integer dividing batch ${batch}, got ${String(share)}`,
    );
  }
  if (stride !== undefined && (!Number.isInteger(stride) || stride < 0)) {
    throw new InvalidArgumentError(`${site}: bStride must be a non-negative integer, got ${String(stride)}`);
  }
}

/** Elements of b the call reads up to: the last block's end. */
export function bExtent({ blocks, stride }: MatmulBatch, K: number, N: number): number {
  return blocks === 0 ? 0 : (blocks - 1) * stride + K * N;
}

/** Block j of b, (K, N) or (N, K). */
export function bBlock(b: Float32Array, { stride }: MatmulBatch, j: number, K: number, N: number): Float32Array {
  return b.subarray(j * stride, j * stride + K * N);
}
