import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FormatError, InvalidArgumentError } from '../../src/errors.js';
import { fsError } from '../../src/io/node/fs-errors.js';
import { readModelFolder } from '../../src/io/node/folder.js';
import { readImageFolder } from '../../src/io/node/images.js';
import { fixturesDir, loadLlama2c, loadMnist, MAX_FILE_BYTES, readFileBytes } from '../../src/io/node/files.js';
import { idxFile as idx } from '../helpers/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'mbe-snn-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  it('maps every file-system error to an InvalidArgumentError naming the path and the reason (issue 13)', async () => {
    const file = join(dir, 'plain.bin');
    writeFileSync(file, 'x');
    const cases: [string, string][] = [
      [join(file, 'below'), 'a part of the path is not a folder'], // ENOTDIR
      [join(dir, 'x'.repeat(5000)), 'the path is too long'], // ENAMETOOLONG
      [`${dir}/a\u0000b`, 'the path must be a string without NUL characters'],
    ];
    for (const [path, reason] of cases) {
      const error = await readFileBytes(path).catch((e: unknown) => e);
      expect(error, path.slice(-20)).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toContain(reason);
      expect((error as Error).message.length).toBeLessThan(500);
      expect((error as Error).message).not.toMatch(/\p{Cc}/u);
    }
  });

  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')('names a file it may not read', async () => {
    const secret = join(dir, 'secret.bin');
    writeFileSync(secret, 'x');
    chmodSync(secret, 0);
    await expect(readFileBytes(secret)).rejects.toThrow(`${secret}: permission denied`);
  });

  it.skipIf(process.platform === 'win32')('refuses devices and pipes without reading them (issue 13)', async () => {
    await expect(readFileBytes('/dev/zero')).rejects.toThrow(
      '/dev/zero: is not a regular file (a device, pipe or socket), expected a file',
    );
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // no writer ever opens it: a blocking open would wait forever
    await expect(readFileBytes(fifo)).rejects.toThrow(`${fifo}: is not a regular file`);
  });

  it('refuses a file over 2 GiB from its size, before reading (issue 13)', async () => {
    const huge = join(dir, 'huge.bin');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_FILE_BYTES + 1); // sparse
    await expect(readFileBytes(huge)).rejects.toThrow(
      `${huge}: file is 2,147,483,649 bytes, over the 2,147,483,648 bytes limit of a file read`,
    );
    await expect(readFileBytes(join(dir, 'three.bin'), { maxBytes: 2 })).rejects.toThrow('over the 2 bytes limit');
  });

  it('names the reason for any error code, known or not', () => {
    const error = (code: string) => Object.assign(new Error(`${code}: something`), { code });
    expect(fsError('/p', error('EACCES')).message).toBe('/p: permission denied');
    expect(fsError('/p', error('ENOENT'), 'folder').message).toBe('/p: no such folder');
    expect(fsError('/p', error('EWEIRD'))).toBeInstanceOf(InvalidArgumentError);
    expect(fsError('/p', error('EWEIRD')).message).toBe('/p: cannot be read (EWEIRD: EWEIRD: something)');
    expect(fsError('/p', 'not an error').message).toBe('/p: cannot be read (not an error)');
  });

  it('the folder readers map file-system errors too (issue 13)', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    for (const read of [readModelFolder, readImageFolder]) {
      await expect(read(join(file, 'below'))).rejects.toThrow(
        `${join(file, 'below')}: a part of the path is not a folder`,
      );
      await expect(read(join(dir, 'none'))).rejects.toThrow(`${join(dir, 'none')}: no such folder`);
    }
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
