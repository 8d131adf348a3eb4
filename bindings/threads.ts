// Kernel threads: workers that instantiate the same kernel module on one shared memory and run a share of a
// kernel call when told to. Calls stay synchronous: the calling thread posts every worker's arguments to a
// control block, runs its own share, then waits (Atomics) until the workers are done. A share is either fixed
// (each thread's arguments given) or taken chunk by chunk from a shared counter of units (panels of a gemm), so
// a thread that runs late, because its core is busy or its caches are cold, takes fewer. Workers are
// worker_threads in Node (reached through process.getBuiltinModule, so no import of a Node module) and
// Web Workers in browsers (which need a cross-origin-isolated page for shared memory).
import type { KernelExports } from './loader.js';

/** The kernels a worker can run, by index in the control block; each takes i32 arguments only. */
export const THREAD_KERNELS = [
  'gemm_packed_panels',
  'gemm_packed_bf16_panels',
  'membrane',
  'membrane_spikes_rows',
  'matmul_f64',
  'silu',
  'softmax_rows',
  'rms_norm',
  'add_f32',
  'mul_f32',
] as const;
export type ThreadKernel = (typeof THREAD_KERNELS)[number];

/** Largest number of threads a pool takes (the control block is sized for it). */
export const MAX_THREADS = 64;
/** Int32 words of one worker's slot: the argument count, then the arguments. */
const SLOT_WORDS = 16;
// Control block words
const GENERATION = 0; // bumped once per call; workers wait on it
const PENDING = 1; // workers still running the current call
const KIND = 2; // index into THREAD_KERNELS, or -1 to stop
const FAILED = 3; // set by a worker whose kernel threw
const NEXT = 4; // chunked calls: the next unit to take
const UNITS = 5; // chunked calls: units in all
const CHUNK = 6; // chunked calls: units per take; 0 for a call of fixed shares
const SLOTS = 8;
/**
 * How long a thread spins on Atomics.load before it sleeps in Atomics.wait, ms. A wake-up from Atomics.wait took
 * about 0.2-0.3 ms here (a 128 x 128 x 64 product takes 0.06 ms), so an idle worker spins through the short
 * gaps between the kernel calls of one forward pass and sleeps only once the model stops calling.
 */
const SPIN_MS = 2;

/** The worker's program, as source: run in a worker_thread (Node) or a Web Worker (browsers). */
const WORKER_MAIN = `function workerMain(post, listen, names) {
  listen(function (init) {
    var instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
    var kernels = names.map(function (name) { return instance.exports[name]; });
    var control = new Int32Array(init.control);
    var slot = ${SLOTS} + init.index * ${SLOT_WORDS};
    var seen = Atomics.load(control, ${GENERATION});
    post('ready');
    for (;;) {
      var until = performance.now() + ${SPIN_MS};
      while (Atomics.load(control, ${GENERATION}) === seen) {
        if (performance.now() > until) Atomics.wait(control, ${GENERATION}, seen);
      }
      seen = Atomics.load(control, ${GENERATION});
      var kind = control[${KIND}];
      if (kind < 0) return;
      var argc = control[slot];
      var args = Array.from(control.subarray(slot + 1, slot + 1 + argc));
      var chunk = control[${CHUNK}];
      var units = control[${UNITS}];
      try {
        if (chunk > 0) {
          for (var u = Atomics.add(control, ${NEXT}, chunk); u < units; u = Atomics.add(control, ${NEXT}, chunk)) {
            kernels[kind].apply(null, args.concat([u, Math.min(u + chunk, units)]));
          }
        } else if (argc > 0) {
          kernels[kind].apply(null, args);
        }
      } catch (error) {
        Atomics.store(control, ${FAILED}, 1);
      }
      if (Atomics.sub(control, ${PENDING}, 1) === 1) Atomics.notify(control, ${PENDING});
    }
  });
}`;

const NODE_GLUE = `var parentPort = require('node:worker_threads').parentPort;
workerMain(function (m) { parentPort.postMessage(m); }, function (h) { parentPort.once('message', h); }, NAMES);`;

const BROWSER_GLUE = `workerMain(function (m) { postMessage(m); }, function (h) { onmessage = function (e) { h(e.data); }; }, NAMES);`;

function workerSource(glue: string): string {
  return `${WORKER_MAIN}\nvar NAMES = ${JSON.stringify(THREAD_KERNELS)};\n${glue}\n`;
}

/** What the pool needs of a worker, in either runtime. */
interface ThreadWorker {
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  onError(handler: (error: unknown) => void): void;
  /** The worker is ready: it no longer needs to keep the process alive (Node). */
  started(): void;
  terminate(): void;
}

interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: string, handler: (value: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => NodeWorker;
}

function nodeWorkerThreads(): NodeWorkerThreads | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined;
}

/** Why threads cannot run here, or undefined where they can. */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') {
    return 'SharedArrayBuffer is unavailable (a browser page must be cross-origin isolated: COOP/COEP headers)';
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return 'the page is not cross-origin isolated (serve it with COOP/COEP headers)';
  if (nodeWorkerThreads()) return undefined;
  if (typeof (globalThis as { Worker?: unknown }).Worker === 'function') return undefined;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) return `Node ${proc.versions.node} has no process.getBuiltinModule (Node >= 20.16 has)`;
  return 'this runtime has no Worker';
}

