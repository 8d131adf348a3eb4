// `mbe-snn export-hf <model.bin> <out-folder> [--tokenizer <tokenizer.bin>]`: a llama2.c checkpoint written as a
// Hugging Face LlamaForCausalLM folder (config.json + model.safetensors), q/k rows permuted to HF's rotate-half
// layout, and with --tokenizer its tokenizer.bin as tokenizer.json + tokenizer_config.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { llama2cTokenizerJson } from '../io/llama2c-tokenizer-json.js';
import { llama2cToHf } from '../io/llama2c-to-hf.js';
import { loadLlama2c, loadTokenizer } from '../io/node/files.js';
import { writeSafetensors } from '../io/safetensors-writer.js';
import { command, UsageError } from './command.js';

const HELP = `Usage: mbe-snn export-hf <model.bin> <out-folder> [--tokenizer <tokenizer.bin>]

Writes a llama2.c checkpoint (legacy v0 format) as a Hugging Face LlamaForCausalLM folder: config.json and
model.safetensors (F32), loadable by transformers and by "mbe-snn eval <out-folder>". The folder is created
if needed; the files written replace those of the same name in it.

  --tokenizer <tokenizer.bin>  also write the llama2.c tokenizer as tokenizer.json (a BPE model with byte
                               fallback that encodes and decodes text as run.c does) and tokenizer_config.json
                               (LlamaTokenizer, <s> / </s>), so the folder reads text`;

export const exportHfCommand = command({
  name: 'export-hf',
  summary: 'write a llama2.c checkpoint (and its tokenizer) as a Hugging Face Llama folder',
  options: { help: { type: 'boolean' }, tokenizer: { type: 'string' } },
  help: HELP,
  positionals: { max: 2, what: 'the checkpoint and the output folder' },
  async run({ values, positionals }) {
    if (positionals.length !== 2) throw new UsageError(`export-hf takes a checkpoint and an output folder\n\n${HELP}`);
    const [checkpointPath, out] = positionals as [string, string];
    const checkpoint = await loadLlama2c(checkpointPath);
    // read and convert everything before writing anything
    const tokenizer =
      values.tokenizer === undefined
        ? undefined
        : llama2cTokenizerJson(await loadTokenizer(values.tokenizer, checkpoint.config.vocabSize), {
            file: values.tokenizer,
            modelMaxLength: checkpoint.config.seqLen,
          });
    const { config, tensors } = llama2cToHf(checkpoint);
    await mkdir(out, { recursive: true });
    const written: string[] = [];
    const write = async (name: string, data: string | Uint8Array) => {
      await writeFile(join(out, name), data);
      written.push(join(out, name));
    };
    await write('config.json', `${JSON.stringify(config, null, 2)}\n`);
    await write('model.safetensors', writeSafetensors(tensors, { format: 'pt' }));
    if (tokenizer) {
      await write('tokenizer.json', `${JSON.stringify(tokenizer.tokenizerJson, null, 2)}\n`);
      await write('tokenizer_config.json', `${JSON.stringify(tokenizer.tokenizerConfig, null, 2)}\n`);
    }
    console.log(
      `wrote ${written.join(', ')} (${tensors.length} tensors` +
        `${tokenizer ? `; ${config.vocab_size} tokens, ${tokenizer.merges.length} merges` : ''})`,
    );
    if (tokenizer && tokenizer.tiedScores.length > 0) {
      const shown = tokenizer.tiedScores.slice(0, 8).join(', ');
      console.warn(
        `warning: ${values.tokenizer}: merged pieces ${shown}${tokenizer.tiedScores.length > 8 ? ', ...' : ''} share ` +
          "scores; run.c takes the leftmost of equal-scoring merges, which the tokenizer.json's merge ranks can " +
          'only approximate, so a few texts may encode differently',
      );
    }
    return 0;
  },
});
