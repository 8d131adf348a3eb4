// A Hugging Face preprocessor_config.json of an image model (ViTImageProcessor's fields): the size images
// are resized to and with which filter, the rescale factor and the per-channel normalisation. Absent fields
// take ViTImageProcessor's defaults; a wrong field is a FormatError naming the file and the field, as for
// config.json. Steps this reader does not implement (center cropping) are errors, not silently skipped.
import { FormatError } from '../../errors.js';
import { describeValue } from '../../describe.js';
import { HfConfig } from './config.js';

/** PIL's resampling filters, by the codes preprocessor configs store (PILImageResampling). */
export const RESAMPLE_FILTERS = ['nearest', 'lanczos', 'bilinear', 'bicubic', 'box', 'hamming'] as const;

export type ResampleFilter = (typeof RESAMPLE_FILTERS)[number];

export interface ImagePreprocessor {
  /** The file, for messages. */
  readonly file: string;
  /** do_resize: the (height, width) images are resized to, and the filter; undefined when not resized. */
  readonly resize: { readonly height: number; readonly width: number; readonly resample: ResampleFilter } | undefined;
  /** 8-bit values are multiplied by this (rescale_factor with do_rescale, else 1). */
  readonly rescaleFactor: number;
  /** do_normalize: value -> (value - mean[c]) / std[c]; one value stands for every channel. Undefined: none. */
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] } | undefined;
}

/** ViTImageProcessor's defaults: 224 x 224 bilinear, 1/255, mean and std 0.5 on every channel. */
export const VIT_IMAGE_PREPROCESSOR: ImagePreprocessor = {
  file: 'ViTImageProcessor defaults',
  resize: { height: 224, width: 224, resample: 'bilinear' },
  rescaleFactor: 1 / 255,
  normalize: { mean: [0.5], std: [0.5] },
};

const fieldError = (file: string, field: string, expected: string, got: unknown) =>
  new FormatError(
    file,
    `field "${field}" must be ${expected}; ${got === undefined ? 'it is missing' : `got ${describeValue(got)}`}`,
  );

/** Parses preprocessor_config.json. */
export function parsePreprocessorConfig(bytes: Uint8Array, file = 'preprocessor_config.json'): ImagePreprocessor {
  return readPreprocessor(HfConfig.parse(bytes, file));
}

/** The preprocessing a parsed preprocessor_config.json describes. */
export function readPreprocessor(config: HfConfig): ImagePreprocessor {
  const file = config.file;
  if (config.boolean('do_center_crop', false)) {
    throw config.error('do_center_crop', 'false or absent (center cropping is not supported)', true);
  }
  let resize: ImagePreprocessor['resize'];
  if (config.boolean('do_resize', true)) {
    const code = config.int('resample', { min: 0, max: RESAMPLE_FILTERS.length - 1, fallback: 2 });
    resize = { ...size(config), resample: RESAMPLE_FILTERS[code] as ResampleFilter };
  }
  const rescaleFactor = config.boolean('do_rescale', true) ? config.number('rescale_factor', { fallback: 1 / 255 }) : 1;
  let normalize: ImagePreprocessor['normalize'];
  if (config.boolean('do_normalize', true)) {
    const mean = channelValues(config, 'image_mean', false);
    const std = channelValues(config, 'image_std', true);
    if (mean.length > 1 && std.length > 1 && mean.length !== std.length) {
      throw fieldError(file, 'image_std', `${mean.length} values, as many as image_mean`, config.raw('image_std'));
    }
    normalize = { mean, std };
  }
  return { file, resize, rescaleFactor, normalize };
}

/** `size`: {height, width}, or one integer for a square (older configs). */
function size(config: HfConfig): { height: number; width: number } {
  const raw = config.raw('size');
  if (raw === undefined) return { height: 224, width: 224 };
  if (typeof raw === 'number') {
    const side = config.int('size');
    return { height: side, width: side };
  }
  const record = typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const dimension = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1;
  if (!dimension(record.height) || !dimension(record.width)) {
    throw fieldError(config.file, 'size', '{"height": h, "width": w} with positive integers (or one integer)', raw);
  }
  return { height: record.height as number, width: record.width as number };
}

/** image_mean / image_std: a number or a list of finite numbers (positive ones for std). */
function channelValues(config: HfConfig, field: 'image_mean' | 'image_std', positive: boolean): number[] {
  const raw = config.raw(field) ?? 0.5;
  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0);
  if (values.length === 0 || !values.every(ok)) {
    throw fieldError(config.file, field, `a list of ${positive ? 'positive' : 'finite'} numbers (or one number)`, raw);
  }
  return values as number[];
}

/** forward()'s arithmetic for an 8-bit value v of channel c: (v * rescale - mean[c]) / std[c]. */
export interface ImageNormalization {
  readonly rescale: number;
  /** (channels) each; mean 0 and std 1 without do_normalize. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * The rescale and per-channel normalisation a preprocessor applies to images of a model's shape
 * (ViTImageProcessor's when there is no preprocessor). A preprocessor that resizes must resize to that shape.
 */
export function imageNormalization(
  p: ImagePreprocessor | undefined,
  image: { readonly height: number; readonly width: number; readonly channels: number },
): ImageNormalization {
  const { height, width, channels } = image;
  if (p?.resize && (p.resize.height !== height || p.resize.width !== width)) {
    const got = { height: p.resize.height, width: p.resize.width };
    throw fieldError(p.file, 'size', `{"height": ${height}, "width": ${width}} (the model's image size)`, got);
  }
  const { rescaleFactor, normalize } = p ?? VIT_IMAGE_PREPROCESSOR;
  const expand = (field: string, values: readonly number[] | undefined, identity: number) => {
    if (values === undefined || values.length === 1) return new Array<number>(channels).fill(values?.[0] ?? identity);
    if (values.length !== channels) {
      throw fieldError(p?.file ?? '', field, `one value or ${channels} (the model's num_channels)`, values);
    }
    return [...values];
  };
  return {
    rescale: rescaleFactor,
    mean: expand('image_mean', normalize?.mean, 0),
    std: expand('image_std', normalize?.std, 1),
  };
}

/**
 * into (channels, height, width) = (value * rescale - mean[c]) / std[c] of the 8-bit image (height, width,
 * channels), computed in float64 and rounded once to float32 (as the goldens' pixel_values).
 */
export function normalizeImage(
  into: Float32Array,
  pixels: Uint8Array,
  normalization: ImageNormalization,
  channels: number,
): void {
  const { rescale, mean, std } = normalization;
  const size = pixels.length / channels;
  for (let c = 0; c < channels; c++) {
    const m = mean[c] as number;
    const sd = std[c] as number;
    for (let i = 0; i < size; i++) into[c * size + i] = ((pixels[i * channels + c] as number) * rescale - m) / sd;
  }
}
