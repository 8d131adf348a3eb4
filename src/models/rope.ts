// Rotary position embeddings in Hugging Face's rotate-half form: each head vector [x1, x2] (two halves)
// becomes [x1 cos - x2 sin, x2 cos + x1 sin], with angles pos * inv_freq[i] for i < headDim / 2. The
// frequencies follow rope_theta and, for Llama 3 checkpoints, the llama3 rescaling of long wavelengths.
// (llama2.c rotates interleaved pairs instead; its model keeps its own tables.)
import type { HfConfig } from '../io/hf/config.js';

export interface Llama3Scaling {
  readonly factor: number;
  readonly lowFreqFactor: number;
  readonly highFreqFactor: number;
  readonly originalContext: number;
}

/** inv_freq (headDim / 2) = theta^(-2i / headDim), rescaled as transformers' `_compute_llama3_parameters`. */
export function inverseFrequencies(headDim: number, theta: number, scaling?: Llama3Scaling): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half); // (headDim / 2)
  for (let i = 0; i < half; i++) inv[i] = 1 / theta ** ((2 * i) / headDim);
  if (!scaling) return inv;
  const { factor, lowFreqFactor: low, highFreqFactor: high, originalContext } = scaling;
  const lowFreqWavelength = originalContext / low;
  const highFreqWavelength = originalContext / high;
  for (let i = 0; i < half; i++) {
    const f = inv[i] as number;
    const wavelength = (2 * Math.PI) / f;
    if (wavelength < highFreqWavelength) continue; // high frequencies kept
    if (wavelength > lowFreqWavelength) {
      inv[i] = f / factor; // low frequencies stretched
    } else {
      const smooth = (originalContext / wavelength - low) / (high - low);
      inv[i] = ((1 - smooth) * f) / factor + smooth * f;
    }
  }
  return inv;
}

export class RotateHalfRope {
  private readonly cos: Float32Array; // (contextLength, headDim / 2)
  private readonly sin: Float32Array; // (contextLength, headDim / 2)

  constructor(
    readonly headDim: number,
    contextLength: number,
    inverse: Float64Array,
  ) {
    const half = headDim / 2;
    this.cos = new Float32Array(contextLength * half);
    this.sin = new Float32Array(contextLength * half);
    for (let pos = 0; pos < contextLength; pos++) {
      for (let i = 0; i < half; i++) {
        const angle = pos * (inverse[i] as number);
        this.cos[pos * half + i] = Math.cos(angle);
        this.sin[pos * half + i] = Math.sin(angle);
      }
    }
  }

  /** Rotates the `heads` head vectors of each of S rows of x (row stride `stride`) at startPos + row. */
  apply(x: Float32Array, S: number, stride: number, heads: number, startPos: number): void {
    const hd = this.headDim;
    const half = hd / 2;
    for (let s = 0; s < S; s++) {
      const table = (startPos + s) * half;
      for (let h = 0; h < heads; h++) {
        const at = s * stride + h * hd;
        for (let i = 0; i < half; i++) {
          const cos = this.cos[table + i] as number;
          const sin = this.sin[table + i] as number;
          const x1 = x[at + i] as number;
          const x2 = x[at + half + i] as number;
          x[at + i] = x1 * cos - x2 * sin;
          x[at + half + i] = x2 * cos + x1 * sin;
        }
      }
    }
  }
}

/** config.json's rope_scaling: undefined (none, or "default"), llama3's parameters, or a FormatError. */
export function ropeScaling(config: HfConfig): Llama3Scaling | undefined {
  const raw = config.raw('rope_scaling');
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null)
    throw config.error('rope_scaling', 'an object or null', raw);
  const r = raw as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  if (type === 'default') return undefined;
  if (type !== 'llama3')
    throw config.error('rope_scaling.rope_type', '"llama3" or "default" (others are not supported)', type);
  const field = (name: string) => {
    const v = r[name];
    if (typeof v !== 'number' || !(v > 0)) throw config.error(`rope_scaling.${name}`, 'a positive number', v);
    return v;
  };
  return {
    factor: field('factor'),
    lowFreqFactor: field('low_freq_factor'),
    highFreqFactor: field('high_freq_factor'),
    originalContext: field('original_max_position_embeddings'),
  };
}
