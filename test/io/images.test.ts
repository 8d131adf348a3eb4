// The Node PNG/JPEG readers and labelled image folders, on files the tests write into a temporary folder.
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, InvalidArgumentError } from '../../src/errors.js';
import { overWhite } from '../../src/io/images/convert.js';
import { MAX_IMAGE_SIDE } from '../../src/io/images/image.js';
import {
  decodeImage,
  MAX_IMAGE_FILE_BYTES,
  readImageFile,
  readImageFolder,
  type ImageFolder,
} from '../../src/io/node/images.js';
import {
  GREY_JPEG,
  GREY_JPEG_PILLOW,
  jpegBytes,
  palettePngBytes,
  pngBytes,
  pngChunk,
  pngHeader,
  writeBytes,
} from '../helpers/images.js';
import { formatError } from '../helpers/format-error.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbe-snn-images-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** (n) bytes counting up from `from` modulo 256. */
const ramp = (n: number, from = 0, step = 7) => Uint8Array.from({ length: n }, (_, i) => (from + i * step) % 256);

/** A file in the temporary folder holding bytes, and its path. */
async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeBytes(path, bytes);
  return path;
}

/** The FormatError readImageFile(path) rejects with; it must name the file. */
async function rejection(path: string): Promise<FormatError> {
  const error = await readImageFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FormatError);
  expect((error as FormatError).file).toBe(path);
  expect((error as FormatError).message).toContain(path);
  return error as FormatError;
}

describe('PNG', () => {
  it('grey stays one channel, exactly', async () => {
    const grey = ramp(5 * 3);
    const image = await readImageFile(await file('grey.png', pngBytes(5, 3, 0, grey)));
    expect(image).toMatchObject({ width: 5, height: 3, channels: 1 });
    expect(image.data).toEqual(grey);
  });

  it('16-bit grey is rounded to 8 bits', () => {
    const samples = Uint16Array.of(0, 257, 32767, 32768, 65535, 128); // (1, 6)
    const image = decodeImage(pngBytes(6, 1, 0, samples, 16), 'grey16.png');
    expect(image.channels).toBe(1);
    expect([...image.data]).toEqual([...samples].map((v) => Math.floor((v * 255) / 65535 + 0.5)));
  });

  it('RGB is three channels, exactly', async () => {
    const rgb = ramp(4 * 2 * 3, 3, 11);
    const image = await readImageFile(await file('rgb.png', pngBytes(4, 2, 2, rgb)));
    expect(image).toMatchObject({ width: 4, height: 2, channels: 3 });
    expect(image.data).toEqual(rgb);
  });

  it('RGBA is composited on white with Pillow arithmetic', () => {
    // (1, 4, 4): opaque, transparent, half, a fifth
    const rgba = Uint8Array.of(10, 20, 30, 255, 1, 2, 3, 0, 0, 100, 255, 128, 200, 200, 200, 51);
    const image = decodeImage(pngBytes(4, 1, 6, rgba), 'rgba.png');
    expect(image.channels).toBe(3);
    // 0 over white at 128/255 = 127; 200 at 51/255 = 200 * 0.2 + 255 * 0.8 = 244
    expect([...image.data]).toEqual([10, 20, 30, 255, 255, 255, 127, overWhite(100, 128), 255, 244, 244, 244]);
    expect(overWhite(100, 128)).toBe(177); // 100 * 128/255 + 255 * 127/255 = 177.2
  });

  it('grey + alpha is composited to one channel', () => {
    const la = Uint8Array.of(0, 255, 0, 128, 90, 0); // (1, 3, 2)
    const image = decodeImage(pngBytes(3, 1, 4, la), 'la.png');
    expect(image).toMatchObject({ channels: 1, data: Uint8Array.of(0, 127, 255) });
  });

  it('palette PNGs expand through the palette (tRNS alpha composited)', async () => {
    const palette = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7); // 4 entries
    const indices = Uint8Array.of(0, 1, 2, 3, 3, 2, 1); // (1, 7), odd width: the last byte half used
    const plain = await readImageFile(await file('palette.png', palettePngBytes(7, 1, indices, palette)));
    expect(plain).toMatchObject({ width: 7, height: 1, channels: 3 });
    expect([...plain.data]).toEqual([...indices].flatMap((i) => [...palette.subarray(3 * i, 3 * i + 3)]));
    // entry 0 transparent, entry 1 half, the rest opaque
    const image = decodeImage(palettePngBytes(7, 1, indices, palette, Uint8Array.of(0, 128)), 'trns.png');
    expect([...image.data.subarray(0, 9)]).toEqual([255, 255, 255, 127, 255, 127, 0, 0, 255]);
  });
});

