// `mbe-snn generate [<model>] [--T 16]`: text from a causal LM (the embedded stories260K by default, a llama2.c
// checkpoint or any causal LM folder) and (with --T) its spiking conversion, greedy (temperature 0, as run.c) or
// sampled, with tokens per second. A model without a tokenizer generates token ids from --prompt-ids, calibrated on
// the lines of --ids.
import type { Kernels } from '../kernels/index.js';
import type { TextTokenizer } from '../models/interfaces.js';
import { ARCHITECTURES, type CausalLMEntry } from '../models/registry.js';
import { generate } from '../tasks/generate.js';
import { convertCausalLM, encodeParagraphs, parseIds, splitParagraphs } from '../tasks/language-model.js';
import { intOption } from './args.js';
import { command, UsageError } from './command.js';
import {
  MODEL_OPTIONS,
  MODEL_OPTIONS_HELP,
  neuronProvider,
  spikingOptions,
  heldWeightsOption,
  loadKernels,
} from './model-args.js';
import {
  EMBEDDED_MODEL,
  loadLanguageModel,
  resolveModel,
  startTokens,
  type LanguageModelData,
} from './model-source.js';
import type { Values } from './model-args.js';
import { FloatOpSet } from '../ops/float-opset.js';
import { convertOnSelfSamples } from '../tasks/causal-lm-fidelity.js';

const LANGUAGE_MODELS = ARCHITECTURES.filter((a) => a.task === 'causal-lm').map((a) => a.name);

const HELP = `Usage: mbe-snn generate [${EMBEDDED_MODEL}|${LANGUAGE_MODELS.join('|')}|<folder>] [--T <steps>] [options]

Generates text from the sequence start (or --prompt) with a language model (default: the embedded ${EMBEDDED_MODEL};
or a llama2.c checkpoint, or a Hugging Face causal LM folder), and with its spiking conversion when --T is given.
Without --T nothing is converted. The conversion calibrates on paragraphs of --text (llama2c: default the
fixtures' text), on the lines of --ids, or, with neither, on samples the float model draws itself (seeded).

  --T <1..32>          also generate with the spiking conversion at T timesteps
  --steps <n>          tokens to generate (default 256, at most the model's context)
  --prompt <text>      start from this text instead of the start token (BOS, else EOS: GPT-2's <|endoftext|>)
  --prompt-ids <ids>   start from these token ids ("5 17 3"); models without a tokenizer need it, and print ids
  --temperature <t>    0 (default) is greedy argmax, as run.c; above 0 samples
  --seed <int>         sampling seed (default 1)
${MODEL_OPTIONS_HELP}`;

/** Token ids shown as text for a model without a tokenizer. */
const ID_TEXT: TextTokenizer = { encode: () => [], decode: (ids) => ids.join(' '), stopTokens: [] };

/**
 * The tokenizer with ids past its vocabulary shown as <id> (a model's embedding table is often padded past the
 * tokenizer's vocabulary, so it can generate ids the tokenizer cannot decode).
 */
function lenient(tokenizer: TextTokenizer): TextTokenizer {
  const size = (tokenizer as { vocabSize?: number }).vocabSize;
  if (size === undefined) return tokenizer;
  const decode = (ids: readonly number[]): string => {
    const parts: string[] = [];
    let run: number[] = [];
    const flush = () => {
      if (run.length > 0) parts.push(tokenizer.decode(run));
      run = [];
    };
    for (const id of ids) {
      if (id < size) run.push(id);
      else {
        flush();
        parts.push(`<${id}>`);
      }
    }
    flush();
    return parts.filter((p) => p !== '').join(' ');
  };
  return { encode: (text) => tokenizer.encode(text), decode, stopTokens: tokenizer.stopTokens };
}

