import { describe, expect, it } from 'vitest';
import { llama2cFileSize, parseLlama2c, parseLlama2cConfig } from '../../src/io/llama2c.js';
import { loadLlama2c } from '../../src/io/node/files.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import { formatError } from '../helpers/format-error.js';

// dim 4, hidden 6, 2 layers, 2 heads of size 2, 1 kv head, vocab 5, seq 3
const HEADER = [4, 6, 2, 2, 1, 5, 3];
// floats in file order: embedding 20, rms_att 8, wq 32, wk 16, wv 16, wo 32, rms_ffn 8, w1 48, w2 48, w3 48,
// rms_final 4, freq_cis 3 + 3
const SHARED_FLOATS = 286;

function withField(header: readonly number[], i: number, value: number): number[] {
  return header.map((v, j) => (j === i ? value : v));
}

/** A checkpoint whose k-th float is k, optionally placed `shift` bytes into a larger buffer. */
function checkpoint(header: readonly number[], floats: number, shift = 0): Uint8Array {
  const buffer = new ArrayBuffer(shift + 4 * (header.length + floats));
  const view = new DataView(buffer, shift);
  header.forEach((v, i) => view.setInt32(4 * i, v, true));
  for (let k = 0; k < floats; k++) view.setFloat32(4 * (header.length + k), k, true);
  return new Uint8Array(buffer, shift);
}