describe('JPEG', () => {
  it('RGB (jpeg-js encoder, quality 100) decodes to 3 channels close to the source', async () => {
    const [w, h] = [16, 8];
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i % 3) * 60 + (Math.floor(i / 3) % w) * 4);
    const image = await readImageFile(await file('rgb.jpg', jpegBytes(w, h, rgb)));
    expect(image).toMatchObject({ width: w, height: h, channels: 3 });
    const worst = Math.max(...image.data.map((v, i) => Math.abs(v - rgb[i]!)));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('grey JPEGs stay one channel, within a level of Pillow', async () => {
    const image = await readImageFile(await file('grey.JPEG', GREY_JPEG));
    expect(image).toMatchObject({ width: 16, height: 8, channels: 1 });
    const worst = Math.max(...image.data.map((v, i) => Math.abs(v - GREY_JPEG_PILLOW[i]!)));
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('bad files are FormatErrors naming the file', () => {
  it('corrupt and truncated PNGs', async () => {
    const good = pngBytes(8, 8, 2, ramp(8 * 8 * 3));
    const badCrc = good.slice();
    badCrc[good.length - 20]! ^= 0xff; // inside the IDAT chunk
    expect((await rejection(await file('crc.png', badCrc))).message).toMatch(/corrupt or unsupported PNG/);
    await rejection(await file('cut.png', good.subarray(0, good.length - 30)));
    await rejection(await file('header-only.png', good.subarray(0, 20)));
  });

  it('corrupt and truncated JPEGs', async () => {
    const good = jpegBytes(16, 16, ramp(16 * 16 * 3));
    await rejection(await file('cut.jpg', good.subarray(0, good.length >> 1)));
    await rejection(await file('sof-only.jpg', good.subarray(0, 4)));
    const noise = good.slice();
    noise.fill(0x5a, 200, 300); // tables and entropy data garbled
    await rejection(await file('garbled.jpg', noise));
  });

  it('files that are neither PNG nor JPEG', async () => {
    const error = await rejection(await file('text.png', new TextEncoder().encode('not an image')));
    expect(error.message).toMatch(/not a PNG or JPEG/);
  });

  it(`images over ${MAX_IMAGE_SIDE} px a side, from their headers`, async () => {
    const wide = await rejection(await file('wide.png', pngHeader(MAX_IMAGE_SIDE + 1, 1)));
    expect(wide.message).toMatch(/16385 x 1, larger than 16384 px a side/);
    // SOI, then a baseline frame header (length 17, 8-bit, height 1, width 16385, 3 components)
    const sof = Uint8Array.of(
      0xff,
      0xd8,
      0xff,
      0xc0,
      0,
      17,
      8,
      0,
      1,
      0x40,
      0x01,
      3,
      1,
      0x11,
      0,
      2,
      0x11,
      1,
      3,
      0x11,
      1,
    );
    expect((await rejection(await file('wide.jpg', sof))).message).toMatch(/16385 x 1, larger than 16384 px a side/);
  });

  it(`files over ${MAX_IMAGE_FILE_BYTES / 2 ** 20} MiB, before reading them`, async () => {
    const path = await file('huge.png', pngHeader(8, 8));
    await truncate(path, MAX_IMAGE_FILE_BYTES + 1); // sparse
    expect((await rejection(path)).message).toMatch(/67,108,865 bytes, more than the 67,108,864 bytes read/);
  });

  it('unsupported JPEG codings', async () => {
    const arithmetic = Uint8Array.of(0xff, 0xd8, 0xff, 0xc9, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0);
    expect((await rejection(await file('arith.jpg', arithmetic))).message).toMatch(/arithmetic-coded/);
  });

  it('headers claiming more pixels than the file can hold, before decoding (issue 13)', () => {
    // a 69-byte PNG of 16384 x 16384 RGBA: pngjs took 20 s and 3 GB to accept it
    const idat = pngChunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(100))));
    const png = new Uint8Array(
      Buffer.concat([pngHeader(16384, 16384, 8, 6), idat, pngChunk('IEND', new Uint8Array(0))]),
    );
    expect(formatError(() => decodeImage(png, 'big.png')).message).toBe(
      'big.png: PNG of 16384 x 16384 needs 1,073,741,824 bytes of image data, more than its 69 bytes can hold ' +
        '(truncated or corrupt)',
    );
    // a 23-byte JPEG frame of 16384 x 16384: jpeg-js took 200 s and 8 GB to reject it
    const sof = [0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x40, 0, 0x40, 0, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1];
    const jpg = Uint8Array.from([...sof, 0xff, 0xd9]);
    expect(formatError(() => decodeImage(jpg, 'big.jpg')).message).toBe(
      'big.jpg: JPEG of 16384 x 16384 has 4194304 blocks to code, more than its 23 bytes can hold (truncated or corrupt)',
    );
  });
});

describe('readImageFolder', () => {
  let root: string;
  let folder: ImageFolder;
  beforeAll(async () => {
    root = join(dir, 'folder');
    const grey = pngBytes(3, 2, 0, ramp(6));
    await writeBytes(join(root, 'zebra', 'b.png'), pngBytes(2, 2, 2, ramp(12)));
    await writeBytes(join(root, 'zebra', 'a.jpg'), jpegBytes(8, 8, ramp(8 * 8 * 3, 0, 1)));
    await writeBytes(join(root, 'cat', 'x.PNG'), grey);
    await writeBytes(join(root, 'cat', 'notes.txt'), new TextEncoder().encode('ignored'));
    await writeBytes(join(root, 'cat', 'deeper', 'y.jpeg'), GREY_JPEG);
    await writeBytes(join(root, 'cat', '.hidden.png'), new Uint8Array(3)); // skipped: would not decode
    await writeBytes(join(root, '.cache', 'z.png'), grey);
    await writeBytes(join(root, 'loose.png'), grey);
    await symlink(join(root, 'cat'), join(root, 'cat', 'deeper', 'loop')); // a cycle, read once
    folder = await readImageFolder(root);
  });

  it('labels are the sorted sub-folders; images are their image files at any depth, by name', () => {
    expect(folder.labels).toEqual(['cat', 'zebra']);
    const names = ['cat/x.PNG', 'cat/deeper/y.jpeg', 'zebra/a.jpg', 'zebra/b.png'];
    expect(folder.files).toEqual(names.map((n) => join(root, ...n.split('/'))));
    expect([...folder.labelIndex]).toEqual([0, 0, 1, 1]);
    expect(folder.labelIndex).toBeInstanceOf(Uint16Array);
    expect(folder.images.map((i) => [i.width, i.height, i.channels])).toEqual([
      [3, 2, 1],
      [16, 8, 1],
      [8, 8, 3],
      [2, 2, 3],
    ]);
  });

  it('map is applied to each image as it is decoded', async () => {
    const seen: string[] = [];
    const mapped = await readImageFolder(root, {
      map: (image, path) => {
        seen.push(path);
        return { width: 1, height: 1, channels: 1, data: Uint8Array.of(image.width) };
      },
    });
    expect(seen).toEqual(folder.files);
    expect(mapped.images.map((i) => i.data[0])).toEqual([3, 16, 8, 2]);
  });

  it('a bad image names its file; an empty label folder names the folder; a missing folder is an argument error', async () => {
    const bad = join(dir, 'bad');
    await writeBytes(join(bad, 'a', 'ok.png'), pngBytes(1, 1, 0, Uint8Array.of(7)));
    await writeBytes(join(bad, 'b', 'broken.jpg'), Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 2));
    await expect(readImageFolder(bad)).rejects.toThrow(`${join(bad, 'b', 'broken.jpg')}: `);
    await writeBytes(join(bad, 'c', 'readme.txt'), Uint8Array.of(1));
    await rm(join(bad, 'b'), { recursive: true });
    await expect(readImageFolder(bad)).rejects.toThrow(`${join(bad, 'c')}: label folder holds no`);
    await expect(readImageFolder(join(dir, 'absent'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await writeFile(join(dir, 'plain'), 'x');
    await expect(readImageFolder(join(dir, 'plain'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(readImageFolder(join(bad, 'c'))).rejects.toThrow(/has no sub-folders/);
  });
});
