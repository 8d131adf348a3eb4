// A neuron cache on disk, so a domain is fitted once per machine: one JSON file per neuron under
// $XDG_CACHE_HOME/mbe-snn/<version>/neurons (or ~/.cache/...). A file that fails to parse is refitted.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NeuronEntry } from '../neurons/entry.js';
import { checkNeuron } from '../neurons/neuron.js';
import type { NeuronCache } from '../ops/neuron-provider.js';
import { VERSION } from '../version.js';

export function diskNeuronCache(dir = defaultCacheDir()): NeuronCache {
  const file = (key: string) => join(dir, `${key.replace(/[^A-Za-z0-9_.,-]+/g, '_')}.json`);
  return {
    get(key) {
      try {
        const entry = JSON.parse(readFileSync(file(key), 'utf8')) as NeuronEntry;
        checkNeuron(entry.neuron);
        return entry;
      } catch {
        return undefined;
      }
    },
    set(key, entry) {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file(key), JSON.stringify(entry));
      } catch {
        // A read-only home only costs refits.
      }
    },
  };
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'mbe-snn', VERSION, 'neurons');
}
