// Kernel threads: every threaded call gives the bits of the one-thread call (which the per-kernel suites hold
// against independent references), under every build, splitting rows and splitting panels; the shares cover
// each output exactly once; bad thread counts and missing shared memory are handled.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, Kernels } from '../../src/index.js';
import {
  gemmPlan,
  membranePlan,
  membraneSpikesPlan,
  MIN_THREADED_MEMBRANE,
  MIN_THREADED_GEMM_B,
  MIN_THREADED_GEMM_MACS,
  MIN_THREADED_BINARY,
  MIN_THREADED_SILU,
  MIN_THREADED_SOFTMAX,
  binaryPlan,
  rmsNormPlan,
  siluPlan,
  softmaxPlan,
  type ThreadPlan,
} from '../../src/kernels/parallel.js';
import { normal, seededRandom, uniform } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';
import { randomTables } from '../reference/membrane.js';

// Each large enough to be split (by the size of B, or the last by its multiply-adds): split by panels, except
// N = 16, one panel, whose rows are split (odd M included).
const GEMM_SHAPES: Array<[number, number, number]> = [
  [1, 300, 257],
  [3, 300, 230],
  [5, 4100, 16],
  [37, 260, 260],
  [64, 300, 250],
  [129, 2048, 16],
];

function sameBits(actual: Float32Array, expected: Float32Array): boolean {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  return a.length === e.length && a.every((bits, i) => bits === e[i]);
}

for (const { variant, supported, title } of VARIANT_CASES) {
  for (const threads of [2, 3]) {
    describe.skipIf(!supported)(`${threads} kernel threads, ${title}`, () => {
      let one: Kernels;
      let many: Kernels;
      beforeAll(async () => {
        one = await Kernels.load({ variant, threads: 1 });
        many = await Kernels.load({ variant, threads });
      });
      afterAll(() => many.close());

      it('start every thread', () => {
        expect(many.threads).toBe(threads);
        expect(one.threads).toBe(1);
      });

      for (const [M, K, N] of GEMM_SHAPES) {
        it(`gemm ${M}x${K}x${N}, f32 and bf16 panels, with and without bias: the one-thread bits`, () => {
          expect(K * N >= MIN_THREADED_GEMM_B || M * K * N >= MIN_THREADED_GEMM_MACS).toBe(true);
          const random = seededRandom(M * 7919 + K * 31 + N + threads);
          const w = normal(random, N * K); // (N, K)
          w[5] = NaN;
          w[9] = -Infinity;
          const a = normal(random, M * K); // (M, K)
          const bias = normal(random, N); // (N)
          for (const dtype of ['f32', 'bf16'] as const) {
            const b1 = one.packTransposed(w, K, N, { dtype });
            const bMany = many.packTransposed(w, K, N, { dtype });
            for (const options of [{}, { bias }]) {
              const expected = one.gemm(a, b1, M, options);
              const actual = many.gemm(a, bMany, M, options);
              expect(sameBits(actual, expected), `${dtype} ${'bias' in options ? '+ bias' : ''}`).toBe(true);
            }
            b1.free();
            bMany.free();
          }
        });
      }

      it('gemm after memory has grown (workers see the grown memory)', () => {
        const random = seededRandom(threads);
        const [M, K, N] = [48, 512, 640];
        const b = normal(random, K * N); // (K, N): 1.3 MB, past the memory so far
        const a = normal(random, M * K);
        const b1 = one.pack(b, K, N);
        const bMany = many.pack(b, K, N);
        expect(sameBits(many.gemm(a, bMany, M), one.gemm(a, b1, M))).toBe(true);
        b1.free();
        bMany.free();
      });

      it('membrane over 10,001 elements (not a multiple of 4): the one-thread bits, in both modes', () => {
        const random = seededRandom(101 + threads);
        const tables = randomTables(random, 3, 12);
        const x = uniform(random, 10_001, -3, 3);
        x[17] = NaN;
        x[18] = Infinity;
        for (const signMagnitude of [false, true]) {
          expect(
            sameBits(many.membrane(x, tables, { signMagnitude }), one.membrane(x, tables, { signMagnitude })),
          ).toBe(true);
        }
      });

      it('membraneSpikes over 37 rows of 301 (rows split over the threads): the one-thread outputs, planes, counts and signs', () => {
        const random = seededRandom(151 + threads);
        const tables = randomTables(random, 2, 10);
        const [rows, rowLen] = [37, 301];
        expect(rows * rowLen * tables.N * tables.T).toBeGreaterThanOrEqual(MIN_THREADED_MEMBRANE);
        const x = uniform(random, rows * rowLen, -3, 3);
        x[17] = NaN;
        x[400] = -Infinity;
        for (const signMagnitude of [false, true]) {
          const a = many.membraneSpikes(x, tables, { rows, signMagnitude });
          const b = one.membraneSpikes(x, tables, { rows, signMagnitude });
          expect(sameBits(a.y, b.y)).toBe(true);
          expect(Array.from(a.planes.bits)).toEqual(Array.from(b.planes.bits));
          expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
          expect(Array.from(a.signs)).toEqual(Array.from(b.signs));
          expect(a.counts.reduce((s, c) => s + c, 0)).toBeGreaterThan(0);
        }
      });

      it('silu, add and mul over 100,001 elements, softmax and RMSNorm over 301 rows: the one-thread bits', () => {
        const random = seededRandom(201 + threads);
        const x = normal(random, 100_001, 6);
        x[3] = NaN;
        x[4] = -Infinity;
        expect(x.length).toBeGreaterThanOrEqual(MIN_THREADED_SILU);
        expect(sameBits(many.silu(x), one.silu(x))).toBe(true);
        const [rows, n] = [301, 257];
        expect(rows * n).toBeGreaterThanOrEqual(MIN_THREADED_SOFTMAX);
        const scores = normal(random, rows * n, 5);
        for (const options of [{}, { causalOffset: 3 }]) {
          expect(sameBits(many.softmax(scores, rows, n, options), one.softmax(scores, rows, n, options))).toBe(true);
        }
        const gamma = normal(random, n);
        expect(sameBits(many.rmsNorm(scores, gamma, rows, 1e-5), one.rmsNorm(scores, gamma, rows, 1e-5))).toBe(true);
        const y = normal(random, x.length);
        expect(x.length).toBeGreaterThanOrEqual(MIN_THREADED_BINARY);
        expect(sameBits(many.add(x, y), one.add(x, y))).toBe(true);
        expect(sameBits(many.mul(x, y), one.mul(x, y))).toBe(true);
      });
    });
  }
}

