// Command-line options shared by eval, sweep and generate: which architecture (a registry entry), its files,
// the task's data, and how to convert it.
import type { ParseArgsConfig } from 'node:util';
import type { WeightOptions } from '../io/finite.js';
import { Kernels, MAX_THREADS, type PackedDtype } from '../kernels/index.js';
import { describeValue } from '../describe.js';
import { ARCHITECTURES, type ArchitectureEntry } from '../models/registry.js';
import { OP_FAMILIES, type OpFamily } from '../ops/instrumentation.js';
import { NeuronProvider } from '../ops/neuron-provider.js';
import type { SpikingOptions } from '../ops/spiking/options.js';
import type { SlidingWindowOptions } from '../tasks/language-model.js';
import { intOption, positiveOption } from './args.js';
import { UsageError } from './command.js';
import { diskNeuronCache } from './neuron-cache.js';

export const MODEL_OPTIONS = {
  checkpoint: { type: 'string' },
  tokenizer: { type: 'string' },
  text: { type: 'string' },
  model: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
  tsv: { type: 'string' },
  ids: { type: 'string' },
  sentences: { type: 'string' },
  N: { type: 'string' },
  'operator-N': { type: 'string' },
  mode: { type: 'string' },
  ranges: { type: 'string' },
  code: { type: 'string' },
  rounding: { type: 'string' },
  'identity-range': { type: 'string' },
  'activation-fit': { type: 'string' },
  weights: { type: 'string' },
  threads: { type: 'string' },
  'site-T': { type: 'string' },
  'no-encode-linear': { type: 'boolean' },
  float: { type: 'string' },
  margin: { type: 'string' },
  'spike-cost': { type: 'string' },
  'no-cache': { type: 'boolean' },
  'quick-fits': { type: 'boolean' },
  'allow-non-finite': { type: 'boolean' },
  T: { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const fileHelp = (entry: ArchitectureEntry) => entry.files.map((f) => `--${f.role} <${f.description}>`).join(' ');

/** The data files the fixtures hold for a task, by option: the defaults when the option is not given. */
export const TASK_DATA = {
  'causal-lm': [
    {
      option: 'text',
      description: 'text file of blank-line-separated paragraphs',
      fixture: ['text', 'tinystories_valid_part1.txt'],
    },
  ],
  'image-classifier': [
    { option: 'images', description: 'IDX images (.gz)', fixture: ['mnist', 't10k-0-5000-images-idx3-ubyte.gz'] },
    { option: 'labels', description: 'IDX labels (.gz)', fixture: ['mnist', 't10k-0-5000-labels-idx1-ubyte.gz'] },
  ],
  'sequence-classifier': [],
  'sequence-encoder': [],
} as const;

/** The data options of every task (text needs the model's tokenizer; token ids do not). */
export const DATA_HELP = `Data (text needs the model's tokenizer files; token ids do not):
  causal LMs             --text <file>       blank-line-separated paragraphs (default: the fixtures' TinyStories)
                         --ids <file>        token ids, whitespace-separated, one sequence a line
  image classifiers      --images <file>     IDX images (.gz) and --labels <file> IDX labels (default: MNIST)
  sequence classifiers   --tsv <file>        sentence<TAB>label rows, as SST-2's dev.tsv (header optional;
                                             labels are indices or the model's label names)
                         --ids <file>        token ids<TAB>label rows
  sequence encoders      --sentences <file>  one sentence a line
                         --text <file>       blank-line-separated paragraphs
                         --ids <file>        token ids, whitespace-separated, one sequence a line`;

export const MODEL_OPTIONS_HELP = `Models (the registry's architectures; files default to the fixtures in ../shared/fixtures or $MBE_SNN_FIXTURES):
${ARCHITECTURES.map((a) => `  ${a.name.padEnd(16)} ${a.summary}${a.folder ? ' (give the folder path)' : `\n                   ${fileHelp(a)}`}`).join('\n')}
${DATA_HELP}
Conversion:
  --N <1..8>               bases of activation neurons (default 4)
  --operator-N <1..8>      bases of the exp2, 1/x and 1/sqrt(x) neurons (default 8)
  --mode <m>               equivalent (default) | spike-driven
  --ranges <r>             static (default, from calibration) | dynamic
  --code <c>               identity codes as binary digits (default) | signed-digit (non-adjacent form on a
                           polarity pair: the same values with fewer spikes)
  --rounding <r>           identity codes round to nearest (default) | floor (the paper's code)
  --identity-range <r>     static ranges: mse (default, least coding error on the calibrated histogram) | max |
                           power-of-two (the paper's: the power of two at or above the largest magnitude)
  --activation-fit <f>     activation neurons fitted uniform on their domains (default; from the shipped table) |
                           calibrated (half the samples from each site's calibrated inputs; fitted per site)
  --weights <w>            f32 (default) | bf16: both models hold linear and convolution weights as bf16 (half the
                           memory, rounded to nearest once, widened exactly in the gemm kernel)
  --threads <1..64>        threads for the gemm and membrane kernels (default 1, or $MBE_SNN_THREADS); the
                           results are the same bits on any count
  --site-T <k=T,...>       timesteps of single sites or op families, e.g. multiplications=12,layer0.wq=6
  --no-encode-linear       feed linear layers float inputs instead of identity-coded spikes
  --float <families>       leave op families float: ${OP_FAMILIES.join(',')}
  --margin <x>             activation domain margin, fraction of the calibrated width (default 0.1)
  --spike-cost <x>         spike-aware rounding of linear and convolution inputs (0..16, default 0: none): an
                           input may round to a code value with fewer spikes, each spike worth x squared code
                           steps of error (weighted per input by its weight column's squared norm)
  --no-cache               refit neurons instead of using the on-disk cache
  --allow-non-finite       load weights that hold NaN or infinity (by default an error naming the tensor)
  --quick-fits             fit new domains' neurons in seconds instead of ~30 s (one initialisation, 30
                           epochs; larger errors), cached apart from full fits`;

export type Values = {
  [K in keyof typeof MODEL_OPTIONS]?: (typeof MODEL_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** The spiking options of the command line at timesteps T. */
export function spikingOptions(values: Values, T: number): SpikingOptions {
  const leftFloat = (values.float ?? '').split(',').filter((f) => f !== '');
  for (const family of leftFloat) {
    if (!OP_FAMILIES.includes(family as OpFamily)) {
      throw new UsageError(`--float takes op families from ${OP_FAMILIES.join(', ')}, got "${family}"`);
    }
  }
  const spiking: Partial<Record<OpFamily, boolean>> = Object.fromEntries(leftFloat.map((f) => [f, false]));
  if (values['no-encode-linear']) spiking.linearInputs = false;
  const options: Record<string, unknown> = { T, spiking };
  const N = intOption('N', values.N, 1, 8);
  if (N !== undefined) options.activationBases = N;
  const operatorN = intOption('operator-N', values['operator-N'], 1, 8);
  if (operatorN !== undefined) options.operatorBases = operatorN;
  if (values.mode !== undefined) {
    if (values.mode !== 'equivalent' && values.mode !== 'spike-driven') {
      throw new UsageError(`--mode must be "equivalent" or "spike-driven", got "${values.mode}"`);
    }
    options.mode = values.mode;
  }
  if (values.ranges !== undefined) {
    if (values.ranges !== 'static' && values.ranges !== 'dynamic') {
      throw new UsageError(`--ranges must be "static" or "dynamic", got "${values.ranges}"`);
    }
    options.ranges = values.ranges;
  }
  const choice = (name: string, value: string | undefined, allowed: readonly string[], key: string) => {
    if (value === undefined) return;
    if (!allowed.includes(value)) {
      throw new UsageError(
        `--${name} must be ${allowed.map((a) => `"${a}"`).join(' or ')}, got ${describeValue(value, 40)}`,
      );
    }
    options[key] = value;
  };
  choice('code', values.code, ['binary', 'signed-digit'], 'code');
  choice('rounding', values.rounding, ['nearest', 'floor'], 'rounding');
  choice('identity-range', values['identity-range'], ['mse', 'max', 'power-of-two'], 'identityRange');
  choice('activation-fit', values['activation-fit'], ['uniform', 'calibrated'], 'activationFit');
  if (values['site-T'] !== undefined) options.siteT = siteTOption(values['site-T']);
  const margin = values.margin === '0' ? 0 : positiveOption('margin', values.margin);
  if (margin !== undefined) options.domainMargin = margin;
  if (values['spike-cost'] !== undefined) {
    const cost = Number(values['spike-cost']);
    if (values['spike-cost'].trim() === '' || !(cost >= 0 && cost <= 16)) {
      throw new UsageError(`--spike-cost must be a number in [0, 16], got ${describeValue(values['spike-cost'], 40)}`);
    }
    options.spikeCost = cost;
  }
  return options as unknown as SpikingOptions;
}

/** --site-T "key=T,key=T": sites or op families to timesteps (the names are checked against the model later). */
function siteTOption(text: string): Record<string, number> {
  const siteT: Record<string, number> = {};
  for (const item of text.split(',').filter((i) => i.trim() !== '')) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d{1,2})\s*$/.exec(item);
    const T = match ? Number(match[2]) : NaN;
    if (!match || !(T >= 1 && T <= 32)) {
      throw new UsageError(
        `--site-T takes name=T items with T in 1..32, e.g. norms=12; got ${describeValue(item, 40)}`,
      );
    }
    siteT[match[1] as string] = T;
  }
  return siteT;
}

/** --window and --stride, checked (undefined without --window). */
export function slidingWindowOption(values: { window?: string; stride?: string }): SlidingWindowOptions | undefined {
  const window = intOption('window', values.window, 2, 1_000_000);
  if (window === undefined) {
    if (values.stride !== undefined) throw new UsageError('--stride needs --window <tokens>');
    return undefined;
  }
  return { window, stride: intOption('stride', values.stride, 1, window) ?? Math.ceil(window / 2) };
}

/** How the model's weights are read: --allow-non-finite accepts NaN and infinite weights. */
export function weightOptions(values: Values): WeightOptions {
  return values['allow-non-finite'] === true ? { allowNonFinite: true } : {};
}

/** What --quick-fits fits with: one initialisation, one phase of 30 epochs on 2,000 samples. */
export const QUICK_FIT = { epochs: 30, seeds: 1, phases: 1, samples: 2000 } as const;

/** --weights: how the models hold their weights ({} for the default, f32). */
export function heldWeightsOption(values: Values): { readonly weights?: PackedDtype } {
  const weights = values.weights;
  if (weights === undefined || weights === 'f32') return {};
  if (weights !== 'bf16') throw new UsageError(`--weights must be "f32" or "bf16", got ${describeValue(weights, 40)}`);
  return { weights };
}

/** The kernels, on --threads threads (by default MBE_SNN_THREADS, else 1). */
export function loadKernels(values: Values): Promise<Kernels> {
  const threads = intOption('threads', values.threads, 1, MAX_THREADS);
  return Kernels.load(threads === undefined ? {} : { threads });
}

/** Neurons from the shipped table, then the disk cache, then fits (reported on stderr). */
export function neuronProvider(kernels: Kernels, values: Values): NeuronProvider {
  return new NeuronProvider(kernels, {
    ...(values['no-cache'] ? {} : { cache: diskNeuronCache() }),
    ...(values['quick-fits'] ? { fit: QUICK_FIT } : {}),
    onFit: (r) =>
      process.stderr.write(`fitting ${r.target} N=${r.N} T=${r.T} on [${r.domain.join(', ')}] (once per machine)\n`),
  });
}
