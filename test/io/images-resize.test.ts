// The browser-safe image code: Pillow's resize (against the fixtures' MNIST reference and hand-computed cases),
// Pillow's channel conversions, the canvas adapter, and the batches prepareImages builds for a model.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { gunzip, parseIdxImages } from '../../src/io/idx.js';
import { decodeWithCanvas, fromImageData } from '../../src/io/images/canvas.js';
import { compositeOnWhite, luma, overWhite, toGrey, toRgb } from '../../src/io/images/convert.js';
import type { DecodedImage } from '../../src/io/images/image.js';
import { resizeImage, type ResizeSpec } from '../../src/io/images/resize.js';
import { idxImages, prepareImages } from '../../src/tasks/image-data.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';

const grey = (width: number, height: number, values: number[]): DecodedImage => ({
  width,
  height,
  channels: 1,
  data: Uint8Array.from(values),
});
const resized = (image: DecodedImage, spec: ResizeSpec) => [...resizeImage(image, spec).data];

describeFixtures('MNIST 28 x 28 -> 32 x 32 bilinear (fixtures cnn/ README: torchvision Resize, i.e. Pillow)', () => {
  it('reproduces the preprocessed first test image exactly', async () => {
    const path = fixture('mnist', 't10k-0-5000-images-idx3-ubyte.gz');
    const idx = parseIdxImages(await gunzip(await readFile(path), path), path);
    const golden = JSON.parse(await readFile(fixture('cnn', 'golden_logits_first8.json'), 'utf8')) as {
      preprocessed_first_image_32x32: number[][];
    };
    // the golden stores (p / 255 - 0.1307) / 0.3081; invert to the 8-bit values (+ 0: no -0 for the zeros)
    const expected = golden.preprocessed_first_image_32x32
      .flat()
      .map((v) => Math.round((v * 0.3081 + 0.1307) * 255) + 0);
    expect(expected).toHaveLength(32 * 32);
    const [first] = idxImages(idx.pixels.subarray(0, 28 * 28), 1, idx.rows, idx.cols);
    expect(resized(first!, { height: 32, width: 32, resample: 'bilinear' })).toEqual(expected);
    // prepared for an RGB 32 x 32 model: the same values in all three channels
    const batch = prepareImages(
      idxImages(idx.pixels, idx.count, idx.rows, idx.cols).slice(0, 2),
      {
        height: 32,
        width: 32,
        channels: 3,
      },
      { resample: 'bilinear' },
    );
    expect(batch).toHaveLength(2 * 32 * 32 * 3);
    expect([...batch.subarray(0, 32 * 32 * 3)]).toEqual(expected.flatMap((v) => [v, v, v]));
  });
});

describe('resizeImage (Pillow Image.resize)', () => {
  it('bilinear up: [0, 255] -> 4 (taps at centres 0.25 .. 1.75, one tap at the ends)', () => {
    // x = 1: centre 0.75, weights 0.75, 0.25 -> 63.75 -> 22-bit fixed point (0.25 -> 2^20) rounds to 64
    expect(resized(grey(2, 1, [0, 255]), { height: 1, width: 4, resample: 'bilinear' })).toEqual([0, 64, 191, 255]);
  });

  it('bilinear down antialiases: [0, 100, 200, 40] -> 2 (support 2, weights 3/7, 3/7, 1/7)', () => {
    // centre 1: (0 * 3 + 100 * 3 + 200) / 7 = 71.4; centre 3: (100 + 200 * 3 + 40 * 3) / 7 = 117.1
    expect(resized(grey(4, 1, [0, 100, 200, 40]), { height: 1, width: 2, resample: 'bilinear' })).toEqual([71, 117]);
    // box: plain means of the pairs
    expect(resized(grey(4, 1, [0, 100, 200, 40]), { height: 1, width: 2, resample: 'box' })).toEqual([50, 120]);
  });

  it('bicubic up: [0, 255] -> 4, overshoot clamped, the same along y', () => {
    // centre 0.25: taps 0, 1 weigh cubic(0.25) = 0.8671875, cubic(1.25) = -0.0703125 -> 255 * -0.088 -> 0;
    // centre 0.75: cubic(0.25), cubic(0.75) = 0.2265625 -> 255 * 0.2265625 / 1.09375 = 52.8 -> 53
    const spec = { height: 1, width: 4, resample: 'bicubic' } as const;
    expect(resized(grey(2, 1, [0, 255]), spec)).toEqual([0, 53, 202, 255]);
    expect(resized(grey(1, 2, [0, 255]), { ...spec, height: 4, width: 1 })).toEqual([0, 53, 202, 255]);
  });

  it('bicubic down, 8 -> 3 (support 2 x 8/3; Pillow 9.4 gives these)', () => {
    const row = grey(8, 1, [0, 100, 200, 40, 0, 255, 255, 0]);
    expect(resized(row, { height: 1, width: 3, resample: 'bicubic' })).toEqual([89, 98, 163]);
  });

  it('nearest: input trunc((i + 0.5) * in / out)', () => {
    const spec = (width: number, height = 1) => ({ width, height, resample: 'nearest' }) as const;
    expect(resized(grey(3, 1, [10, 20, 30]), spec(5))).toEqual([10, 10, 20, 30, 30]); // 0.3 0.9 1.5 2.1 2.7
    expect(resized(grey(5, 1, [1, 2, 3, 4, 5]), spec(2))).toEqual([2, 4]); // 1.25 3.75
    const square = resized(grey(2, 2, [10, 20, 30, 40]), spec(4, 4));
    expect(square).toEqual([10, 10, 20, 20, 10, 10, 20, 20, 30, 30, 40, 40, 30, 30, 40, 40]);
  });

  it('resizes RGB channel by channel; the same size is the image itself', () => {
    const values = Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 256);
    const r = grey(7, 5, values);
    const g = grey(
      7,
      5,
      values.map((v) => 255 - v),
    );
    const rgb: DecodedImage = {
      width: 7,
      height: 5,
      channels: 3,
      data: Uint8Array.from(values.flatMap((v) => [v, 255 - v, 0])),
    };
    for (const resample of ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'] as const) {
      const spec = { height: 9, width: 3, resample };
      const out = resized(rgb, spec);
      expect(out.filter((_, i) => i % 3 === 0)).toEqual(resized(r, spec));
      expect(out.filter((_, i) => i % 3 === 1)).toEqual(resized(g, spec));
      expect(resizeImage(rgb, { height: 5, width: 7, resample })).toBe(rgb);
    }
  });

  it('rejects bad sizes, filters and images', () => {
    const image = grey(2, 1, [0, 255]);
    expect(() => resizeImage(image, { height: 0, width: 4, resample: 'bilinear' })).toThrow(InvalidArgumentError);
    expect(() => resizeImage(image, { height: 1, width: 4, resample: 'cubic' as 'bicubic' })).toThrow(
      /unknown resample/,
    );
    expect(() => resizeImage({ ...image, data: new Uint8Array(3) }, { height: 1, width: 4, resample: 'box' })).toThrow(
      /1 x 2 x 1 = 2 bytes, got 3/,
    );
  });
});

