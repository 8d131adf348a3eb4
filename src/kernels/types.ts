// The data the kernels take and give, as plain typed arrays with their shapes.

/** Derived tables of one multi-basis neuron, as the membrane kernel uses them (ALGORITHM.md section 1). */
export interface MembraneTables {
  /** Number of bases, 1..8. */
  readonly N: number;
  /** Number of timesteps, 1..32. */
  readonly T: number;
  /** (N) +1 or -1: u[0] = polarity * (x - shift). */
  readonly polarity: Float32Array;
  /** (N) fixed input shift of each basis. */
  readonly shift: Float32Array;
  /** (N, T) firing thresholds. */
  readonly vth: Float32Array;
  /** (N, T) reset subtracted from the membrane on a spike. */
  readonly reset: Float32Array;
  /** (N, T) spike intensities. */
  readonly intensity: Float32Array;
  /** (N) readout weights. */
  readonly weight: Float32Array;
  /** Output bias. */
  readonly bias: number;
}

/** Bit-packed binary spike planes: bit j of word w in a row is element w * 32 + j of that row. */
export interface SpikePlanes {
  /** (planes, rows, words) u32. */
  readonly bits: Uint32Array;
  readonly planes: number;
  readonly rows: number;
  /** Elements per row. */
  readonly rowLen: number;
  /** u32 words per row: ceil(rowLen / 32). */
  readonly words: number;
}

/** What the membrane kernel gives when it keeps the spikes. */
export interface MembraneSpikes {
  /** (rows, rowLen) decoded outputs. */
  readonly y: Float32Array;
  /** N * T planes, plane nb * T + t holding basis nb at timestep t. */
  readonly planes: SpikePlanes;
  /** (N, T) spikes in each plane. */
  readonly counts: Uint32Array;
  /** (rows, words) bit set where x < 0; all zero unless sign-magnitude mode. */
  readonly signs: Uint32Array;
}

/** x = mantissa * 2^exponent, element by element. */
export interface FrexpResult {
  /** (n) */
  readonly mantissa: Float32Array;
  /** (n) */
  readonly exponent: Int32Array;
}
