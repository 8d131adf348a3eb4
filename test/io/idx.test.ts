import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, InvalidArgumentError } from '../../src/errors.js';
import { gunzip, MAX_GUNZIP_BYTES, parseIdxImages, parseIdxLabels } from '../../src/io/idx.js';
import { loadMnist } from '../../src/io/node/files.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';
import { idxFile as idx } from '../helpers/idx.js';

describe('parseIdxImages / parseIdxLabels', () => {
  it('reads the dims and views the bytes', () => {
    const images = parseIdxImages(idx(0x803, [2, 3, 4]));
    expect(images).toMatchObject({ count: 2, rows: 3, cols: 4 });
    expect(Array.from(images.pixels)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const labels = parseIdxLabels(idx(0x801, [3], Uint8Array.of(7, 2, 1)));
    expect(labels.count).toBe(3);
    expect(Array.from(labels.labels)).toEqual([7, 2, 1]);
  });

  it('rejects a short header, a wrong magic, a truncated file and trailing bytes', () => {
    expect(formatError(() => parseIdxImages(new Uint8Array(15), 'i.idx')).message).toBe(
      'i.idx: file is 15 bytes, shorter than the 16-byte IDX images header',
    );
    expect(formatError(() => parseIdxImages(idx(0x801, [1, 1, 1]), 'i.idx')).message).toBe(
      'i.idx at byte 0: magic 0x00000801, expected 0x00000803 for IDX images',
    );
    expect(formatError(() => parseIdxLabels(gzipSync(idx(0x801, [4])), 'l.gz')).message).toContain(
      'for IDX labels (gzip data: gunzip it first)',
    );
    expect(formatError(() => parseIdxImages(idx(0x803, [2, 3, 4]).subarray(0, 30), 'i.idx')).message).toBe(
      'i.idx: file is 30 bytes, but its header (2 x 3 x 4) implies 40 bytes (truncated)',
    );
    expect(formatError(() => parseIdxLabels(idx(0x801, [2], Uint8Array.of(1, 2, 3)))).message).toContain(
      'file is 11 bytes, but its header (2) implies 10 bytes (trailing data)',
    );
  });
});

describe('gunzip', () => {
  const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251);
  const gz = new Uint8Array(gzipSync(data));

  it('inflates gzip data, including several members', async () => {
    expect(await gunzip(gz)).toEqual(data);
    const twice = new Uint8Array(2 * gz.length);
    twice.set(gz);
    twice.set(gz, gz.length);
    expect((await gunzip(twice)).length).toBe(200_000);
    expect(await gunzip(new Uint8Array(gzipSync(new Uint8Array(0))))).toEqual(new Uint8Array(0));
  });

  it('rejects data that is not gzip, corrupt or cut', async () => {
    await expect(gunzip(Uint8Array.of(1, 2, 3), 'x.gz')).rejects.toThrow(
      'x.gz at byte 0: not gzip data (expected the magic bytes 1f 8b)',
    );
    const corrupt = gz.slice();
    corrupt.fill(0xff, 20, 60);
    await expect(gunzip(corrupt, 'x.gz')).rejects.toThrow(FormatError);
    await expect(gunzip(corrupt, 'x.gz')).rejects.toThrow('x.gz: corrupt gzip data');
    await expect(gunzip(gz.subarray(0, gz.length - 5), 'x.gz')).rejects.toThrow('x.gz: corrupt gzip data');
  });

  it('stops a stream that inflates past maxBytes with a FormatError (issue 13)', async () => {
    // 8 MiB of zeros in about 8 kB of gzip, against a 1 MiB bound
    const bomb = new Uint8Array(gzipSync(new Uint8Array(8 << 20)));
    await expect(gunzip(bomb, 'bomb.gz', { maxBytes: 1 << 20 })).rejects.toThrow(
      'bomb.gz: inflates to more than 1,048,576 bytes, the limit (gunzip',
    );
    expect((await gunzip(bomb, 'bomb.gz', { maxBytes: 8 << 20 })).length).toBe(8 << 20);
    expect(MAX_GUNZIP_BYTES).toBe(2 ** 30);
    await expect(gunzip(gz, 'x.gz', { maxBytes: -1 })).rejects.toThrow(InvalidArgumentError);
  });

  it('rejects data that is not bytes with InvalidArgumentError', async () => {
    const loose = gunzip as (data: unknown) => Promise<Uint8Array>;
    for (const data of [null, undefined, [0x1f, 0x8b], 'gz'])
      await expect(loose(data)).rejects.toThrow(InvalidArgumentError);
    const parse = [parseIdxImages, parseIdxLabels] as ((data: unknown) => unknown)[];
    for (const p of parse) for (const data of [null, [8, 0, 0, 3]]) expect(() => p(data)).toThrow(InvalidArgumentError);
  });
});

describeFixtures('MNIST fixtures', () => {
  it('loads 5,000 28x28 images and their labels', async () => {
    const mnist = await loadMnist(
      fixture('mnist', 't10k-0-5000-images-idx3-ubyte.gz'),
      fixture('mnist', 't10k-0-5000-labels-idx1-ubyte.gz'),
    );
    expect(mnist).toMatchObject({ count: 5000, rows: 28, cols: 28 });
    expect(mnist.images.length).toBe(5000 * 28 * 28);
    expect(mnist.labels.length).toBe(5000);
    // the first 8 test labels, as in vit/golden_logits_first8.json
    expect(Array.from(mnist.labels.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
    expect(mnist.labels.every((l) => l <= 9)).toBe(true);
    expect(mnist.images.some((p) => p === 255)).toBe(true);
  });
});
