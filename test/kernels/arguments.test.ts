// The kernel facade on arguments of the wrong type, on forged matrices and on results too large for wasm32
// (issue 13): each is a typed MbeError thrown before wasm runs or a typed array is allocated.
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, WasmMemoryError } from '../../src/errors.js';
import { Kernels, type MembraneTables, type SpikePlanes } from '../../src/index.js';
import { ResidentMatrix } from '../../src/kernels/resident.js';
import { seededRandom } from '../helpers/random.js';
import { randomTables } from '../reference/membrane.js';

let kernels: Kernels;
let tables: MembraneTables;
beforeAll(async () => {
  kernels = await Kernels.load({ variant: 'scalar' });
  tables = randomTables(seededRandom(1), 2, 4);
});

/** Calls fn with whatever it is given, as JavaScript callers may. */
const loose = (fn: (...args: never[]) => unknown) => fn as (...args: unknown[]) => unknown;

describe('kernel arguments of the wrong type', () => {
  it('rejects null, undefined and plain Arrays with InvalidArgumentError', async () => {
    const x = new Float32Array(4);
    const packed = kernels.pack(new Float32Array(6), 2, 3);
    const rowMajor = kernels.upload(new Float32Array(6), 2, 3);
    const planes: SpikePlanes = { bits: new Uint32Array(1), planes: 1, rows: 1, rowLen: 2, words: 1 };
    const cases: [string, () => unknown][] = [
      ['membrane(null)', () => loose(kernels.membrane.bind(kernels))(null, tables)],
      ['membrane(Array)', () => loose(kernels.membrane.bind(kernels))([1, 2], tables)],
      ['membrane tables null', () => loose(kernels.membrane.bind(kernels))(x, null)],
      ['membrane tables Array', () => loose(kernels.membrane.bind(kernels))(x, [])],
      ['membrane tables.vth Array', () => loose(kernels.membrane.bind(kernels))(x, { ...tables, vth: [1] })],
      ['membrane options null', () => loose(kernels.membrane.bind(kernels))(x, tables, null)],
      ['membrane out Array', () => loose(kernels.membrane.bind(kernels))(x, tables, { out: [0, 0, 0, 0] })],
      ['membraneSpikes(undefined)', () => loose(kernels.membraneSpikes.bind(kernels))(undefined, tables)],
      ['membraneSpikes out null', () => loose(kernels.membraneSpikes.bind(kernels))(x, tables, { out: null })],
      ['membraneSpikes out.bits', () => loose(kernels.membraneSpikes.bind(kernels))(x, tables, { out: { bits: [] } })],
      ['upload(Array)', () => loose(kernels.upload.bind(kernels))([1, 2], 1, 2)],
      ['pack(null)', () => loose(kernels.pack.bind(kernels))(null, 1, 2)],
      ['upload rows undefined', () => loose(kernels.upload.bind(kernels))(x, undefined, 4)],
      ['gemm(Array)', () => loose(kernels.gemm.bind(kernels))([1, 2], packed, 1)],
      ['gemm b null', () => loose(kernels.gemm.bind(kernels))(new Float32Array(2), null, 1)],
      ['gemm bias Array', () => loose(kernels.gemm.bind(kernels))(new Float32Array(2), packed, 1, { bias: [1, 2, 3] })],
      ['gemmRef options null', () => loose(kernels.gemmRef.bind(kernels))(new Float32Array(2), rowMajor, 1, null)],
      ['spikemm planes null', () => loose(kernels.spikemm.bind(kernels))(null, Float32Array.of(1), rowMajor)],
      [
        'spikemm planes.bits Array',
        () => loose(kernels.spikemm.bind(kernels))({ ...planes, bits: [0] }, Float32Array.of(1), rowMajor),
      ],
      ['spikemm scale Array', () => loose(kernels.spikemm.bind(kernels))(planes, [1], rowMajor)],
      ['spikemmRef out Array', () => loose(kernels.spikemmRef.bind(kernels))(planes, Float32Array.of(1), rowMajor, [])],
      ['frexp(null)', () => loose(kernels.frexp.bind(kernels))(null)],
      ['frexpEven out.exponent', () => loose(kernels.frexpEven.bind(kernels))(x, { out: { exponent: [] } })],
      ['ldexp k Float32Array', () => loose(kernels.ldexp.bind(kernels))(x, new Float32Array(4))],
      ['ldexpRef(Array)', () => loose(kernels.ldexpRef.bind(kernels))([1], Int32Array.of(1))],
    ];
    for (const [name, run] of cases) expect(run, name).toThrow(InvalidArgumentError);
    await expect(loose(Kernels.load)(null)).rejects.toThrow(InvalidArgumentError);
    packed.free();
    rowMajor.free();
  });

  it('names the argument and what it got', () => {
    expect(() => loose(kernels.frexp.bind(kernels))([1, 2])).toThrow('x must be a Float32Array, got an Array');
    expect(() => loose(kernels.ldexp.bind(kernels))(new Float32Array(1), null)).toThrow(
      'k must be a Int32Array, got null',
    );
    const empty = kernels.pack(new Float32Array(0), 0, 1);
    expect(() => loose(kernels.gemm.bind(kernels))(new Float32Array(0), empty, 'x'.repeat(1e6))).toThrow(
      /^M must be an integer in \[0, 16777216\], got "x+\.\.\."$/,
    );
    empty.free();
  });
});