describe('thread plans', () => {
  /** Every call a plan makes: its fixed shares, or each chunk's arguments. */
  function calls(plan: ThreadPlan): number[][] {
    if ('shares' in plan) return plan.shares.map((share) => [...share]);
    const chunks: number[][] = [];
    for (let u = 0; u < plan.units; u += plan.chunk)
      chunks.push([...plan.fixed, u, Math.min(u + plan.chunk, plan.units)]);
    return chunks;
  }

  /** Marks every output element each share writes; each must be written exactly once. */
  function coverage(shares: number[][], M: number, N: number): Uint8Array {
    const hits = new Uint8Array(M * N); // (M, N)
    for (const share of shares) {
      if (share.length === 0) continue;
      const [c = 0, , , , rows = 0, , , q0 = 0, q1 = 0] = share;
      const r0 = c / (4 * N);
      for (let i = r0; i < r0 + rows; i++) {
        for (let j = 16 * q0; j < Math.min(16 * q1, N); j++) hits[i * N + j] = (hits[i * N + j] ?? 0) + 1;
      }
    }
    return hits;
  }

  it('gemm plans write every element of C exactly once, for any thread count', () => {
    for (const [M, K, N] of [
      [1, 4096, 33],
      [2, 4096, 17],
      [7, 1024, 16],
      [31, 300, 100],
      [128, 64, 768],
      [1, 65536, 1],
      [3, 10, 10],
    ] as const) {
      for (const threads of [1, 2, 3, 5, 8]) {
        const plan = gemmPlan(0, 0, 0, 0, M, K, N, threads);
        const shares = calls(plan);
        const split = threads > 1 && (K * N >= MIN_THREADED_GEMM_B || M * K * N >= MIN_THREADED_GEMM_MACS);
        if (!split) expect(shares.length).toBe(1);
        // chunks of panels where there are enough panels, else one share of rows per thread
        else if (Math.ceil(N / 16) >= threads) expect(shares.length).toBeGreaterThanOrEqual(threads);
        else expect(shares.length).toBe(threads);
        expect(
          coverage(shares, M, N).every((hits) => hits === 1),
          `${M}x${K}x${N} on ${threads}`,
        ).toBe(true);
        for (const share of shares) if (share.length) expect(share[0]! % 16).toBe(0);
      }
    }
  });

  it('membraneSpikes plans cover the rows once, each share counting into its own (P) block', () => {
    const pointers = { y: 16, planes: 32, counts: 4096, signs: 48, x: 64, table: 80 };
    for (const rows of [1, 2, 3, 37]) {
      for (const threads of [1, 2, 3, 7]) {
        const shares = membraneSpikesPlan(pointers, rows, 100, 5, 1 << 20, threads);
        expect(shares.length).toBe(threads === 1 ? 1 : Math.min(threads, rows));
        let next = 0;
        for (const [t, share] of shares.entries()) {
          expect(share.slice(0, 2)).toEqual([16, 32]);
          expect(share[2]).toBe(4096 + t * 5 * 4);
          expect(share.slice(3, 8)).toEqual([48, 64, 80, rows, 100]);
          expect(share[8]).toBe(next);
          next = share[9] as number;
          expect(next).toBeGreaterThan(share[8] as number);
        }
        expect(next).toBe(rows);
      }
    }
    expect(membraneSpikesPlan(pointers, 37, 100, 5, MIN_THREADED_MEMBRANE - 1, 2).length).toBe(1);
  });

  it('membrane plans cover [0, n) once, in runs that keep pointers 16-byte aligned', () => {
    for (const n of [1, 3, 4, 5, 1000, 10_001]) {
      for (const threads of [2, 3, 7]) {
        const shares = calls(membranePlan(0, 1 << 20, 64, n, 1 << 20, threads)).filter((share) => share.length > 0);
        let next = 0;
        for (const [y, x, table, count] of shares as Array<[number, number, number, number]>) {
          expect(y).toBe(next * 4);
          expect(x - (1 << 20)).toBe(next * 4);
          expect(y % 16).toBe(0);
          expect(table).toBe(64);
          next += count;
        }
        expect(next).toBe(n);
      }
    }
  });
});

