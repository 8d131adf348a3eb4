// What every subcommand module provides.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** A mistake on the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gives for these options with positionals allowed. */
export type ParsedArgs<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;

/**
 * The command's arguments parsed against its options (which include --help), positionals allowed; undefined when
 * --help printed the help text. Unknown options and missing values are a UsageError with the help.
 */
export function parseCommand<const O extends Options & { readonly help: { readonly type: 'boolean' } }>(
  args: string[],
  options: O,
  help: string,
): ParsedArgs<O> | undefined {
  let parsed: ParsedArgs<O>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new UsageError(`${reason.slice(0, 200)}\n\n${help}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    return undefined;
  }
  return parsed;
}

/** A subcommand from its options, help text and body; --help and bad options are handled before `run`. */
export function command<const O extends Options & { readonly help: { readonly type: 'boolean' } }>(spec: {
  readonly name: string;
  readonly summary: string;
  readonly options: O;
  readonly help: string;
  /** Rewrites the arguments before parsing (e.g. negative numbers given as option values). */
  readonly prepare?: (args: string[]) => string[];
  run(parsed: ParsedArgs<O>): Promise<number>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    async run(args) {
      const parsed = parseCommand(spec.prepare ? spec.prepare(args) : args, spec.options, spec.help);
      return parsed ? spec.run(parsed) : 0;
    },
  };
}
