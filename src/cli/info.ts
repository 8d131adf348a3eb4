// `mbe-snn info`: which wasm builds this runtime loads, and which one the library picks.
import { parseArgs } from 'node:util';
import { bestVariant, supportedVariants, WASM_VARIANTS } from '../../bindings/loader.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';

export const infoCommand: Command = {
  name: 'info',
  summary: 'show the version and the WebAssembly builds this runtime can load',
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
    if (values.help) {
      console.log('Usage: mbe-snn info [--json]');
      return 0;
    }
    const info = {
      version: VERSION,
      runtime: `Node ${process.version}`,
      wasmBuilds: Object.fromEntries(WASM_VARIANTS.map((v) => [v, supportedVariants().includes(v)])),
      selected: bestVariant(),
    };
    if (values.json) {
      console.log(JSON.stringify(info, null, 2));
    } else {
      console.log(`mbe-snn ${info.version} on ${info.runtime}`);
      for (const [variant, ok] of Object.entries(info.wasmBuilds)) {
        console.log(`  ${variant.padEnd(8)} ${ok ? 'loads' : 'not supported here'}`);
      }
      console.log(`  selected: ${info.selected}`);
    }
    return 0;
  },
};
