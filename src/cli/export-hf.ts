// `mbe-snn export-hf <model.bin> <out-folder>`: a llama2.c checkpoint written as a Hugging Face
// LlamaForCausalLM folder (config.json + model.safetensors), q/k rows permuted to HF's rotate-half layout.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { llama2cToHf } from '../io/llama2c-to-hf.js';
import { loadLlama2c } from '../io/node/files.js';
import { writeSafetensors } from '../io/safetensors-writer.js';
import { UsageError, type Command } from './command.js';

const HELP = `Usage: mbe-snn export-hf <model.bin> <out-folder>

Writes a llama2.c checkpoint (legacy v0 format) as a Hugging Face LlamaForCausalLM folder: config.json and
model.safetensors (F32), loadable by transformers and by "mbe-snn eval <out-folder>". The folder is created
if needed; existing config.json and model.safetensors in it are replaced.`;

export const exportHfCommand: Command = {
  name: 'export-hf',
  summary: 'write a llama2.c checkpoint as a Hugging Face Llama folder',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean' } } });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 2) throw new UsageError(`export-hf takes a checkpoint and an output folder\n\n${HELP}`);
    const [checkpointPath, out] = positionals as [string, string];
    const checkpoint = await loadLlama2c(checkpointPath);
    const { config, tensors } = llama2cToHf(checkpoint);
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    await writeFile(join(out, 'model.safetensors'), writeSafetensors(tensors, { format: 'pt' }));
    console.log(`wrote ${join(out, 'config.json')} and ${join(out, 'model.safetensors')} (${tensors.length} tensors)`);
    return 0;
  },
};
