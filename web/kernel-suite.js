// The kernel suite that runs on both sides of the browser test: in Chromium on the bundle
// (web/kernel-test.js) and in Node on the sources (test/browser/kernels.test.ts), which compares the two.
// It takes the library as an argument and touches no DOM, so the same code runs in both places.
//
// Inputs are deterministic and engine-independent: an integer generator (the library's seededRandom),
// exact arithmetic on powers of two and small rationals, and no Math.exp/Math.pow of non-integers whose
// last bit could differ between two JavaScript engines. Every kernel and its scalar twin is run once per
// wasm build; each output is returned as its raw 32-bit patterns, so NaN payloads, -0 and subnormals
// compare exactly.

/** IEEE-754 specials and edge values that every elementwise kernel sees first. */
const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 2 ** -149, -(2 ** -126), 3.4028234663852886e38, 1, -1, 0.5, 6, 0.1];

/** Dense GEMM shapes (M, K, N): tails in every dimension, and one 64x256x96 block. */
export const GEMM_SHAPES = [
  [1, 3, 4],
  [7, 33, 19],
  [33, 70, 45],
  [64, 256, 96],
];

/** (n) uniform on [lo, hi), rounded to f32. */
function uniform(random, n, lo, hi) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}

/** The specials followed by uniform values on [lo, hi). */
function withSpecials(random, n, lo, hi) {
  const out = uniform(random, n, lo, hi);
  out.set(SPECIALS);
  return out;
}

/** Values spread over every f32 exponent, normals and subnormals, both signs. */
function exponentSpread(random, n) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const e = Math.floor(random() * 277) - 149; // -149 .. 127
    const sign = random() < 0.5 ? -1 : 1;
    out[i] = sign * (1 + random()) * 2 ** e;
  }
  out.set(SPECIALS);
  return out;
}

/** A four-basis, 16-step neuron (like a fitted GELU): halving schedules, both polarities, shifts, bias. */
function fourBasisTables() {
  const N = 4;
  const T = 16;
  const vth = new Float32Array(N * T);
  const intensity = new Float32Array(N * T);
  for (let nb = 0; nb < N; nb++) {
    for (let t = 0; t < T; t++) {
      vth[nb * T + t] = 8 * (1 + 0.25 * nb) * 2 ** -(t + 1);
      intensity[nb * T + t] = (nb % 2 === 0 ? 1 : 0.75) * 2 ** -t;
    }
  }
  return {
    N,
    T,
    polarity: Float32Array.of(1, -1, 1, -1),
    shift: Float32Array.of(0, 0.5, -0.25, 1),
    vth,
    reset: vth.slice(),
    intensity,
    weight: Float32Array.of(0.5, -0.25, 1, 0.125),
    bias: 0.0625,
  };
}

/** The one-basis identity code of the README: Vth = r = d = 4 * 2^-(t+1), T = 8. */
function identityTables() {
  const T = 8;
  const code = Float32Array.from({ length: T }, (_, t) => 4 * 2 ** -(t + 1));
  return {
    N: 1,
    T,
    polarity: Float32Array.of(1),
    shift: Float32Array.of(0),
    vth: code,
    reset: code,
    intensity: code,
    weight: Float32Array.of(1),
    bias: 0,
  };
}

/** One (M, K) spike plane per scale, each bit set with probability `rate`; no bits past K. */
function randomPlanes(random, P, M, K, rate) {
  const words = Math.ceil(K / 32);
  const bits = new Uint32Array(P * M * words);
  for (let p = 0; p < P; p++) {
    for (let m = 0; m < M; m++) {
      for (let k = 0; k < K; k++) {
        if (random() < rate) bits[(p * M + m) * words + (k >>> 5)] |= 1 << (k & 31);
      }
    }
  }
  return { bits, planes: P, rows: M, rowLen: K, words };
}

/** The raw 32-bit patterns of a typed array, as plain numbers (JSON-safe, NaN-exact). */
function bitsOf(array) {
  return Array.from(new Uint32Array(array.buffer, array.byteOffset, array.length));
}

