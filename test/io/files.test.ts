import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FormatError, InvalidArgumentError } from '../../src/errors.js';
import { fixturesDir, loadLlama2c, loadMnist, readFileBytes } from '../../src/io/node/files.js';

const dir = mkdtempSync(join(tmpdir(), 'mbe-snn-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idx(magic: number, dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + dims.reduce((p, d) => p * d, 1));
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

describe('readFileBytes', () => {
  it('returns a plain Uint8Array of the file', async () => {
    const path = join(dir, 'three.bin');
    writeFileSync(path, Uint8Array.of(1, 2, 3));
    const bytes = await readFileBytes(path);
    expect(bytes.constructor).toBe(Uint8Array);
    expect(Array.from(bytes)).toEqual([1, 2, 3]);
  });

  it('names a missing path or a directory', async () => {
    const missing = join(dir, 'nope.bin');
    await expect(readFileBytes(missing)).rejects.toThrow(InvalidArgumentError);
    await expect(readFileBytes(missing)).rejects.toThrow(`${missing}: no such file`);
    await expect(readFileBytes(dir)).rejects.toThrow(`${dir}: is a directory, expected a file`);
    await expect(loadLlama2c(missing)).rejects.toThrow(`${missing}: no such file`);
  });

  it('passes the path to the parsers for their messages', async () => {
    const path = join(dir, 'short.bin');
    writeFileSync(path, new Uint8Array(10));
    await expect(loadLlama2c(path)).rejects.toThrow(`${path}: file is 10 bytes, shorter than the 28-byte`);
  });
});

describe('loadMnist', () => {
  it('rejects image and label files of different counts', async () => {
    const images = join(dir, 'images.gz');
    const labels = join(dir, 'labels.gz');
    writeFileSync(images, gzipSync(idx(0x803, [3, 2, 2])));
    writeFileSync(labels, gzipSync(idx(0x801, [2])));
    await expect(loadMnist(images, labels)).rejects.toThrow(FormatError);
    await expect(loadMnist(images, labels)).rejects.toThrow(`${labels}: holds 2 labels but ${images} holds 3 images`);
    writeFileSync(labels, gzipSync(idx(0x801, [3])));
    expect(await loadMnist(images, labels)).toMatchObject({ count: 3, rows: 2, cols: 2 });
  });
});

describe('fixturesDir', () => {
  it('prefers MBE_SNN_FIXTURES when that folder exists, and is undefined when it does not', () => {
    const folder = join(dir, 'fixtures');
    mkdirSync(folder);
    vi.stubEnv('MBE_SNN_FIXTURES', folder);
    try {
      expect(fixturesDir()).toBe(folder);
      vi.stubEnv('MBE_SNN_FIXTURES', join(dir, 'absent'));
      expect(fixturesDir()).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
