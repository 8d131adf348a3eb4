#!/usr/bin/env node
// The `mbe-snn` command: dispatches to one module per subcommand.
import { evalCommand } from './eval.js';
import { exportHfCommand } from './export-hf.js';
import { fitCommand } from './fit.js';
import { generateCommand } from './generate.js';
import { sweepCommand } from './sweep.js';
import { frontierCommand } from './frontier.js';
import { infoCommand } from './info.js';
import { neuronsCommand } from './neurons.js';
import { UsageError, type Command } from './command.js';
import { VERSION } from '../version.js';
import { MbeError } from '../errors.js';
import { describeValue } from '../describe.js';

const COMMANDS: readonly Command[] = [
  evalCommand,
  sweepCommand,
  frontierCommand,
  generateCommand,
  exportHfCommand,
  fitCommand,
  neuronsCommand,
  infoCommand,
];

function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return `mbe-snn ${VERSION}: spiking Transformers from pretrained ones, with MBE neurons\n\nUsage: mbe-snn <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "mbe-snn help <command>" (or "mbe-snn <command> --help") for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // `mbe-snn help <command>` is `mbe-snn <command> --help`
  const asked = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
  if (asked) return asked.run(['--help']);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command ${describeValue(name, 40)}; "mbe-snn help" lists the commands`);
  return command.run(rest);
}

/** A message as one bounded line: its first line (a usage error's help follows it), at most 500 characters. */
function oneLine(message: string): string {
  const [first = '', ...rest] = message.split('\n');
  const line = first.length > 480 ? `${first.slice(0, 477)}...` : first;
  return rest.some((l) => l.trim() !== '') ? `${line} (see --help)` : line;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || error instanceof MbeError) {
      console.error(`mbe-snn: ${oneLine(message)}`);
      process.exitCode = 2;
    } else {
      // a bug, not bad input: still one line; MBE_SNN_DEBUG=1 prints the stack too
      const name = error instanceof Error ? error.name : 'error';
      console.error(`mbe-snn: internal error (${name}): ${oneLine(message)}`);
      if (process.env.MBE_SNN_DEBUG) console.error(error);
      process.exitCode = 1;
    }
  },
);
