// Matrices held in wasm memory across calls (weights that kernels read many times): row-major for
// spikemm and gemmRef, packed into 16-column panels for gemm. Each belongs to the Kernels that made it.
// The kernels trust only what was recorded when a matrix was issued (module-private, below): an object
// made any other way, or a copy of a real one, would hand wasm a pointer of the caller's choosing.
import { InvalidArgumentError } from '../errors.js';
import { checkFloat32Array, checkInt, checkLength, checkWasmBytes, MAX_DIM } from './checks.js';
import type { KernelContext } from './context.js';
import type { WasmHeap } from './heap.js';
import type { Kernels } from './kernels.js';

/** `packed-16-bf16`: the packed layout with each element rounded to bf16 (half the bytes). */
type Layout = 'row-major' | 'packed-16' | 'packed-16-bf16';

/** How a packed matrix stores its elements: f32 as given, or bf16 (rounded to nearest even; NaN stays NaN). */
export type PackedDtype = 'f32' | 'bf16';

/** What upload and pack recorded about a matrix they issued. */
export interface IssuedMatrix {
  readonly owner: Kernels;
  readonly heap: WasmHeap;
  readonly ptr: number;
  readonly rows: number;
  readonly cols: number;
  readonly layout: Layout;
  freed: boolean;
}

/** Every matrix issued by uploadMatrix and packMatrix, and only those. */
const issued = new WeakMap<ResidentMatrix, IssuedMatrix>();

function record(matrix: ResidentMatrix): IssuedMatrix {
  const found = issued.get(matrix);
  if (found === undefined) throw new InvalidArgumentError('not a matrix made by Kernels.upload or Kernels.pack');
  return found;
}

/** A row-major matrix held in wasm memory, for kernels that read it many times (made by Kernels.upload or pack). */
export class ResidentMatrix {
  private constructor() {
    // instances come from issue() only; one made otherwise is in no record and every kernel rejects it
  }
  get rows(): number {
    return record(this).rows;
  }
  get cols(): number {
    return record(this).cols;
  }
  get layout(): Layout {
    return record(this).layout;
  }
  /** @internal The block's address in wasm memory. */
  get ptr(): number {
    return record(this).ptr;
  }
  get isFreed(): boolean {
    return record(this).freed;
  }
  /** Gives the memory back; the matrix cannot be used afterwards. */
  free(): void {
    const r = record(this);
    if (r.freed) return;
    r.freed = true;
    r.heap.release(r.ptr);
  }
}

/** A B operand packed by Kernels.pack. */
export type PackedMatrix = ResidentMatrix;

function issue(fields: Omit<IssuedMatrix, 'freed'>): ResidentMatrix {
  const matrix = Object.create(ResidentMatrix.prototype) as ResidentMatrix;
  issued.set(matrix, { ...fields, freed: false });
  return matrix;
}

/** Copies data (rows, cols) into a long-lived block. */
export function uploadMatrix(
  { heap }: KernelContext,
  owner: Kernels,
  data: Float32Array,
  rows: number,
  cols: number,
): ResidentMatrix {
  checkMatrix('data', data, rows, cols);
  checkWasmBytes('the matrix', rows * cols * 4);
  const ptr = heap.alloc(rows * cols * 4); // (rows, cols)
  heap.f32(ptr, rows * cols).set(data);
  return issue({ owner, heap, ptr, rows, cols, layout: 'row-major' });
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
  const packedBytes = Math.ceil(N / 16) * K * 16 * 4;
  checkWasmBytes('the packed matrix and its copy', packedBytes + K * N * 4);
  const ptr = heap.alloc(packedBytes); // (ceil(N / 16), K, 16)
  heap.scratch((scratch) => {
    const bPtr = scratch.alloc(K * N * 4); // (K, N)
    heap.f32(bPtr, K * N).set(b);
    wasm.gemm_pack_b(ptr, bPtr, K, N);
  });
  return issue({ owner, heap, ptr, rows: K, cols: N, layout: 'packed-16' });
}

/**
 * Packs B = W^T for W (N, K) row-major, a linear layer's (out, in) weight, as packMatrix packs a (K, N) B: written
 * straight into the block, so no transposed copy and no scratch of the whole matrix is ever made. With `bf16`,
 * each element is rounded to bf16 on the way (gemm then widens it back exactly).
 */