describe('channel conversion (Pillow convert and alpha_composite)', () => {
  it('luma is ITU-R 601-2 in 16-bit fixed point, as convert("L")', () => {
    expect([luma(255, 0, 0), luma(0, 255, 0), luma(0, 0, 255), luma(255, 255, 255), luma(77, 77, 77)]).toEqual([
      76, 150, 29, 255, 77,
    ]);
    const rgb: DecodedImage = { width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 10, 20, 30) };
    expect([...toGrey(rgb).data]).toEqual([76, luma(10, 20, 30)]);
    expect(luma(10, 20, 30)).toBe(18); // 2.99 + 11.74 + 3.42 = 18.15
    expect([...toRgb(grey(2, 1, [5, 9])).data]).toEqual([5, 5, 5, 9, 9, 9]);
  });

  it('composites on white: opaque keeps the value, transparent is white', () => {
    for (let v = 0; v < 256; v++) {
      expect(overWhite(v, 0)).toBe(255);
      expect([...compositeOnWhite([v, 255], 1, 1, 2).data]).toEqual([v]);
    }
    expect(overWhite(0, 128)).toBe(127);
    expect(overWhite(200, 51)).toBe(244);
  });

  it('fromImageData turns canvas RGBA into RGB; decodeWithCanvas needs a browser', async () => {
    const pixels = { width: 2, height: 1, data: Uint8ClampedArray.of(1, 2, 3, 255, 9, 9, 9, 0) };
    expect(fromImageData(pixels)).toEqual({
      width: 2,
      height: 1,
      channels: 3,
      data: Uint8Array.of(1, 2, 3, 255, 255, 255),
    });
    expect(() => fromImageData({ ...pixels, height: 2 })).toThrow(InvalidArgumentError);
    await expect(decodeWithCanvas(new Blob([new Uint8Array(4)]))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('prepareImages and idxImages', () => {
  const image = grey(4, 2, [0, 50, 100, 150, 200, 250, 25, 75]);
  it('grey to an RGB model: resized, then replicated', () => {
    const batch = prepareImages([image, image], { height: 3, width: 3, channels: 3 }, { resample: 'bicubic' });
    const one = resized(image, { height: 3, width: 3, resample: 'bicubic' }).flatMap((v) => [v, v, v]);
    expect([...batch]).toEqual([...one, ...one]);
  });

  it('RGB to a grey model: luma, then resized; the right size needs no filter', () => {
    const rgb = toRgb(image);
    expect(prepareImages([rgb], { height: 2, width: 4, channels: 1 })).toEqual(image.data);
    expect([...prepareImages([rgb], { height: 1, width: 2, channels: 1 }, { resample: 'box' })]).toEqual(
      resized(image, { height: 1, width: 2, resample: 'box' }),
    );
  });

  it('names what is wrong', () => {
    expect(() => prepareImages([image, grey(3, 3, Array(9).fill(0))], { height: 2, width: 4, channels: 1 })).toThrow(
      'images[1] is 3 x 3, the model takes 4 x 2: give a resize filter',
    );
    expect(() => prepareImages([image], { height: 2, width: 4, channels: 4 })).toThrow(/channels must be 1 or 3/);
  });

  it('idxImages are grey views into the IDX pixels', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i); // (3, 2, 2)
    const images = idxImages(pixels, 3, 2, 2);
    expect(images.map((i) => [...i.data])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    expect(images[1]!.data.buffer).toBe(pixels.buffer);
    expect(() => idxImages(pixels, 4, 2, 2)).toThrow(/expected 4 x 2 x 2 = 16 bytes, got 12/);
  });
});
