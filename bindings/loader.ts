// Loads the kernel module: picks the best build this runtime validates (relaxed -> simd -> scalar) once,
// or the one the caller asks for. The bytes are embedded (bindings/generated/), so the same code path
// works in Node, browsers, bundlers and test runners without locating a .wasm file.
import { MbeError } from '../src/errors.js';
import { describeValue } from '../src/describe.js';
import { wasmBase64 as relaxedBase64 } from './generated/relaxed.js';
import { wasmBase64 as scalarBase64 } from './generated/scalar.js';
import { wasmBase64 as simdBase64 } from './generated/simd.js';
import { readMemoryImport, withSharedMemory } from './memory-import.js';

export type WasmVariant = 'scalar' | 'simd' | 'relaxed';

/** Best first: the order in which `bestVariant` tries the builds. */
export const WASM_VARIANTS: readonly WasmVariant[] = ['relaxed', 'simd', 'scalar'];

const BASE64: Record<WasmVariant, string> = { scalar: scalarBase64, simd: simdBase64, relaxed: relaxedBase64 };

/** membrane(y, x, table, n): `table` is one neuron's table block (layout in src/kernels/membrane-table.ts). */
type MembraneKernel = (y: number, x: number, table: number, n: number) => void;

/** membrane_spikes(y, planes, counts, signs, x, table, rows, rowLen) */
type MembraneSpikesKernel = (
  y: number,
  planes: number,
  counts: number,
  signs: number,
  x: number,
  table: number,
  rows: number,
  rowLen: number,
) => void;

/** frexp(mant, expo, x, n) and its even-exponent variant */
type FrexpKernel = (mant: number, expo: number, x: number, n: number) => void;
/** ldexp(y, x, k, n) */
type LdexpKernel = (y: number, x: number, k: number, n: number) => void;

/** gemm_packed_panels(c, a, packed, bias, M, K, N, q0, q1): columns 16 q0 .. 16 q1 - 1 of C only. */
type GemmPanelsKernel = (
  c: number,
  a: number,
  packed: number,
  bias: number,
  M: number,
  K: number,
  N: number,
  q0: number,
  q1: number,
) => void;

type SpikemmKernel = (
  out: number,
  planes: number,
  scale: number,
  weight: number,
  scratch: number,
  M: number,
  K: number,
  Nout: number,
  P: number,
) => void;

type PackedSpikemmKernel = (...args: [...Parameters<SpikemmKernel>, blockRows: number]) => void;

/** The raw-pointer ABI of assembly/index.ts: pointers and sizes are i32, `usize` results come back signed. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
  membrane: MembraneKernel;
  membrane_ref: MembraneKernel;
  /**
   * matmul_f64(out, a, b, M, K, N, transposeB, scaleLo, scaleHi, row0, row1): rows row0 .. row1 of
   * out = f32(scale * a @ b) with float64 sums (assembly/matmul64.ts)
   */
  matmul_f64(
    out: number,
    a: number,
    b: number,
    M: number,
    K: number,
    N: number,
    transposeB: number,
    scaleLo: number,
    scaleHi: number,
    row0: number,
    row1: number,
  ): void;
  membrane_spikes: MembraneSpikesKernel;
  membrane_spikes_ref: MembraneSpikesKernel;
  /** membrane_spikes on rows row0 .. row1 of the (rows, rowLen) call: a thread's share, counts its own. */
  membrane_spikes_rows: (...args: [...Parameters<MembraneSpikesKernel>, row0: number, row1: number]) => void;
  spikemm: SpikemmKernel;
  /**
   * spikemm on W packed by gemm_pack_b (f32 panels, or bf16 panels), rows in blocks of blockRows: scratch holds
   * blockRows * (P * K + P) u32.
   */
  spikemm_packed: PackedSpikemmKernel;
  spikemm_packed_bf16: PackedSpikemmKernel;
  spikemm_ref(
    out: number,
    planes: number,
    scale: number,
    weight: number,
    M: number,
    K: number,
    Nout: number,
    P: number,
  ): void;
  gemm_pack_b(packed: number, b: number, K: number, N: number): void;
  gemm_packed_panels: GemmPanelsKernel;
  gemm_packed_bf16_panels: GemmPanelsKernel;
  gemm_ref(c: number, a: number, b: number, bias: number, M: number, K: number, N: number): void;
  frexp: FrexpKernel;
  frexp_ref: FrexpKernel;
  frexp_even: FrexpKernel;
  frexp_even_ref: FrexpKernel;
  ldexp: LdexpKernel;
  ldexp_ref: LdexpKernel;
  /** y (n) = silu(x (n)) in f32 (assembly/elementwise.ts). */
  silu(y: number, x: number, n: number): void;
  /** x (rows, n) <- softmax of each row in place; causal 1: row r sees columns 0 .. causalOffset + r. */
  softmax_rows(x: number, rows: number, n: number, causal: number, causalOffset: number): void;
  /** y (rows, n) = gamma (n) * x / sqrt(mean(x^2) + eps) per row, in f32; eps as its f32 bits. */
  rms_norm(y: number, x: number, gamma: number, rows: number, n: number, epsBits: number): void;
  /** out (n) = a (n) + b (n), f32. */
  add_f32(out: number, a: number, b: number, n: number): void;
  /** out (n) = a (n) * b (n), f32. */
  mul_f32(out: number, a: number, b: number, n: number): void;
  /** 8 x iterations f32x4 adds in registers (benchmarks: the machine's add rate). */
  f32x4_add_probe(iterations: number): number;
}

