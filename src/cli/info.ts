// `mbe-snn info`: which wasm builds this runtime loads, and which one the library picks.
import { bestVariant, supportedVariants, WASM_VARIANTS } from '../../bindings/loader.js';
import { VERSION } from '../version.js';
import { command } from './command.js';

export const infoCommand = command({
  name: 'info',
  summary: 'show the version and the WebAssembly builds this runtime can load',
  options: { json: { type: 'boolean' }, help: { type: 'boolean' } },
  help: 'Usage: mbe-snn info [--json]',
  positionals: { max: 0, what: '' },
  async run({ values }) {
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
});