describe('element-wise thread plans', () => {
  it('silu plans cover [0, n) once in 16-byte-aligned runs; softmax and RMSNorm plans cover every row once', () => {
    for (const n of [1, 5, MIN_THREADED_SILU - 1, MIN_THREADED_SILU + 3, 100_001]) {
      for (const threads of [1, 2, 3, 7]) {
        const shares = siluPlan(0, 1 << 24, n, threads).shares.filter((share) => share.length > 0);
        if (threads === 1 || n < MIN_THREADED_SILU) expect(shares.length).toBe(1);
        let next = 0;
        for (const [y, x, count] of shares as Array<[number, number, number]>) {
          expect([y, x - (1 << 24)]).toEqual([next * 4, next * 4]);
          expect(y % 16).toBe(0);
          next += count;
        }
        expect(next).toBe(n);
        const binary = binaryPlan(0, 1 << 24, 1 << 25, n, threads).shares.filter((share) => share.length > 0);
        next = 0;
        for (const [out, a, b, count] of binary as Array<[number, number, number, number]>) {
          expect([out, a - (1 << 24), b - (1 << 25)]).toEqual([next * 4, next * 4, next * 4]);
          expect(out % 16).toBe(0);
          next += count;
        }
        expect(next).toBe(n);
      }
    }
    for (const [rows, n] of [
      [1, 100_000],
      [3, 20_000],
      [301, 257],
      [10, 10],
    ] as const) {
      for (const threads of [1, 2, 3, 7]) {
        const shares = softmaxPlan(0, rows, n, 1, 5, threads).shares.filter((share) => share.length > 0);
        let next = 0;
        for (const [x, count, cols, causal, offset] of shares as Array<[number, number, number, number, number]>) {
          expect(x).toBe(next * n * 4);
          expect([cols, causal, offset]).toEqual([n, 1, 5 + next]); // row r still sees columns 0 .. 5 + r
          next += count;
        }
        expect(next).toBe(rows);
        next = 0;
        for (const [y, x, gamma, count, cols] of rmsNormPlan(8, 16, 24, rows, n, 99, threads).shares.filter(
          (share) => share.length > 0,
        ) as Array<[number, number, number, number, number]>) {
          expect([y, x, gamma, cols]).toEqual([8 + next * n * 4, 16 + next * n * 4, 24, n]);
          next += count;
        }
        expect(next).toBe(rows);
      }
    }
  });
});

