// A Hugging Face checkpoint's tensors bound to the names an architecture expects. Real checkpoints vary:
// older ones name LayerNorm parameters gamma/beta, some drop the model prefix ("wte.weight" for
// "transformer.wte.weight"), and many carry buffers that are not parameters (GPT-2's causal-mask
// "attn.bias", BERT's I64 "position_ids"). Those are accepted or ignored; a tensor that is missing,
// unexpected or of the wrong shape is a FormatError that names it.
import { FormatError } from '../../errors.js';
import { describeShape, describeText } from '../../describe.js';
import type { SafetensorsTensor } from '../../io/safetensors.js';
import type { Tensor } from '../../tensor.js';
import { Weights } from '../weights.js';

/** A tensor an architecture reads, with the shape its config implies. */
export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** May be absent (a tied head's lm_head.weight). */
  readonly optional?: boolean;
}

export interface BindOptions {
  /** The model prefix ("transformer.", "bert.", "model."): file names may lack it. */
  readonly prefix: string;
  /** Names of buffers that are not parameters, ignored wherever they appear. */
  readonly buffers?: readonly RegExp[];
}

/** Buffers every architecture ignores: position-id tables and causal masks saved by older versions. */
const COMMON_BUFFERS = [/(^|\.)position_ids$/, /(^|\.)attn\.(bias|masked_bias)$/, /(^|\.)rotary_emb\.inv_freq$/];

/** The name an older checkpoint's tensor has in the current layout (without the prefix question). */
function modernName(name: string): string {
  return name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
}

const shapeText = (shape: readonly number[]) => describeShape(shape);
/** A tensor name for a message: bounded, control characters escaped. */
const nameText = (name: string) => `"${describeText(name, 96)}"`;

/**
 * The checkpoint's tensors under their expected names, checked against the specs: every required tensor
 * present with its shape, nothing left over but ignored buffers.
 */
export function bindTensors(
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  specs: readonly TensorSpec[],
  options: BindOptions,
  source: string,
): Weights {
  const expected = new Map(specs.map((s) => [s.name, s]));
  const bound = new Map<string, Tensor>();
  const buffers = [...COMMON_BUFFERS, ...(options.buffers ?? [])];
  const unexpected: string[] = [];
  for (const [fileName, tensor] of tensors) {
    const modern = modernName(fileName);
    const name = expected.has(modern)
      ? modern
      : expected.has(options.prefix + modern)
        ? options.prefix + modern
        : undefined;
    if (name === undefined) {
      // Integer tensors are always buffers (position ids); float ones only when named as such.
      if ('data' in tensor && !buffers.some((b) => b.test(modern))) unexpected.push(fileName);
      continue;
    }
    if (bound.has(name))
      throw new FormatError(source, `tensor ${nameText(name)} appears twice (as ${nameText(fileName)} too)`);
    if (!('data' in tensor)) {
      throw new FormatError(
        source,
        `tensor ${nameText(fileName)} is ${tensor.dtype}, expected a float dtype (F32, F16, BF16)`,
      );
    }
    const spec = expected.get(name) as TensorSpec;
    if (tensor.shape.length !== spec.shape.length || tensor.shape.some((d, i) => d !== spec.shape[i])) {
      throw new FormatError(
        source,
        `tensor ${nameText(fileName)} has shape ${shapeText(tensor.shape)}, expected ${shapeText(spec.shape)} from the config`,
      );
    }
    bound.set(name, { data: tensor.data, shape: tensor.shape });
  }
  const missing = specs.filter((s) => !s.optional && !bound.has(s.name));
  if (missing.length > 0) {
    const list = missing.slice(0, 3).map((s) => `${nameText(s.name)} ${shapeText(s.shape)}`);
    throw new FormatError(
      source,
      `missing tensor ${list.join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`,
    );
  }
  if (unexpected.length > 0) {
    const list = unexpected.slice(0, 3).map(nameText);
    throw new FormatError(
      source,
      `unexpected tensor ${list.join(', ')}${unexpected.length > 3 ? ` and ${unexpected.length - 3} more` : ''} ` +
        'for this architecture and config',
    );
  }
  return new Weights(bound, source);
}
