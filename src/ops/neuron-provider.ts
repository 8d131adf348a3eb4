// Where the spiking OpSet gets its fitted neurons: the shipped table when an entry covers the request,
// otherwise a fit on demand, cached by (function, domain, N, T) and the fitter's version and settings. A cache
// can be persisted (the Node CLI keeps one on disk), so a domain is fitted once per machine.
import type { Kernels } from '../kernels/index.js';
import type { NeuronEntry } from '../neurons/entry.js';
import { fitNeuron, fitSettingsKey, type FitRequest } from '../neurons/fit/fit-neuron.js';
import type { InputDistribution } from '../neurons/fit/samples.js';
import { findShippedNeuron } from '../neurons/table.js';
import type { TargetName } from '../neurons/targets.js';

export interface NeuronRequest {
  readonly target: TargetName;
  readonly N: number;
  readonly T: number;
  readonly domain: readonly [number, number];
  /** Fit with half the samples drawn from where the inputs are (FitRequest.distribution); never a table entry. */
  readonly distribution?: InputDistribution;
}

/** Storage for fitted entries, keyed by `neuronKey` and the fitter's settings (`fitSettingsKey`). */
export interface NeuronCache {
  get(key: string): NeuronEntry | undefined;
  set(key: string, entry: NeuronEntry): void;
}

export function neuronKey(request: NeuronRequest): string {
  const key = `${request.target}/N${request.N}/T${request.T}/[${request.domain[0]},${request.domain[1]}]`;
  return request.distribution ? `${key}/inputs:${distributionDigest(request.distribution)}` : key;
}

/** FNV-1a (64-bit) of the values and weights as float64: one key per distribution. */
export function distributionDigest({ x, weight }: InputDistribution): string {
  const bytes = new Uint8Array(new Float64Array([...Array.from(x), ...Array.from(weight)]).buffer);
  const [prime, mask] = [0x100000001b3n, (1n << 64n) - 1n];
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  return hash.toString(16).padStart(16, '0');
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
    const { target, T, N, domain } = request;
    const shipped = request.distribution ? undefined : findShippedNeuron({ target, T, N, domain });
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
