// `mbe-snn generate [--T 16]`: text from the float llama2.c model and (with --T) its spiking conversion,
// greedy (temperature 0, as run.c) or sampled, with tokens per second.
import { parseArgs } from 'node:util';
import { Kernels } from '../kernels/index.js';
import { ARCHITECTURES, type CausalLMEntry } from '../models/registry.js';
import { generate } from '../tasks/generate.js';
import { convertCausalLM, encodeParagraphs, splitParagraphs } from '../tasks/language-model.js';
import { intOption } from './args.js';
import { UsageError, type Command } from './command.js';
import { MODEL_OPTIONS, MODEL_OPTIONS_HELP, neuronProvider, spikingOptions } from './model-args.js';
import { loadLanguageModel, resolveModel } from './model-source.js';

const LANGUAGE_MODELS = ARCHITECTURES.filter((a) => a.task === 'causal-lm').map((a) => a.name);

const HELP = `Usage: mbe-snn generate [${LANGUAGE_MODELS.join('|')}] [--T <steps>] [options]

Generates text from the sequence start (or --prompt) with a language model (default ${LANGUAGE_MODELS[0]}), and
with its spiking conversion when --T is given.

  --T <1..32>          also generate with the spiking conversion at T timesteps
  --steps <n>          tokens to generate (default 256, at most the model's context)
  --prompt <text>      start from this text instead of BOS alone
  --temperature <t>    0 (default) is greedy argmax, as run.c; above 0 samples
  --seed <int>         sampling seed (default 1)
${MODEL_OPTIONS_HELP}`;

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate text with the llama2.c model and its spiking conversion',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...MODEL_OPTIONS,
        steps: { type: 'string' },
        prompt: { type: 'string' },
        temperature: { type: 'string' },
        seed: { type: 'string' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const source = await resolveModel(positionals[0] ?? LANGUAGE_MODELS[0], values, 'causal-lm');
    const entry = source.entry as CausalLMEntry;
    const data = await loadLanguageModel(entry, source.files, values);
    const kernels = await Kernels.load();
    const calibration = encodeParagraphs(
      data.tokenizer,
      splitParagraphs(data.text).slice(
        entry.calibration.firstParagraph,
        entry.calibration.firstParagraph + entry.calibration.paragraphs,
      ),
    );
    const T = intOption('T', values.T, 1, 32);
    const conversion = convertCausalLM(kernels, data.builder, calibration, {
      spiking: spikingOptions(values, T ?? 16),
      neurons: neuronProvider(kernels, values),
    });
    const steps = intOption('steps', values.steps, 1, conversion.float.contextLength) ?? 256;
    const temperature = values.temperature === undefined ? 0 : Number(values.temperature);
    if (!(temperature >= 0) || !Number.isFinite(temperature)) {
      throw new UsageError(`--temperature must be a number >= 0, got "${values.temperature}"`);
    }
    const seed = intOption('seed', values.seed, 0, 2 ** 32 - 1) ?? 1;
    const prompt = data.tokenizer.encode(values.prompt ?? '');
    const settings = { prompt, steps, temperature, seed };
    const float = generate(conversion.float, data.tokenizer, settings);
    console.log(`float model (${float.tokensPerSecond.toFixed(0)} tokens/s):\n${float.text}\n`);
    if (T !== undefined) {
      const spiking = generate(conversion.spiking, data.tokenizer, settings);
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
};
