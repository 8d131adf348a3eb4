#!/usr/bin/env node
// The `mbe-snn` command: dispatches to one module per subcommand.
import { evalCommand } from './eval.js';
import { exportHfCommand } from './export-hf.js';
import { fitCommand } from './fit.js';
import { generateCommand } from './generate.js';
import { sweepCommand } from './sweep.js';
import { infoCommand } from './info.js';
import { neuronsCommand } from './neurons.js';
import { UsageError, type Command } from './command.js';
import { VERSION } from '../version.js';
import { MbeError } from '../errors.js';

const COMMANDS: readonly Command[] = [
  evalCommand,
  sweepCommand,
  generateCommand,
  exportHfCommand,
  fitCommand,
  neuronsCommand,
  infoCommand,
];

function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return `mbe-snn ${VERSION}: spiking Transformers from pretrained ones, with MBE neurons\n\nUsage: mbe-snn <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "mbe-snn <command> --help" for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${usage()}`);
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof MbeError) {
      console.error(`mbe-snn: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
