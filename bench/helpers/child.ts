// One measurement in its own child process (so that one's allocations do not count against the next), with GC
// exposed: the child is this same script with `args`, and answers over IPC with { result } or { error }.
import { fork } from 'node:child_process';

/** Runs `script` (a module URL) as a child with `args`; resolves with its result, rejects naming `what`. */
export function forkChild<R>(script: string, args: readonly string[], what: string): Promise<R> {
  const execArgv = process.execArgv.includes('--expose-gc') ? process.execArgv : [...process.execArgv, '--expose-gc'];
  return new Promise((resolve, reject) => {
    const child = fork(new URL(script), [...args], { execArgv });
    let result: R | undefined;
    let failure: string | undefined;
    child.on('message', (message: { result?: R; error?: string }) => {
      result = message.result;
      failure = message.error;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(`${what}: ${failure ?? `child exited with ${signal ?? code}`}`));
    });
  });
}
