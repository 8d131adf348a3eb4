// Helpers of the packaging test (test/package/pack.test.ts): child processes run as a user would run them (an
// environment without vitest's, npm's lifecycle or the fixtures variables), each timed; the repository's files
// copied into a fresh folder, as a clean checkout would have them; and a log of the steps' timings.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, stat, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A finished child process: its output, and how long it took. */
export interface Ran {
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * This process's environment without what vitest (VITEST*, NODE_ENV=test, which would also make `vite build`
 * bundle for "test"), an outer `npm test` (npm_*) or the test set-up (MBE_SNN_FIXTURES) put there, plus `extra`:
 * what a user's shell would hand the commands.
 */
export function userEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|VITE_|npm_|MBE_SNN_)/i.test(key) || key === 'NODE_ENV' || key === 'TEST') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs `command args` in `cwd`; a failure (exit code, signal, timeout) is an error showing both outputs. */
export async function run(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<Ran> {
  const started = performance.now();
  try {
    const { stdout, stderr } = await exec(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const e = error as Error & { code?: number | string; signal?: string; stdout?: string; stderr?: string };
    const how = e.signal ? `was killed by ${e.signal} (timeout ${options.timeoutMs / 1000} s?)` : `exited ${e.code}`;
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${options.cwd} ${how}\n--- stdout ---\n${tail(e.stdout)}\n` +
        `--- stderr ---\n${tail(e.stderr)}`,
    );
  }
}

const tail = (text: string | undefined, lines = 60) => (text ?? '').split('\n').slice(-lines).join('\n');

/**
 * Copies the repository's files as a checkout has them (`git ls-files`: the tracked files plus the untracked ones
 * .gitignore does not exclude, so a file being added counts; nothing generated: no dist/, build/,
 * bindings/generated/, src/io/embedded/generated/) into `to`, with node_modules a symlink to the repository's.
 * Returns how many files were copied.
 */
export async function copyCheckout(repo: string, to: string): Promise<number> {
  let listing: string;
  try {
    ({ stdout: listing } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: repo,
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    throw new Error(`the packaging test lists the repository's files with \`git ls-files\`: ${String(error)}`);
  }
  let copied = 0;
  for (const file of listing.split('\0').filter((f) => f !== '')) {
    // A tracked file deleted in the working tree is listed but gone: a checkout of the tree would not have it.
    const info = await stat(join(repo, file)).catch(() => undefined);
    if (!info?.isFile()) continue;
    await mkdir(dirname(join(to, file)), { recursive: true });
    await copyFile(join(repo, file), join(to, file));
    copied++;
  }
  await symlink(join(repo, 'node_modules'), join(to, 'node_modules'), 'dir');
  return copied;
}

/** Times the steps, prints each as it ends, and a summary. */
export class StepLog {
  private readonly steps: { name: string; seconds: number }[] = [];
  private readonly started = performance.now();

  async step<T>(name: string, body: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await body();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.steps.push({ name, seconds });
      console.log(`pack test: ${name}: ${seconds.toFixed(1)} s`);
    }
  }

  summary(): string {
    const total = (performance.now() - this.started) / 1000;
    const width = Math.max(...this.steps.map((s) => s.name.length), 5);
    return [
      ...this.steps.map((s) => `  ${s.name.padEnd(width)}  ${s.seconds.toFixed(1).padStart(6)} s`),
      `  ${'total'.padEnd(width)}  ${total.toFixed(1).padStart(6)} s`,
    ].join('\n');
  }
}
