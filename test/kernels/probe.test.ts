// The add-rate probe (Kernels.addRateProbe, bench:sops): the sum it returns is that of its eight add chains,
// computed here in float32 step by step, under every build; it takes only a non-negative int32 count.
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Kernels } from '../../src/index.js';
import { VARIANT_CASES } from '../helpers/variants.js';

/** The probe's result in float32: chain i starts at i and adds 1e-7 `iterations` times. */
function expectedSum(iterations: number, simd: boolean): number {
  const f = Math.fround;
  const d = f(1e-7);
  const c = Array.from({ length: 8 }, (_, i) => {
    let v = i;
    for (let n = 0; n < iterations; n++) v = f(v + d);
    return v;
  });
  const add = (a: number, b: number) => f(a + b);
  if (!simd) return c.reduce(add); // ((c0 + c1) + c2) + ...
  // each lane: ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)), then the four equal lanes in order
  const lane = add(add(add(c[0]!, c[1]!), add(c[2]!, c[3]!)), add(add(c[4]!, c[5]!), add(c[6]!, c[7]!)));
  return add(add(add(lane, lane), lane), lane);
}

for (const { variant, supported, title } of VARIANT_CASES) {
  describe.skipIf(!supported)(`add-rate probe, ${title}`, () => {
    let kernels: Kernels;
    beforeAll(async () => {
      kernels = await Kernels.load({ variant });
    });

    it('returns the float32 sum of its eight chains', () => {
      for (const iterations of [0, 1, 7, 1000, 12_345]) {
        expect(kernels.addRateProbe(iterations), `${iterations}`).toBe(expectedSum(iterations, variant !== 'scalar'));
      }
    });

    it('takes only a non-negative int32 count', () => {
      for (const bad of [-1, 1.5, NaN, 2 ** 31]) expect(() => kernels.addRateProbe(bad)).toThrow(InvalidArgumentError);
    });
  });
}
