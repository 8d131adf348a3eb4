// A probe for benchmarks: the machine's f32x4 add rate, the ceiling of an accumulate-only kernel. Eight
// independent chains of f32x4.add in registers (enough to cover the add latency), `iterations` times; the
// result depends on every add, so none is optimised away. The scalar build runs eight scalar chains.

/** 8 x `iterations` f32x4 adds (scalar build: scalar adds); returns their sum so the work is kept. */
export function f32x4_add_probe(iterations: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    const d = f32x4.splat(1.0e-7);
    let s0 = f32x4.splat(0),
      s1 = f32x4.splat(1),
      s2 = f32x4.splat(2),
      s3 = f32x4.splat(3),
      s4 = f32x4.splat(4),
      s5 = f32x4.splat(5),
      s6 = f32x4.splat(6),
      s7 = f32x4.splat(7);
    for (let i = 0; i < iterations; i++) {
      s0 = f32x4.add(s0, d);
      s1 = f32x4.add(s1, d);
      s2 = f32x4.add(s2, d);
      s3 = f32x4.add(s3, d);
      s4 = f32x4.add(s4, d);
      s5 = f32x4.add(s5, d);
      s6 = f32x4.add(s6, d);
      s7 = f32x4.add(s7, d);
    }
    const s = f32x4.add(
      f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)),
      f32x4.add(f32x4.add(s4, s5), f32x4.add(s6, s7)),
    );
    return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  }
  let s0: f32 = 0,
    s1: f32 = 1,
    s2: f32 = 2,
    s3: f32 = 3,
    s4: f32 = 4,
    s5: f32 = 5,
    s6: f32 = 6,
    s7: f32 = 7;
  const d: f32 = 1.0e-7;
  for (let i = 0; i < iterations; i++) {
    s0 += d;
    s1 += d;
    s2 += d;
    s3 += d;
    s4 += d;
    s5 += d;
    s6 += d;
    s7 += d;
  }
  return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
}
