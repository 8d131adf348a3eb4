// The mbe-snn command line run from the repository's sources (node --import tsx src/cli/main.ts) in a child
// process: its exit code and output, a failing run included.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const root = new URL('../../', import.meta.url);
const exec = promisify(execFile);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The child's environment (the default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Node flags before `--import tsx`, such as {@link wasmFlags}. */
  readonly nodeFlags?: readonly string[];
}

/** This process's --experimental-wasm flags: with them the CLI picks the same wasm build as the test. */
export const wasmFlags: readonly string[] = process.execArgv.filter((a) => a.startsWith('--experimental-wasm'));

/** `mbe-snn <args>` from the repository root. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const { env, nodeFlags = [] } = options;
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [...nodeFlags, '--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: root, ...(env === undefined ? {} : { env }) },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as CliRun;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `mbe-snn <args>` with this process's environment and no node flags. */
export const cli = (...args: string[]): Promise<CliRun> => runCli(args);