const bytesCache = new Map<WasmVariant, Uint8Array<ArrayBuffer>>();
const moduleCache = new Map<string, Promise<WebAssembly.Module>>();
let supportedCache: readonly WasmVariant[] | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded bytes of one build. */
export function wasmBytes(variant: WasmVariant): Uint8Array<ArrayBuffer> {
  let bytes = bytesCache.get(variant);
  if (!bytes) {
    bytes = decodeBase64(BASE64[variant]);
    bytesCache.set(variant, bytes);
  }
  return bytes;
}

/** The builds this runtime can compile, best first (validated once per process). */
export function supportedVariants(): readonly WasmVariant[] {
  supportedCache ??= WASM_VARIANTS.filter((variant) => WebAssembly.validate(wasmBytes(variant)));
  return supportedCache;
}

/** The best build this runtime can compile; scalar needs only WebAssembly MVP. */
export function bestVariant(): WasmVariant {
  return supportedVariants()[0] ?? 'scalar';
}

/** A wasm build that is unknown or that this runtime cannot compile; an MbeError like every library error. */
export class WasmVariantError extends MbeError {
  constructor(variant: unknown) {
    super(
      'ERR_WASM_VARIANT',
      `The ${describeValue(variant)} wasm build cannot be loaded here: this runtime validates only ` +
        `[${supportedVariants().join(', ')}] (relaxed SIMD needs Chromium, or Node with --experimental-wasm-relaxed-simd).`,
    );
  }
}

/** An instantiated kernel module with the memory it imports and the compiled module (for more threads). */
export interface LoadedKernels {
  readonly exports: KernelExports;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
}

export interface InstantiateOptions {
  /** Import a shared memory (a SharedArrayBuffer that other threads can instantiate the module on). */
  readonly shared?: boolean;
}

/** The compiled module of one build, plain or with a shared memory import; cached per process. */
export function compiledKernels(variant: WasmVariant, shared: boolean): Promise<WebAssembly.Module> {
  const key = `${variant}${shared ? '+shared' : ''}`;
  let module = moduleCache.get(key);
  if (!module) {
    const bytes = wasmBytes(variant);
    module = WebAssembly.compile(shared ? withSharedMemory(bytes) : bytes);
    moduleCache.set(key, module);
  }
  return module;
}

/**
 * The memory a build imports: its static data's pages to start with, growable to the wasm32 limit. A shared
 * memory reserves its maximum up front, so where 4 GiB of address space is refused a quarter is tried.
 */
function newMemory(variant: WasmVariant, shared: boolean): WebAssembly.Memory {
  const { initialPages, maximumPages } = readMemoryImport(wasmBytes(variant));
  if (!shared) return new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
  try {
    return new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages / 4, shared: true });
  }
}

/** Instantiates a fresh kernel module on a new memory. Compiled modules are cached per build. */
export async function instantiateKernels(
  variant: WasmVariant = bestVariant(),
  options: InstantiateOptions = {},
): Promise<LoadedKernels> {
  if (!WASM_VARIANTS.includes(variant)) throw new WasmVariantError(variant);
  if (!supportedVariants().includes(variant)) throw new WasmVariantError(variant);
  const shared = options.shared ?? false;
  const module = await compiledKernels(variant, shared);
  const memory = newMemory(variant, shared);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return { exports: instance.exports as unknown as KernelExports, module, memory };
}
