// Image.resize of Pillow (libImaging/Resample.c and Geometry.c), for 8-bit grey and RGB images, byte for byte:
//
// - nearest: output pixel x takes input pixel trunc(xo), xo starting at scale / 2 and growing by scale = in/out
//   (accumulated in float64, as ImagingScaleAffine does), rows likewise;
// - box, bilinear, hamming, bicubic (a = -0.5), lanczos (3 lobes): a convolution whose kernel is stretched by the
//   scale when downsampling (antialiasing: support = filter support * max(scale, 1)). Per output pixel, centre
//   (x + 0.5) scale, taps from trunc(centre - support + 0.5) to trunc(centre + support + 0.5) clipped to the image,
//   weights filter((tap - centre + 0.5) / max(scale, 1)) normalised to sum 1, then turned into 22-bit fixed point
//   (rounded half away from zero). Two separable passes, horizontal first (only over the rows the vertical pass
//   reads), each one rounded to uint8: (sum of value * weight + 2^21) >> 22 clamped to 0..255. A pass whose size
//   does not change is skipped.
//
// Hamming and lanczos use sin/cos, whose last bit may differ between JavaScript engines and C's libm; the
// polynomial filters (box, bilinear, bicubic) are exact.
import { InvalidArgumentError } from '../../errors.js';
import { describeKind, describeValue } from '../../describe.js';
import type { ResampleFilter } from '../hf/preprocessor.js';
import { checkImage, checkImageSize, type DecodedImage } from './image.js';

interface Filter {
  readonly support: number;
  readonly weight: (x: number) => number;
}

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI));
// Pillow's hamming constants are C floats (0.54f, 0.46f)
const HAMMING_A = Math.fround(0.54);
const HAMMING_B = Math.fround(0.46);

const FILTERS: Readonly<Record<Exclude<ResampleFilter, 'nearest'>, Filter>> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: {
    support: 1,
    weight: (x) => {
      const t = Math.abs(x);
      return t < 1 ? 1 - t : 0;
    },
  },
  hamming: {
    support: 1,
    weight: (x) => {
      const t = Math.abs(x);
      if (t === 0) return 1;
      if (t >= 1) return 0;
      const p = t * Math.PI;
      return (Math.sin(p) / p) * (HAMMING_A + HAMMING_B * Math.cos(p));
    },
  },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);

/** One pass's taps: output i reads `count[i]` inputs from `first[i]` with weights k (out, ksize) in 22-bit fixed point. */
interface Taps {
  readonly ksize: number;
  /** (out) first input index */
  readonly first: Int32Array;
  /** (out) number of inputs */
  readonly count: Int32Array;
  /** (out, ksize) fixed-point weights, zero past count */
  readonly k: Int32Array;
}

/** precompute_coeffs + normalize_coeffs_8bpc of Resample.c, for the box (0, inSize). */
function taps(inSize: number, outSize: number, filter: Filter): Taps {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize); // (ksize) one output's float weights
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const n = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < n; x++) {
      w[x] = filter.weight((x + xmin - center + 0.5) * ss);
      ww += w[x]!;
    }
    for (let x = 0; x < n; x++) {
      const v = ww !== 0 ? w[x]! / ww : w[x]!;
      k[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
    }
    first[xx] = xmin;
    count[xx] = n;
  }
  return { ksize, first, count, k };
}

/** clip8 of Resample.c: the fixed-point sum to uint8. */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** out (rows, outWidth, C) = rows fromRow .. fromRow + rows - 1 of src (height, width, C) resampled along x. */
function horizontal(src: Uint8Array, width: number, C: number, fromRow: number, rows: number, t: Taps): Uint8Array {
  const outWidth = t.first.length;
  const out = new Uint8Array(rows * outWidth * C); // (rows, outWidth, C)
  for (let y = 0; y < rows; y++) {
    const rowStart = (y + fromRow) * width * C;
    for (let xx = 0; xx < outWidth; xx++) {
      const base = rowStart + t.first[xx]! * C;
      const n = t.count[xx]!;
      const kb = xx * t.ksize;
      for (let c = 0; c < C; c++) {
        let ss = HALF;
        for (let x = 0; x < n; x++) ss += src[base + x * C + c]! * t.k[kb + x]!;
        out[(y * outWidth + xx) * C + c] = clip8(ss);
      }
    }
  }
  return out;
}