describe('forged resident matrices', () => {
  it('rejects a handle the Kernels instance did not issue, however it was made', () => {
    const packed = kernels.pack(Float32Array.of(1, 2, 3, 4), 2, 2);
    const forged = Object.create(ResidentMatrix.prototype) as ResidentMatrix;
    for (const [key, value] of Object.entries({ ptr: 0, rows: 2, cols: 2, layout: 'packed-16', isFreed: false })) {
      Object.defineProperty(forged, key, { value });
    }
    const copy = { ...packed, rows: 2, cols: 2, layout: 'packed-16', ptr: 0 };
    const constructed = new (ResidentMatrix as unknown as new () => ResidentMatrix)();
    for (const b of [forged, copy, constructed]) {
      expect(() => kernels.gemm(new Float32Array(2), b as ResidentMatrix, 1)).toThrow(
        /b must be a packed-16 matrix made by Kernels.pack/,
      );
    }
    expect(() => constructed.free()).toThrow(InvalidArgumentError);
    expect(() => constructed.rows).toThrow(InvalidArgumentError);
    packed.free();
  });

  it('uses what it recorded when it issued a matrix, not the handle fields a caller may overwrite', () => {
    const packed = kernels.pack(Float32Array.of(1, 2, 3, 4), 2, 2); // (K, N) = (2, 2)
    Object.defineProperty(packed, 'ptr', { value: 0 });
    Object.defineProperty(packed, 'cols', { value: 1e6 });
    expect(Array.from(kernels.gemm(Float32Array.of(1, 1), packed, 1))).toEqual([4, 6]);
    packed.free();
    expect(kernels.residentBytes).toBe(0);
  });
});

describe('results too large for wasm32', () => {
  it('throws WasmMemoryError, not RangeError, before allocating C past 2^32 elements', () => {
    // K = 0: A is empty, C (M, N) = (2^24, 2^24) would be 2^48 elements
    const empty = kernels.pack(new Float32Array(0), 0, 2 ** 24);
    expect(() => kernels.gemm(new Float32Array(0), empty, 2 ** 24)).toThrow(WasmMemoryError);
    empty.free();
    const rowMajor = kernels.upload(new Float32Array(0), 0, 2 ** 24);
    expect(() => kernels.gemmRef(new Float32Array(0), rowMajor, 2 ** 24)).toThrow(WasmMemoryError);
    const planes: SpikePlanes = { bits: new Uint32Array(0), planes: 1, rows: 2 ** 24, rowLen: 0, words: 0 };
    expect(() => kernels.spikemm(planes, Float32Array.of(1), rowMajor)).toThrow(WasmMemoryError);
    rowMajor.free();
  });

  it('throws WasmMemoryError before allocating spike planes past the wasm32 limit', () => {
    // one element a row: 2^22 rows x 256 planes of one word, 4 GiB of planes
    const x = new Float32Array(2 ** 22);
    const big = randomTables(seededRandom(2), 8, 32);
    expect(() => kernels.membraneSpikes(x, big, { rows: 2 ** 22 })).toThrow(WasmMemoryError);
    expect(() => kernels.membraneSpikes(x, big, { rows: 2 ** 22 })).toThrow(/the wasm32 limit is 4,294,967,296/);
  });
});
