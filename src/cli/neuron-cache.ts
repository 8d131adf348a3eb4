// A neuron cache on disk, so a domain is fitted once per machine: one JSON file per neuron under
// $XDG_CACHE_HOME/mbe-snn/neurons (or ~/.cache/...). The key (function, N, T, domain, and the fitter's version
// and settings) is stored in the file too and must match; a file that fails to parse or check is refitted.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NeuronEntry } from '../neurons/entry.js';
import { checkNeuron } from '../neurons/neuron.js';
import type { NeuronCache } from '../ops/neuron-provider.js';

interface CachedNeuron {
  readonly key: string;
  readonly entry: NeuronEntry;
}

export function diskNeuronCache(dir = defaultCacheDir()): NeuronCache {
  // readable names, and a hash so that keys differing only in characters the file system cannot take stay apart
  const file = (key: string) => {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
    return join(dir, `${key.replace(/[^A-Za-z0-9_.,-]+/g, '_').slice(0, 120)}-${hash}.json`);
  };
  return {
    get(key) {
      try {
        const cached = JSON.parse(readFileSync(file(key), 'utf8')) as CachedNeuron;
        if (cached.key !== key) return undefined;
        checkNeuron(cached.entry.neuron);
        return cached.entry;
      } catch {
        return undefined;
      }
    },
    set(key, entry) {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file(key), JSON.stringify({ key, entry } satisfies CachedNeuron));
      } catch {
        // A read-only home only costs refits.
      }
    },
  };
}

/** The cache folder under a cache home ($XDG_CACHE_HOME, else ~/.cache). */
export function defaultCacheDir(cacheHome = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache')): string {
  return join(cacheHome, 'mbe-snn', 'neurons');
}
