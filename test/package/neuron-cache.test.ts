// The neuron cache: keyed by the request and the fitter's version and settings, so a neuron fitted with other
// settings (or by another fitter) is never handed out; on disk, a file whose stored key differs is refitted.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, diskNeuronCache } from '../../src/cli/neuron-cache.js';
import { Kernels } from '../../src/kernels/index.js';
import type { NeuronEntry } from '../../src/neurons/entry.js';
import { FITTER_VERSION, fitSettingsKey } from '../../src/neurons/fit/fit-neuron.js';
import { NeuronProvider, type NeuronCache } from '../../src/ops/neuron-provider.js';

const TINY_FIT = { epochs: 2, seeds: 1, phases: 1, samples: 64 } as const;
// a domain no shipped entry covers, so every request goes to the cache or the fitter
const REQUEST = { target: 'gelu', N: 2, T: 4, domain: [-3, 3] } as const;

/** An in-memory cache that records the keys it is asked for. */
function recordingCache(): NeuronCache & { gets: string[]; sets: string[] } {
  const map = new Map<string, NeuronEntry>();
  const gets: string[] = [];
  const sets: string[] = [];
  return {
    gets,
    sets,
    get: (key) => (gets.push(key), map.get(key)),
    set: (key, entry) => void (sets.push(key), map.set(key, entry)),
  };
}

describe('neuron cache keys', () => {
  let kernels: Kernels;
  beforeAll(async () => {
    kernels = await Kernels.load();
  });

  it('name the fitter version and every resolved setting', () => {
    expect(fitSettingsKey({})).toBe(
      `fitter${FITTER_VERSION},mbe,seeds=3,epochs=900,learningRate=0.05,lrDecay=0.995,phases=3,samples=10000,sampleSeed=1`,
    );
    expect(fitSettingsKey({ epochs: 900 })).toBe(fitSettingsKey({})); // a default given explicitly is the default
    expect(fitSettingsKey(TINY_FIT)).toContain('seeds=1,epochs=2,');
  });

  it('a fit with other settings is not reused from the cache; the same settings are', () => {
    const cache = recordingCache();
    const tiny = new NeuronProvider(kernels, { cache, fit: TINY_FIT });
    const entry = tiny.get(REQUEST);
    expect(tiny.used.get('gelu/N2/T4/[-3,3]')?.source).toBe('fitted');
    expect(cache.sets).toEqual([`gelu/N2/T4/[-3,3]/${fitSettingsKey(TINY_FIT)}`]);

    const again = new NeuronProvider(kernels, { cache, fit: TINY_FIT });
    expect(again.get(REQUEST)).toBe(entry);
    expect(again.used.get('gelu/N2/T4/[-3,3]')?.source).toBe('cache');

    const other = new NeuronProvider(kernels, { cache, fit: { ...TINY_FIT, epochs: 3 } });
    expect(other.get(REQUEST)).not.toBe(entry);
    expect(other.used.get('gelu/N2/T4/[-3,3]')?.source).toBe('fitted');
    expect(cache.sets).toHaveLength(2);
  });

  it('a fit on an input distribution is never a table entry, and each distribution is its own neuron', () => {
    const cache = recordingCache();
    const provider = new NeuronProvider(kernels, { cache, fit: TINY_FIT });
    // silu N=4 T=8 on its default domain is in the shipped table: without a distribution it comes from there
    const shipped = { target: 'silu', N: 4, T: 8, domain: [-8, 8] } as const;
    provider.get(shipped);
    expect(provider.used.get('silu/N4/T8/[-8,8]')?.source).toBe('table');
    const near0 = { x: [-0.5, 0, 0.5], weight: [1, 2, 1] };
    const wide = { x: [-4, 0, 4], weight: [1, 2, 1] };
    const a = provider.get({ ...shipped, distribution: near0 });
    const b = provider.get({ ...shipped, distribution: wide });
    expect(a.fit?.fromDistribution).toBe(32);
    expect(b).not.toBe(a);
    const keys = [...provider.used.keys()].filter((k) => k.includes('/inputs:'));
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => provider.used.get(k)?.source === 'fitted')).toBe(true);
    expect(cache.sets.every((k) => /^silu\/N4\/T8\/\[-8,8\]\/inputs:[0-9a-f]{16}\/fitter/.test(k))).toBe(true);
    // the same distribution again (a copy) is the cached neuron
    const again = new NeuronProvider(kernels, { cache, fit: TINY_FIT });
    expect(again.get({ ...shipped, distribution: { x: [...near0.x], weight: [...near0.weight] } })).toBe(a);
  });
});

describe('the disk cache', () => {
  let home = '';
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'mbe-snn-neuron-cache-'));
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('round-trips an entry under its key, and refuses a file whose stored key or neuron is wrong', async () => {
    const kernels = await Kernels.load();
    const dir = defaultCacheDir(home);
    expect(dir).toBe(join(home, 'mbe-snn', 'neurons'));
    const disk = diskNeuronCache(dir);
    const provider = new NeuronProvider(kernels, { cache: disk, fit: TINY_FIT });
    const entry = provider.get(REQUEST);
    const key = `gelu/N2/T4/[-3,3]/${fitSettingsKey(TINY_FIT)}`;
    expect(disk.get(key)).toEqual(entry);
    expect(disk.get(`gelu/N2/T4/[-3,3]/${fitSettingsKey({})}`)).toBeUndefined();

    const [name] = await readdir(dir);
    const path = join(dir, name!);
    const stored = JSON.parse(await readFile(path, 'utf8')) as { key: string; entry: NeuronEntry };
    expect(stored.key).toBe(key);
    // a file written for another key (a hash collision, a hand copy) is not this key's neuron
    await writeFile(path, JSON.stringify({ ...stored, key: `${key}x` }));
    expect(disk.get(key)).toBeUndefined();
    await writeFile(path, JSON.stringify({ key, entry: { ...stored.entry, neuron: { kind: 'mbe', N: 0 } } }));
    expect(disk.get(key)).toBeUndefined();
    await writeFile(path, '{ truncated');
    expect(disk.get(key)).toBeUndefined();
  });
});