export function packTransposedMatrix(
  { heap }: KernelContext,
  owner: Kernels,
  w: Float32Array,
  K: number,
  N: number,
  dtype: PackedDtype = 'f32',
): PackedMatrix {
  checkMatrix('w', w, N, K);
  const panels = Math.ceil(N / 16);
  const elementBytes = dtype === 'bf16' ? 2 : 4;
  checkWasmBytes('the packed matrix', panels * K * 16 * elementBytes);
  const ptr = heap.alloc(panels * K * 16 * elementBytes); // (panels, K, 16)
  const packed = dtype === 'bf16' ? heap.u16(ptr, panels * K * 16) : heap.f32(ptr, panels * K * 16);
  const bits = new Uint32Array(w.buffer, w.byteOffset, w.length); // w's elements as bits, for bf16 rounding
  for (let p = 0; p < panels; p++) {
    for (let c = 0; c < 16; c++) {
      const n = p * 16 + c;
      const at = p * K * 16 + c; // (p, 0, c)
      if (n >= N) {
        for (let k = 0; k < K; k++) packed[at + k * 16] = 0; // the padding past N
        continue;
      }
      const row = n * K; // W's row n is B's column n
      if (dtype === 'bf16') {
        for (let k = 0; k < K; k++) packed[at + k * 16] = bf16Bits(bits[row + k] as number);
      } else {
        for (let k = 0; k < K; k++) packed[at + k * 16] = w[row + k] as number;
      }
    }
  }
  return issue({ owner, heap, ptr, rows: K, cols: N, layout: dtype === 'bf16' ? 'packed-16-bf16' : 'packed-16' });
}

/** The bf16 nearest to an f32 (its bits), ties to even; a NaN stays a (quiet) NaN, infinities stay infinite. */
export function bf16Bits(f32Bits: number): number {
  if ((f32Bits & 0x7fffffff) > 0x7f800000) return ((f32Bits >>> 16) | 0x40) & 0xffff; // NaN: keep it a NaN
  return ((f32Bits + 0x7fff + ((f32Bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** out (K) = column `column` of a packed B (f32 or bf16, widened): row `column` of the W it was packed from. */
export function readPackedColumn(owner: Kernels, b: PackedMatrix, column: number, out: Float32Array): Float32Array {
  const r = checkPacked(owner, 'b', b);
  checkInt('column', column, 0, r.cols - 1);
  checkFloat32Array('out', out);
  checkLength('out', out, r.rows, `(K) = (${r.rows})`);
  const K = r.rows;
  const c = column & 15;
  if (r.layout === 'packed-16-bf16') {
    const panel = r.heap.u16(r.ptr + (column >> 4) * K * 16 * 2, K * 16); // the column's panel (K, 16)
    const bits = new Uint32Array(out.buffer, out.byteOffset, K);
    for (let k = 0; k < K; k++) bits[k] = (panel[k * 16 + c] as number) << 16;
    return out;
  }
  const panel = r.heap.f32(r.ptr + (column >> 4) * K * 16 * 4, K * 16); // the column's panel (K, 16)
  for (let k = 0; k < K; k++) out[k] = panel[k * 16 + c] as number;
  return out;
}

/** The record of a packed matrix, f32 or bf16 (checkResident for either layout). */
export function checkPacked(owner: Kernels, name: string, matrix: unknown): IssuedMatrix {
  const found = issued.get(matrix as ResidentMatrix);
  const layout = found?.layout === 'packed-16-bf16' ? 'packed-16-bf16' : 'packed-16';
  return checkResident(owner, name, matrix, layout);
}

/** The record of `matrix`; throws unless it is a live matrix of `owner` in the given layout. */
export function checkResident(
  owner: Kernels,
  name: string,
  matrix: unknown,
  layout: Layout | readonly Layout[],
): IssuedMatrix {
  const found = issued.get(matrix as ResidentMatrix);
  const layouts: readonly Layout[] = typeof layout === 'string' ? [layout] : layout;
  if (found === undefined || !layouts.includes(found.layout)) {
    const kinds = layouts.map((l) => `a ${l} matrix made by ${l === 'row-major' ? 'Kernels.upload' : 'Kernels.pack'}`);
    throw new InvalidArgumentError(`${name} must be ${kinds.join(' or ')}`);
  }
  if (found.freed) throw new InvalidArgumentError(`${name} was freed`);
  if (found.owner !== owner) throw new InvalidArgumentError(`${name} belongs to another Kernels instance`);
  return found;
}

function checkMatrix(name: string, data: unknown, rows: number, cols: number): asserts data is Float32Array {
  checkFloat32Array(name, data);
  checkInt(`${name} rows`, rows, 0, MAX_DIM);
  checkInt(`${name} cols`, cols, 0, MAX_DIM);
  checkLength(name, data, rows * cols, `(${rows}, ${cols})`);
}