/** The prompt: --prompt-ids, --prompt (with the tokenizer), or the tokenizer's start: encode(''), BOS, EOS. */
function promptIds(values: { prompt?: string; 'prompt-ids'?: string }, tokenizer: TextTokenizer | undefined): number[] {
  if (values['prompt-ids'] !== undefined) {
    const ids = parseIds(values['prompt-ids'], '--prompt-ids', 1);
    if (ids.length === 0) throw new UsageError('--prompt-ids must hold at least one token id');
    return ids;
  }
  if (!tokenizer) throw new UsageError('the model has no tokenizer files: give --prompt-ids <ids> to start from');
  const ids = values.prompt === undefined ? [] : tokenizer.encode(values.prompt);
  if (ids.length > 0) return ids;
  const start = startTokens(tokenizer);
  if (start === undefined) throw new UsageError('the prompt encodes to no tokens and the tokenizer has no BOS or EOS');
  return start;
}

/** The float model alone (no --T: nothing to calibrate or fit), or the conversion calibrated on the data. */
function models(
  kernels: Kernels,
  entry: CausalLMEntry,
  loaded: Awaited<ReturnType<typeof loadLanguageModel>>,
  values: Values,
  T: number | undefined,
) {
  const { builder, data } = loaded;
  const weights = heldWeightsOption(values);
  if (T === undefined) return { float: builder.build(new FloatOpSet(kernels, weights)) };
  const options = { spiking: spikingOptions(values, T), neurons: neuronProvider(kernels, values), ...weights };
  if (data.kind === 'samples') {
    const stopTokens = data.tokenizer?.stopTokens ?? [];
    return convertOnSelfSamples(kernels, builder, { ...options, start: data.start, stopTokens }).conversion;
  }
  return convertCausalLM(kernels, builder, calibrationSet(data, entry), options);
}

function calibrationSet(data: Exclude<LanguageModelData, { kind: 'samples' }>, entry: CausalLMEntry): number[][] {
  if (data.kind === 'ids') return data.lines.map((l) => [...l.ids]);
  const { firstParagraph, paragraphs } = entry.calibration;
  return encodeParagraphs(
    data.tokenizer,
    splitParagraphs(data.text).slice(firstParagraph, firstParagraph + paragraphs),
  );
}

export const generateCommand = command({
  name: 'generate',
  summary: 'generate text with a causal language model and its spiking conversion',
  options: {
    ...MODEL_OPTIONS,
    steps: { type: 'string' },
    prompt: { type: 'string' },
    'prompt-ids': { type: 'string' },
    temperature: { type: 'string' },
    seed: { type: 'string' },
  },
  help: HELP,
  positionals: { max: 1, what: 'the model' },
  async run({ values, positionals }) {
    const source = await resolveModel(positionals[0], values, 'causal-lm');
    const entry = source.entry as CausalLMEntry;
    const loaded = await loadLanguageModel(source, values);
    const tokenizer = loaded.data.tokenizer;
    const prompt = promptIds(values, tokenizer);
    const temperature = values.temperature === undefined ? 0 : Number(values.temperature);
    if (!(temperature >= 0) || !Number.isFinite(temperature)) {
      throw new UsageError(`--temperature must be a number >= 0, got "${values.temperature}"`);
    }
    const seed = intOption('seed', values.seed, 0, 2 ** 32 - 1) ?? 1;
    const kernels = await loadKernels(values);
    const T = intOption('T', values.T, 1, 32);
    if (source.embedded) console.log(`${source.embedded}\n`);
    const conversion = models(kernels, entry, loaded, values, T);
    const steps = intOption('steps', values.steps, 1, conversion.float.contextLength) ?? 256;
    const settings = { prompt, steps, temperature, seed };
    const shown = tokenizer ? lenient(tokenizer) : ID_TEXT;
    const float = generate(conversion.float, shown, settings);
    console.log(`float model (${float.tokensPerSecond.toFixed(0)} tokens/s):\n${float.text}\n`);
    if (T !== undefined && 'spiking' in conversion) {
      const spiking = generate(conversion.spiking, shown, settings);
      let same = 0;
      while (same < Math.min(float.tokens.length, spiking.tokens.length) && float.tokens[same] === spiking.tokens[same])
        same++;
      console.log(
        `spiking model, T = ${T} (${spiking.tokensPerSecond.toFixed(0)} tokens/s; first ${same} tokens equal to float):`,
      );
      console.log(spiking.text);
    }
    return 0;
  },
});