describe('thread options', () => {
  it('rejects a thread count that is not an integer in [1, 64]', async () => {
    for (const threads of [0, 65, 1.5, NaN, '2', null]) {
      await expect(Kernels.load({ threads: threads as number })).rejects.toThrow(InvalidArgumentError);
    }
    await expect(Kernels.load({ threads: 0 })).rejects.toThrow(/options.threads must be an integer in \[1, 64\]/);
  });

  it('falls back to one thread, with a warning that says why, where SharedArrayBuffer is missing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const kernels = await Kernels.load({ threads: 4 });
      expect(kernels.threads).toBe(1);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/one thread, not 4: SharedArrayBuffer is unavailable/));
      const b = kernels.pack(new Float32Array([1, 2, 3, 4]), 2, 2);
      expect(Array.from(kernels.gemm(new Float32Array([1, 1]), b, 1))).toEqual([4, 6]);
    } finally {
      vi.unstubAllGlobals();
      warn.mockRestore();
    }
  });

  it('falls back to one thread, with a warning, where a worker cannot start', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const refuse = vi.spyOn(process, 'getBuiltinModule').mockReturnValue({
      Worker: function refusedWorker() {
        throw new Error('workers are refused here');
      },
    });
    try {
      const kernels = await Kernels.load({ threads: 2 });
      expect(kernels.threads).toBe(1);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/one thread, not 2: .*workers are refused here/));
      const b = kernels.pack(new Float32Array(300 * 300).fill(1), 300, 300);
      expect(kernels.gemm(new Float32Array(300).fill(2), b, 1)[299]).toBe(600);
    } finally {
      refuse.mockRestore();
      warn.mockRestore();
    }
  });

  it('a process with kernel threads exits when its work is done (idle workers hold nothing)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbe-snn-threads-'));
    try {
      const script = join(dir, 'exits.mts');
      const kernelsModule = fileURLToPath(new URL('../../src/kernels/kernels.ts', import.meta.url));
      writeFileSync(
        script,
        `import { Kernels } from ${JSON.stringify(kernelsModule)};\n` +
          `const kernels = await Kernels.load({ threads: 2 });\n` +
          `const b = kernels.pack(new Float32Array(300 * 300).fill(1), 300, 300);\n` +
          `console.log(kernels.threads, kernels.gemm(new Float32Array(300).fill(1), b, 1)[0]);\n`,
      );
      const output = execFileSync(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 }).toString();
      expect(output.trim()).toBe('2 300');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after close, calls run on the calling thread and give the same bits', async () => {
    const kernels = await Kernels.load({ threads: 2 });
    const random = seededRandom(5);
    const [M, K, N] = [16, 256, 256];
    const a = normal(random, M * K);
    const b = kernels.pack(normal(random, K * N), K, N);
    const before = kernels.gemm(a, b, M);
    kernels.close();
    expect(kernels.threads).toBe(1);
    expect(sameBits(kernels.gemm(a, b, M), before)).toBe(true);
    kernels.close(); // twice is harmless
  });
});