function spawnWorker(): ThreadWorker {
  const threads = nodeWorkerThreads();
  if (threads) {
    const worker = new threads.Worker(workerSource(NODE_GLUE), { eval: true });
    return {
      post: (message) => worker.postMessage(message),
      onMessage: (handler) => worker.on('message', handler),
      onError: (handler) => worker.on('error', handler),
      started: () => worker.unref(), // idle kernel threads never keep a process alive
      terminate: () => void worker.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([workerSource(BROWSER_GLUE)], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.addEventListener('message', (event) => handler(event.data)),
    onError: (handler) => worker.addEventListener('error', (event) => handler(event.message)),
    started: () => undefined,
    terminate: () => worker.terminate(),
  };
}

/** Whether this thread may block in Atomics.wait (a browser's main thread may not: it spins instead). */
let mayWait: boolean | undefined;

function mayBlock(control: Int32Array): boolean {
  mayWait ??= (() => {
    try {
      Atomics.wait(control, SLOTS - 1, 1, 0); // the word is 0: returns at once where waiting is allowed
      return true;
    } catch {
      return false;
    }
  })();
  return mayWait;
}

export class ThreadPool {
  private readonly control: Int32Array; // (SLOTS + MAX_THREADS * SLOT_WORDS) i32
  private closed = false;

  private constructor(
    private readonly workers: readonly ThreadWorker[],
    control: Int32Array,
  ) {
    this.control = control;
  }

  /** Starts threads - 1 workers on `memory` (shared), each with its own instance of `module`. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number): Promise<ThreadPool> {
    const control = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + MAX_THREADS * SLOT_WORDS)));
    const workers: ThreadWorker[] = [];
    try {
      await Promise.all(
        Array.from({ length: threads - 1 }, (_, index) => {
          const worker = spawnWorker();
          workers.push(worker);
          return new Promise<void>((resolve, reject) => {
            worker.onMessage((message) => (message === 'ready' ? resolve() : undefined));
            worker.onError((error) => reject(new Error(`a kernel thread failed to start: ${String(error)}`)));
            worker.post({ module, memory, control: control.buffer, index });
          });
        }),
      );
    } catch (error) {
      for (const worker of workers) worker.terminate();
      throw error;
    }
    for (const worker of workers) worker.started();
    return new ThreadPool(workers, control);
  }

  /** Threads in all, the calling one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Runs `kernel` with shares[0] on this thread and shares[w + 1] on worker w (an empty share runs
   * nothing), returning when every share is done. Shares must write disjoint memory.
   */
  run(exports: KernelExports, kernel: ThreadKernel, shares: readonly (readonly number[])[]): void {
    this.post(kernel, (w) => shares[w + 1] ?? [], 0, 0);
    const own = shares[0];
    try {
      if (own && own.length > 0) (exports[kernel] as (...args: number[]) => void)(...own);
    } finally {
      this.join(kernel); // the workers finish this call before the next one can start
    }
  }

  /**
   * Runs kernel(...fixed, u0, u1) over units [0, units) in chunks of `chunk`, each thread taking the next chunk
   * until none is left. Chunks must write disjoint memory.
   */
  runChunked(
    exports: KernelExports,
    kernel: ThreadKernel,
    fixed: readonly number[],
    units: number,
    chunk: number,
  ): void {
    this.post(kernel, () => fixed, units, chunk);
    const run = exports[kernel] as (...args: number[]) => void;
    const control = this.control;
    try {
      for (let u = Atomics.add(control, NEXT, chunk); u < units; u = Atomics.add(control, NEXT, chunk)) {
        run(...fixed, u, Math.min(u + chunk, units));
      }
    } finally {
      this.join(kernel);
    }
  }

  /** Writes each worker's arguments and the call, then wakes the workers. */
  private post(
    kernel: ThreadKernel,
    argsOf: (worker: number) => readonly number[],
    units: number,
    chunk: number,
  ): void {
    if (this.closed) throw new Error('ThreadPool.run after close');
    const control = this.control;
    const workers = this.workers.length;
    for (let w = 0; w < workers; w++) {
      const args = argsOf(w);
      if (args.length >= SLOT_WORDS) throw new Error(`ThreadPool: ${args.length} arguments do not fit a worker's slot`);
      const slot = SLOTS + w * SLOT_WORDS;
      control[slot] = args.length;
      for (let i = 0; i < args.length; i++) control[slot + 1 + i] = args[i] ?? 0;
    }
    control[KIND] = THREAD_KERNELS.indexOf(kernel);
    control[UNITS] = units;
    control[CHUNK] = chunk;
    Atomics.store(control, NEXT, 0);
    Atomics.store(control, FAILED, 0);
    Atomics.store(control, PENDING, workers);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
  }

  /** Waits until every worker is done with the current call. */
  private join(kernel: ThreadKernel): void {
    const control = this.control;
    const until = performance.now() + SPIN_MS;
    for (let left = Atomics.load(control, PENDING); left !== 0; left = Atomics.load(control, PENDING)) {
      if (performance.now() > until && mayBlock(control)) Atomics.wait(control, PENDING, left);
    }
    if (Atomics.load(control, FAILED) !== 0) throw new Error(`a kernel thread failed in ${kernel}`);
  }

  /** Stops the workers; the pool cannot run again. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.control[KIND] = -1;
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) worker.terminate();
  }
}
