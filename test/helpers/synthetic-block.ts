// A small pre-LN Transformer block written against an OpSet, for operator-level tests of conversion,
// instrumentation and reports.
import type { OpSet } from '../../src/ops/opset.js';
import { gaussian, seededRandom } from '../../src/random.js';

/** A small pre-LN Transformer block over (S, D) written against an OpSet. */
export function block(ops: OpSet, x: Float32Array, S: number, D: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const weights = (o: number, i: number) => Float32Array.from({ length: o * i }, () => gaussian(random) / Math.sqrt(i));
  const ones = new Float32Array(D).fill(1);
  const zeros = new Float32Array(D);
  const qkv = ops.prepareLinear(weights(3 * D, D), D, 3 * D);
  const proj = ops.prepareLinear(weights(D, D), D, D);
  const up = ops.prepareLinear(weights(2 * D, D), D, 2 * D);
  const down = ops.prepareLinear(weights(D, 2 * D), 2 * D, D);
  const h = new Float32Array(S * D); // (S, D)
  ops.layerNorm('layer0.ln1', h, x, ones, zeros, S, D, 1e-5);
  const q3 = new Float32Array(S * 3 * D); // (S, 3D)
  ops.linear('layer0.qkv', q3, h, qkv, S);
  const q = new Float32Array(S * D);
  const k = new Float32Array(S * D);
  const v = new Float32Array(S * D);
  for (let s = 0; s < S; s++) {
    q.set(q3.subarray(s * 3 * D, s * 3 * D + D), s * D);
    k.set(q3.subarray(s * 3 * D + D, s * 3 * D + 2 * D), s * D);
    v.set(q3.subarray(s * 3 * D + 2 * D, s * 3 * D + 3 * D), s * D);
  }
  const att = new Float32Array(S * S); // (S, S)
  ops.matmul('layer0.qk', att, q, k, S, D, S, { transposeB: true, scale: 1 / Math.sqrt(D) });
  ops.softmax('layer0.softmax', att, S, S, { causalOffset: 0 });
  const ctx = new Float32Array(S * D);
  ops.matmul('layer0.pv', ctx, att, v, S, S, D);
  const o = new Float32Array(S * D);
  ops.linear('layer0.proj', o, ctx, proj, S);
  const x1 = new Float32Array(S * D);
  ops.add('layer0.residual1', x1, x, o, S * D);
  ops.layerNorm('layer1.ln2', h, x1, ones, zeros, S, D, 1e-5);
  const u = new Float32Array(S * 2 * D);
  ops.linear('layer1.up', u, h, up, S);
  const g = new Float32Array(S * 2 * D);
  ops.activation('layer1.gelu', 'gelu', g, u, S * 2 * D);
  const d = new Float32Array(S * D);
  ops.linear('layer1.down', d, g, down, S);
  const out = new Float32Array(S * D);
  ops.add('layer1.residual2', out, x1, d, S * D);
  for (const layer of [qkv, proj, up, down]) layer.dispose();
  return out;
}