describe('parseLlama2c', () => {
  it('reads the header and maps every tensor at its run.c offset', () => {
    const { config, weights: w, parameterCount } = parseLlama2c(checkpoint(HEADER, SHARED_FLOATS), 'tiny.bin');
    expect(config).toEqual({
      dim: 4,
      hiddenDim: 6,
      nLayers: 2,
      nHeads: 2,
      nKvHeads: 1,
      vocabSize: 5,
      seqLen: 3,
      headSize: 2,
      kvDim: 2,
      sharedClassifier: true,
    });
    const starts = [w.tokenEmbedding, w.rmsAtt, w.wq, w.wk, w.wv, w.wo, w.rmsFfn, w.w1, w.w2, w.w3, w.rmsFinal];
    expect(starts.map((t) => t[0])).toEqual([0, 20, 28, 60, 76, 92, 124, 132, 180, 228, 276]);
    expect(starts.map((t) => t.length)).toEqual([20, 8, 32, 16, 16, 32, 8, 48, 48, 48, 4]);
    expect(w.wcls).toBe(w.tokenEmbedding);
    expect(parameterCount).toBe(280);
    expect(llama2cFileSize(config)).toBe(28 + 4 * SHARED_FLOATS);
  });

  it('reads an unshared classifier after the legacy RoPE tables', () => {
    const header = withField(HEADER, 5, -5);
    const { config, weights, parameterCount } = parseLlama2c(checkpoint(header, SHARED_FLOATS + 20));
    expect(config.sharedClassifier).toBe(false);
    expect(config.vocabSize).toBe(5);
    expect(weights.wcls.length).toBe(20);
    expect(weights.wcls[0]).toBe(286);
    expect(parameterCount).toBe(300);
  });

  it('aliases aligned input and copies unaligned input', () => {
    const aligned = checkpoint(HEADER, SHARED_FLOATS);
    expect(parseLlama2c(aligned).weights.wq.buffer).toBe(aligned.buffer);
    const unaligned = checkpoint(HEADER, SHARED_FLOATS, 1);
    const w = parseLlama2c(unaligned).weights;
    expect(w.wq.buffer).not.toBe(unaligned.buffer);
    expect(Array.from(w.wq.subarray(0, 3))).toEqual([28, 29, 30]);
    expect(parseLlama2c(unaligned.slice().buffer).weights.w2[0]).toBe(180);
  });

  it('rejects a file shorter than the header', () => {
    const e = formatError(() => parseLlama2cConfig(new Uint8Array(27), 'short.bin'));
    expect(e.message).toBe('short.bin: file is 27 bytes, shorter than the 28-byte llama2.c header');
    expect(e.code).toBe('ERR_FORMAT');
  });

  it.each([
    [0, 0, 'dim = 0'],
    [1, -6, 'hidden_dim = -6'],
    [2, 0, 'n_layers = 0'],
    [3, 0, 'n_heads = 0'],
    [4, -1, 'n_kv_heads = -1'],
    [5, 0, 'vocab_size = 0'],
    [6, 0, 'seq_len = 0'],
  ])('rejects header field %i = %i', (field, value, text) => {
    const e = formatError(() => parseLlama2c(checkpoint(withField(HEADER, field, value), SHARED_FLOATS), 'bad.bin'));
    expect(e.message).toContain(text);
    expect(e.message).toContain('expected a positive integer');
    expect(e.offset).toBe(4 * field);
  });

  it('rejects inconsistent head counts', () => {
    const dims = formatError(() => parseLlama2cConfig(checkpoint([6, 6, 1, 4, 1, 5, 3], 0)));
    expect(dims.message).toContain('dim = 6 is not divisible by n_heads = 4');
    const kv = formatError(() => parseLlama2cConfig(checkpoint([8, 6, 1, 4, 3, 5, 3], 0)));
    expect(kv.message).toContain('n_heads = 4 is not divisible by n_kv_heads = 3');
    const odd = formatError(() => parseLlama2cConfig(checkpoint([6, 6, 1, 2, 1, 5, 3], 0)));
    expect(odd.message).toContain('head_size = dim / n_heads = 3 is odd');
  });

  it('names the tensor a truncated file ends in, and the expected size', () => {
    const e = formatError(() => parseLlama2c(checkpoint(HEADER, 70), 'cut.bin'));
    expect(e.message).toBe(
      'cut.bin at byte 268: truncated in wk (16 floats from byte 268): the file is 308 bytes, ' +
        'the header implies 1,172 bytes',
    );
    const inRope = formatError(() => parseLlama2c(checkpoint(HEADER, 284)));
    expect(inRope.message).toContain('truncated in freq_cis_imag');
    const inCls = formatError(() => parseLlama2c(checkpoint(withField(HEADER, 5, -5), SHARED_FLOATS + 19)));
    expect(inCls.message).toContain('truncated in wcls');
  });

  it('rejects trailing bytes, naming their size', () => {
    const bytes = new Uint8Array(28 + 4 * SHARED_FLOATS + 6);
    bytes.set(checkpoint(HEADER, SHARED_FLOATS));
    const e = formatError(() => parseLlama2c(bytes, 'long.bin'));
    expect(e.message).toContain('6 bytes of trailing data: the file is 1,178 bytes, the header implies 1,172 bytes');
    expect(e.offset).toBe(1172);
  });

  it('points a versioned export to --version 0', () => {
    const e = formatError(() => parseLlama2c(checkpoint([0x616b3432, 1, 0, 0, 0, 0, 0], 0)));
    expect(e.message).toContain('versioned llama2.c export (version 1)');
  });
});

describeFixtures('stories260K.bin (real checkpoint)', () => {
  it('loads with the header of the fixtures README and 260,032 parameters', async () => {
    const { config, weights, parameterCount } = await loadLlama2c(fixture('llama2c', 'stories260K.bin'));
    expect(config).toMatchObject({
      dim: 64,
      hiddenDim: 172,
      nLayers: 5,
      nHeads: 8,
      nKvHeads: 4,
      vocabSize: 512,
      seqLen: 512,
      headSize: 8,
      kvDim: 32,
      sharedClassifier: true,
    });
    expect(parameterCount).toBe(260_032);
    expect(llama2cFileSize(config)).toBe(1_056_540);
    expect(weights.wk.length).toBe(5 * 32 * 64);
    expect(weights.w2.length).toBe(5 * 64 * 172);
    expect(weights.wcls).toBe(weights.tokenEmbedding);
    for (const w of Object.values(weights)) expect(w.every(Number.isFinite)).toBe(true);
  });
});