/** out (outHeight, width, C) = src (rows, width, C) resampled along y, src row 0 being input row `fromRow`. */
function vertical(src: Uint8Array, width: number, C: number, fromRow: number, t: Taps): Uint8Array {
  const outHeight = t.first.length;
  const rowLength = width * C;
  const out = new Uint8Array(outHeight * rowLength); // (outHeight, width, C)
  for (let yy = 0; yy < outHeight; yy++) {
    const base = (t.first[yy]! - fromRow) * rowLength;
    const n = t.count[yy]!;
    const kb = yy * t.ksize;
    for (let i = 0; i < rowLength; i++) {
      let ss = HALF;
      for (let y = 0; y < n; y++) ss += src[base + y * rowLength + i]! * t.k[kb + y]!;
      out[yy * rowLength + i] = clip8(ss);
    }
  }
  return out;
}

/** Input index per output index for nearest: trunc(xo), xo = scale / 2 + i scale accumulated as Pillow does. */
function nearestIndex(inSize: number, outSize: number): Int32Array {
  const scale = inSize / outSize;
  const index = new Int32Array(outSize); // (outSize)
  let xo = scale * 0.5;
  for (let i = 0; i < outSize; i++) {
    index[i] = Math.min(inSize - 1, Math.trunc(xo));
    xo += scale;
  }
  return index;
}

function nearest(image: DecodedImage, height: number, width: number): DecodedImage {
  const { channels: C, data } = image;
  const xs = nearestIndex(image.width, width);
  const ys = nearestIndex(image.height, height);
  const out = new Uint8Array(height * width * C); // (height, width, C)
  for (let y = 0; y < height; y++) {
    const row = ys[y]! * image.width;
    for (let x = 0; x < width; x++) {
      const from = (row + xs[x]!) * C;
      for (let c = 0; c < C; c++) out[(y * width + x) * C + c] = data[from + c]!;
    }
  }
  return { width, height, channels: C, data: out };
}

/** The size and filter to resize to (ImagePreprocessor['resize'] is one). */
export interface ResizeSpec {
  readonly height: number;
  readonly width: number;
  readonly resample: ResampleFilter;
}

/**
 * The image resized to (height, width) as Pillow's Image.resize((width, height), resample) does to an 'L' or
 * 'RGB' image. An image already of that size is returned as it is (the same object).
 */
export function resizeImage(image: DecodedImage, spec: ResizeSpec): DecodedImage {
  checkImage(image);
  if (typeof spec !== 'object' || spec === null) {
    throw new InvalidArgumentError(`resize: spec must be { height, width, resample }, got ${describeKind(spec)}`);
  }
  const { height, width, resample } = spec;
  checkImageSize(width, height, 'resize');
  if (resample !== 'nearest' && !Object.hasOwn(FILTERS, resample)) {
    throw new InvalidArgumentError(`resize: unknown resample filter ${describeValue(resample)}`);
  }
  if (image.width === width && image.height === height) return image;
  if (resample === 'nearest') return nearest(image, height, width);
  const filter = FILTERS[resample];
  const C = image.channels;
  const rows = taps(image.height, height, filter);
  let data = image.data; // (rows used, current width, C)
  let fromRow = 0;
  if (width !== image.width) {
    // only the input rows the vertical pass reads
    fromRow = rows.first[0]!;
    const lastRow = rows.first[height - 1]! + rows.count[height - 1]!;
    data = horizontal(data, image.width, C, fromRow, lastRow - fromRow, taps(image.width, width, filter));
  }
  if (height !== image.height) data = vertical(data, width, C, fromRow, rows);
  return { width, height, channels: C, data };
}
