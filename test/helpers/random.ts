// Seeded random inputs for tests (the generator itself is the library's).
import { gaussian, seededRandom } from '../../src/random.js';

export { seededRandom };

/** (n) uniform on [lo, hi). */
export function uniform(random: () => number, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}

/** (n) standard normal, times `scale`. */
export function normal(random: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * gaussian(random);
  return out;
}
