// Where the spiking OpSet gets its fitted neurons: the shipped table when an entry covers the request,
// otherwise a fit on demand, cached by (function, domain, N, T) and the fitter's version and settings. A cache
// can be persisted (the Node CLI keeps one on disk), so a domain is fitted once per machine.
import type { Kernels } from '../kernels/index.js';
import type { NeuronEntry } from '../neurons/entry.js';
import { fitNeuron, fitSettingsKey, type FitRequest } from '../neurons/fit/fit-neuron.js';
import { findShippedNeuron } from '../neurons/table.js';
import type { TargetName } from '../neurons/targets.js';

export interface NeuronRequest {
  readonly target: TargetName;
  readonly N: number;
  readonly T: number;
  readonly domain: readonly [number, number];
}

/** Storage for fitted entries, keyed by `neuronKey` and the fitter's settings (`fitSettingsKey`). */
export interface NeuronCache {
  get(key: string): NeuronEntry | undefined;
  set(key: string, entry: NeuronEntry): void;
}

export function neuronKey(request: NeuronRequest): string {
  return `${request.target}/N${request.N}/T${request.T}/[${request.domain[0]},${request.domain[1]}]`;
}

/** An in-memory cache (the default). */
export function memoryNeuronCache(): NeuronCache {
  const map = new Map<string, NeuronEntry>();
  return { get: (key) => map.get(key), set: (key, entry) => void map.set(key, entry) };
}

export interface NeuronProviderOptions {
  readonly cache?: NeuronCache;
  /** Settings for on-demand fits (default: the fitter's defaults). */
  readonly fit?: Omit<FitRequest, 'target' | 'T' | 'N' | 'domain' | 'variant'>;
  /** Called when a neuron has to be fitted (fits take seconds), e.g. to show progress. */
  readonly onFit?: (request: NeuronRequest) => void;
}

export class NeuronProvider {
  private readonly cache: NeuronCache;
  /** Entries handed out, by key: what a conversion report lists. */
  readonly used = new Map<string, { entry: NeuronEntry; source: 'table' | 'cache' | 'fitted' }>();

  constructor(
    private readonly kernels: Kernels,
    private readonly options: NeuronProviderOptions = {},
  ) {
    this.cache = options.cache ?? memoryNeuronCache();
  }

  get(request: NeuronRequest): NeuronEntry {
    const key = neuronKey(request);
    const seen = this.used.get(key);
    if (seen) return seen.entry;
    const shipped = findShippedNeuron({ target: request.target, T: request.T, N: request.N, domain: request.domain });
    if (shipped) return this.remember(key, shipped, 'table');
    // a fit with other settings (or by another fitter version) is another neuron
    const cacheKey = `${key}/${fitSettingsKey(this.options.fit ?? {})}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return this.remember(key, cached, 'cache');
    this.options.onFit?.(request);
    const { entry } = fitNeuron(this.kernels, { ...this.options.fit, ...request });
    this.cache.set(cacheKey, entry);
    return this.remember(key, entry, 'fitted');
  }

  private remember(key: string, entry: NeuronEntry, source: 'table' | 'cache' | 'fitted'): NeuronEntry {
    this.used.set(key, { entry, source });
    return entry;
  }
}