/** FNV-1a over the 32-bit patterns of some typed arrays: a short fingerprint of a case's inputs. */
export function fingerprint(...arrays) {
  let h = 0x811c9dc5;
  for (const array of arrays) {
    for (const word of bitsOf(array)) {
      for (let s = 0; s < 32; s += 8) h = Math.imul(h ^ ((word >>> s) & 0xff), 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, '0');
}

function tableArrays(t) {
  return [t.polarity, t.shift, t.vth, t.reset, t.intensity, t.weight, Float32Array.of(t.bias)];
}

/** Runs every kernel on one Kernels instance; returns { [case]: { input, kind, bits } }. */
function runCases(lib, k) {
  const cases = {};
  const record = (name, input, output) => {
    const kind = output instanceof Float32Array ? 'f32' : output instanceof Int32Array ? 'i32' : 'u32';
    cases[name] = { input, kind, bits: bitsOf(output) };
  };

  // membrane and membraneSpikes
  const four = fourBasisTables();
  const identity = identityTables();
  const x = withSpecials(lib.seededRandom(1), 1000, -10, 10);
  const fourInput = fingerprint(x, ...tableArrays(four));
  const identityInput = fingerprint(x, ...tableArrays(identity));
  record('membrane 4x16', fourInput, k.membrane(x, four));
  record('membraneRef 4x16', fourInput, k.membraneRef(x, four));
  record('membrane identity sign-magnitude', identityInput, k.membrane(x, identity, { signMagnitude: true }));
  record('membraneRef identity sign-magnitude', identityInput, k.membraneRef(x, identity, { signMagnitude: true }));

  const rows = 3;
  const rowLen = 77;
  const xs = withSpecials(lib.seededRandom(2), rows * rowLen, -6, 6);
  const spikesInput = fingerprint(xs, ...tableArrays(four));
  const spikeRuns = [
    ['membraneSpikes', k.membraneSpikes(xs, four, { rows, signMagnitude: true })],
    ['membraneSpikesRef', k.membraneSpikesRef(xs, four, { rows, signMagnitude: true })],
  ];
  for (const [name, s] of spikeRuns) {
    record(`${name} y`, spikesInput, s.y);
    record(`${name} planes`, spikesInput, s.planes.bits);
    record(`${name} counts`, spikesInput, s.counts);
    record(`${name} signs`, spikesInput, s.signs);
  }

  // spikemm: on the membrane's own planes (scaled by the intensities), and on random planes
  const fromMembrane = spikeRuns[1][1].planes;
  const w1 = uniform(lib.seededRandom(3), rowLen * 45, -1, 1);
  const out1 = uniform(lib.seededRandom(4), rows * 45, -1, 1);
  const random = lib.seededRandom(5);
  const planes2 = randomPlanes(random, 3, 9, 200, 0.25);
  const scale2 = Float32Array.of(1, -0.5, 0.25);
  const w2 = uniform(random, 200 * 70, -1, 1);
  const spikeCases = [
    ['3x77x45 membrane planes', fromMembrane, four.intensity, w1, 45, out1],
    ['9x200x70 random planes', planes2, scale2, w2, 70, new Float32Array(9 * 70)],
  ];
  for (const [label, planes, scale, w, nout, out] of spikeCases) {
    const input = fingerprint(planes.bits, scale, w, out);
    const weight = k.upload(w, planes.rowLen, nout);
    record(`spikemm ${label}`, input, k.spikemm(planes, scale, weight, out.slice()));
    record(`spikemmRef ${label}`, input, k.spikemmRef(planes, scale, weight, out.slice()));
    weight.free();
  }

  // gemm (packed B) and its naive reference (row-major B)
  GEMM_SHAPES.forEach(([M, K, N], i) => {
    const r = lib.seededRandom(10 + i);
    const a = uniform(r, M * K, -1, 1);
    const b = uniform(r, K * N, -1, 1);
    const bias = i % 2 === 1 ? uniform(r, N, -1, 1) : undefined;
    const options = bias ? { bias } : {};
    const input = fingerprint(a, b, ...(bias ? [bias] : []));
    const packed = k.pack(b, K, N);
    const rowMajor = k.upload(b, K, N);
    record(`gemm ${M}x${K}x${N}`, input, k.gemm(a, packed, M, options));
    record(`gemmRef ${M}x${K}x${N}`, input, k.gemmRef(a, rowMajor, M, options));
    packed.free();
    rowMajor.free();
  });

  // frexp, frexpEven, ldexp
  const xb = exponentSpread(lib.seededRandom(20), 600);
  const bitsInput = fingerprint(xb);
  for (const name of ['frexp', 'frexpRef', 'frexpEven', 'frexpEvenRef']) {
    const { mantissa, exponent } = k[name](xb);
    record(`${name} mantissa`, bitsInput, mantissa);
    record(`${name} exponent`, bitsInput, exponent);
  }
  const kr = lib.seededRandom(21);
  const shifts = Int32Array.from({ length: xb.length }, () => Math.floor(kr() * 601) - 300);
  shifts.set([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 300, -300, 150, -150, 127, -126, 254, -277]);
  const ldexpInput = fingerprint(xb, shifts);
  record('ldexp', ldexpInput, k.ldexp(xb, shifts));
  record('ldexpRef', ldexpInput, k.ldexpRef(xb, shifts));
  return cases;
}

/**
 * Runs the suite under each wasm build (by default every build this runtime validates).
 * @returns {Promise<{ supported: string[], best: string, results: Record<string, { ms: number, cases: Record<string, { input: string, kind: 'f32' | 'i32' | 'u32', bits: number[] }> }> }>}
 */
export async function runKernelSuite(lib, variants = lib.supportedVariants()) {
  const results = {};
  for (const variant of variants) {
    const start = performance.now();
    const k = await lib.loadKernels({ variant });
    results[variant] = { cases: runCases(lib, k), ms: performance.now() - start };
  }
  return { supported: [...lib.supportedVariants()], best: lib.bestVariant(), results };
}
