import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels, ResidentTables, type MembraneSpikes } from '../../src/index.js';
import { seededRandom, uniform } from '../helpers/random.js';
import { VARIANT_CASES } from '../helpers/variants.js';
import { randomTables } from '../reference/membrane.js';

function bitsOf(a: Float32Array | Uint32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

function sameSpikes(a: MembraneSpikes, b: MembraneSpikes): void {
  expect(bitsOf(a.y)).toEqual(bitsOf(b.y));
  expect(bitsOf(a.planes.bits)).toEqual(bitsOf(b.planes.bits));
  expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
  expect(Array.from(a.signs)).toEqual(Array.from(b.signs));
}

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`resident neuron tables, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    it('every membrane kernel gives the plain tables bits, in both sign modes, the sign mode set per call', () => {
      const random = seededRandom(91);
      for (const [N, T] of [
        [1, 16],
        [4, 8],
        [8, 32],
      ] as Array<[number, number]>) {
        const tables = randomTables(random, N, T);
        const resident = kernels.residentTables(tables);
        expect([resident.N, resident.T]).toEqual([N, T]);
        const x = uniform(random, 3 * 37, -6, 6);
        x[5] = NaN;
        x[9] = -Infinity;
        // alternating modes: the one resident block must follow each call's mode
        for (const signMagnitude of [true, false, true]) {
          const options = { signMagnitude };
          expect(bitsOf(kernels.membrane(x, resident, options))).toEqual(bitsOf(kernels.membrane(x, tables, options)));
          expect(bitsOf(kernels.membraneRef(x, resident, options))).toEqual(
            bitsOf(kernels.membraneRef(x, tables, options)),
          );
          const spikeOptions = { rows: 3, signMagnitude };
          sameSpikes(
            kernels.membraneSpikes(x, resident, spikeOptions),
            kernels.membraneSpikes(x, tables, spikeOptions),
          );
          sameSpikes(
            kernels.membraneSpikesRef(x, resident, spikeOptions),
            kernels.membraneSpikesRef(x, tables, spikeOptions),
          );
        }
        resident.free();
      }
    });
  });
}

describe('resident neuron tables: ownership and lifetime', () => {
  let kernels: Kernels;
  let other: Kernels;
  beforeAll(async () => {
    kernels = await Kernels.load({ variant: 'scalar' });
    other = await Kernels.load({ variant: 'scalar' });
  });

  it('is a copy: changing the arrays afterwards changes nothing', () => {
    const tables = randomTables(seededRandom(3), 2, 6);
    const x = uniform(seededRandom(4), 40, -6, 6);
    const before = kernels.membrane(x, tables);
    const resident = kernels.residentTables(tables);
    tables.vth.fill(1e9); // no spike would fire with these
    tables.intensity.fill(5);
    expect(bitsOf(kernels.membrane(x, resident))).toEqual(bitsOf(before));
    resident.free();
  });

  it('checks the tables when made, and rejects freed, foreign and forged handles', () => {
    const tables = randomTables(seededRandom(5), 2, 4);
    const vth = tables.vth.slice();
    vth[1] = NaN;
    expect(() => kernels.residentTables({ ...tables, vth })).toThrow(/tables.vth\[1\] must be finite, got NaN/);
    const resident = kernels.residentTables(tables);
    const x = new Float32Array(8);
    expect(() => other.membrane(x, resident)).toThrow(/another Kernels instance/);
    resident.free();
    resident.free(); // twice is harmless
    expect(resident.isFreed).toBe(true);
    expect(() => kernels.membraneSpikes(x, resident)).toThrow(/tables were freed/);
    const forged = Object.create(ResidentTables.prototype) as ResidentTables;
    expect(() => kernels.membrane(x, forged)).toThrow(/not tables made by Kernels.residentTables/);
  });

  it('a freed block is reused: making and freeing many holds no memory', () => {
    const tables = randomTables(seededRandom(6), 1, 8);
    kernels.residentTables(tables).free(); // the first may raise the top of the long-lived blocks
    const held = kernels.residentBytes;
    const resident = kernels.residentTables(tables);
    expect(kernels.residentBytes).toBeGreaterThan(held); // counted while it lives
    resident.free();
    for (let i = 0; i < 1000; i++) kernels.residentTables(tables).free();
    expect(kernels.residentBytes).toBe(held);
  });
});
