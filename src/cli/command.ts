// What every subcommand module provides.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeValue } from '../describe.js';

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

/**
 * Lets `--domain -120,10` and `--T -1` reach the option's checks: parseArgs only accepts a value that starts with
 * '-' as `--domain=-120,10`. Applied to every string option.
 */
function joinNegativeValues(args: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (names.includes(arg) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

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
  /** Positional arguments it takes at most, and what they are (for the message when there are more). */
  readonly positionals: { readonly max: number; readonly what: string };
  run(parsed: ParsedArgs<O>): Promise<number>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    async run(args) {
      const valued = Object.keys(spec.options).filter((name) => spec.options[name]?.type === 'string');
      const joined = joinNegativeValues(
        args,
        valued.map((name) => `--${name}`),
      );
      const parsed = parseCommand(joined, spec.options, spec.help);
      if (!parsed) return 0;
      const { max, what } = spec.positionals;
      const extra = parsed.positionals[max];
      if (extra !== undefined) {
        throw new UsageError(
          `unexpected argument ${describeValue(extra, 60)}: ${spec.name} takes ${max === 0 ? 'no arguments' : `at most ${max} (${what})`} besides its options`,
        );
      }
      return spec.run(parsed);
    },
  };
}
