// Command-line options shared by eval, sweep and generate: which model and data, and how to convert it.
import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import {
  fixturesDir,
  loadLlama2c,
  loadMnist,
  loadSafetensors,
  loadTokenizer,
  readFileBytes,
} from '../io/node/files.js';
import type { Llama2cCheckpoint } from '../io/llama2c.js';
import type { Llama2cTokenizer } from '../io/tokenizer.js';
import type { Kernels } from '../kernels/index.js';
import type { Tensor } from '../models/vit.js';
import { OP_FAMILIES, type OpFamily } from '../ops/instrumentation.js';
import { NeuronProvider } from '../ops/neuron-provider.js';
import type { SpikingOptions } from '../ops/spiking/options.js';
import { floatTensorMap } from '../tasks/vit.js';
import { intOption, positiveOption } from './args.js';
import { UsageError } from './command.js';
import { diskNeuronCache } from './neuron-cache.js';

export type ModelKind = 'llama2c' | 'vit';

export const MODEL_OPTIONS = {
  checkpoint: { type: 'string' },
  tokenizer: { type: 'string' },
  text: { type: 'string' },
  model: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
  N: { type: 'string' },
  'operator-N': { type: 'string' },
  mode: { type: 'string' },
  ranges: { type: 'string' },
  'no-encode-linear': { type: 'boolean' },
  float: { type: 'string' },
  margin: { type: 'string' },
  'no-cache': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const MODEL_OPTIONS_HELP = `Model and data (default: the fixtures in ../shared/fixtures or $MBE_SNN_FIXTURES):
  llama2c: --checkpoint <stories260K.bin> --tokenizer <tok512.bin> --text <tinystories_valid_part1.txt>
  vit:     --model <vit_mnist.safetensors> --images <...images-idx3-ubyte.gz> --labels <...labels-idx1-ubyte.gz>
Conversion:
  --N <1..8>               bases of activation neurons (default 4)
  --operator-N <1..8>      bases of the exp2, 1/x and 1/sqrt(x) neurons (default 8)
  --mode <m>               equivalent (default) | spike-driven
  --ranges <r>             static (default, from calibration) | dynamic
  --no-encode-linear       feed linear layers float inputs instead of identity-coded spikes
  --float <families>       leave op families float: ${OP_FAMILIES.join(',')}
  --margin <x>             activation domain margin, fraction of the calibrated width (default 0.1)
  --no-cache               refit neurons instead of using the on-disk cache`;

type Values = {
  [K in keyof typeof MODEL_OPTIONS]?: (typeof MODEL_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

export function parseModelKind(name: string | undefined): ModelKind {
  if (name === 'llama2c' || name === 'vit') return name;
  throw new UsageError(`the model must be "llama2c" or "vit", got ${name === undefined ? 'nothing' : `"${name}"`}`);
}

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
  const margin = values.margin === '0' ? 0 : positiveOption('margin', values.margin);
  if (margin !== undefined) options.domainMargin = margin;
  return options as unknown as SpikingOptions;
}

/** Neurons from the shipped table, then the disk cache, then fits (reported on stderr). */
export function neuronProvider(kernels: Kernels, values: Values): NeuronProvider {
  return new NeuronProvider(kernels, {
    ...(values['no-cache'] ? {} : { cache: diskNeuronCache() }),
    onFit: (r) =>
      process.stderr.write(`fitting ${r.target} N=${r.N} T=${r.T} on [${r.domain.join(', ')}] (once per machine)\n`),
  });
}

function fixture(values: Values, key: keyof Values, ...path: string[]): string {
  const given = values[key];
  if (typeof given === 'string') return given;
  const dir = fixturesDir();
  if (!dir) {
    throw new UsageError(
      `--${String(key)} is required: no fixtures folder (../shared/fixtures or $MBE_SNN_FIXTURES) was found`,
    );
  }
  return join(dir, ...path);
}

export interface Llama2cData {
  readonly checkpoint: Llama2cCheckpoint;
  readonly tokenizer: Llama2cTokenizer;
  readonly text: string;
}

export async function loadLlama2cData(values: Values): Promise<Llama2cData> {
  const checkpoint = await loadLlama2c(fixture(values, 'checkpoint', 'llama2c', 'stories260K.bin'));
  const tokenizer = await loadTokenizer(
    fixture(values, 'tokenizer', 'llama2c', 'tok512.bin'),
    checkpoint.config.vocabSize,
  );
  const text = new TextDecoder().decode(
    await readFileBytes(fixture(values, 'text', 'text', 'tinystories_valid_part1.txt')),
  );
  return { checkpoint, tokenizer, text };
}

export interface VitData {
  readonly tensors: Map<string, Tensor>;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

export async function loadVitData(values: Values): Promise<VitData> {
  const tensors = floatTensorMap(await loadSafetensors(fixture(values, 'model', 'vit', 'vit_mnist.safetensors')));
  const mnist = await loadMnist(
    fixture(values, 'images', 'mnist', 't10k-0-5000-images-idx3-ubyte.gz'),
    fixture(values, 'labels', 'mnist', 't10k-0-5000-labels-idx1-ubyte.gz'),
  );
  return { tensors, images: mnist.images, labels: mnist.labels };
}
