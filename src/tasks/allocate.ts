// Per-site timesteps chosen from calibration inputs alone, as mixed-precision quantisation allocates bits: each
// spiking site's sensitivity is measured by lowering its T alone (the change of the output distributions from the
// float model's, and the site's own energy at that T), then timesteps are taken away greedily where they save the
// most energy per unit of loss, within a budget. The additive estimate is checked by running the allocation, and
// the allowance the greedy pass may spend is searched on those checks (see allocateTimesteps).
import {
  convertCalibrated,
  heldWeights,
  type Calibrated,
  type Conversion,
  type ConvertOptions,
} from '../convert/convert.js';
import type { ModelBuilder } from '../models/builder.js';
import { InvalidArgumentError } from '../errors.js';
import type { Kernels } from '../kernels/index.js';
import { DEFAULT_ENERGY, type EnergyAssumptions } from '../metrics/energy.js';
import { argmax } from '../metrics/evaluate.js';
import { logSoftmax } from '../metrics/fidelity.js';
import { MAX_TIMESTEPS } from '../kernels/index.js';
import { OP_TABLE } from '../ops/op-table.js';
import type { OpFamily, OpName } from '../ops/conventions.js';
import type { SiteCounters } from '../ops/instrumentation.js';
import { FloatOpSet } from '../ops/float-opset.js';
import { OpRecording, ReplayOpSet } from '../ops/replay.js';
import type { OpSet } from '../ops/opset.js';
import { resolveSpikingOptions, type SpikingOptions } from '../ops/spiking/options.js';
import { SpikingOpSet } from '../ops/spiking/spiking-opset.js';

/** `kl`: mean KL(float || spiking) of the output distributions at most `value` nats; `agreement`: top-1 at least. */
export interface TimestepBudget {
  readonly metric: 'kl' | 'agreement';
  readonly value: number;
}

export interface AllocationRequest {
  readonly budget: TimestepBudget;
  /** Candidate timesteps, tried from the largest down (default 16, 12, 10, 8, 6). */
  readonly levels?: readonly number[];
  /**
   * Further candidates below the smallest level for the sites that are identity codes alone (linear inputs,
   * products of two activations, max pooling): they have no fitted neuron, so any T needs no table entry and no fit
   * (default none: on stories260K they did not lower the energy at a given budget, and add a run per site and level).
   */
  readonly codeLevels?: readonly number[];
  /** Cost constants of the energy estimate the allocation minimises (default fp32, Eq. 14). */
  readonly energy?: EnergyAssumptions;
  /** Probe rows of each site's sensitivity runs (default 512); the budget is checked on all of them (up to 4096). */
  readonly sensitivityRows?: number;
  /**
   * Memory for the uniform run's calls, MiB (default 256; 0: none): a sensitivity run returns the recorded
   * outputs of the calls upstream of its site instead of computing them again (ops/replay.ts). The allocation is
   * the same either way; only its time changes.
   */
  readonly replayMegabytes?: number;
}

/**
 * The outputs the budget is measured on: the model's logits (rows, classes) over the calibration inputs, at most
 * `rows` of them; fewer rows must give the first rows of more (a causal LM's positions, a classifier's inputs).
 */
export interface OutputProbe<M> {
  readonly run: (model: M, rows: number) => { readonly logits: Float32Array; readonly classes: number };
}

/** How close a spiking model's outputs are to the float model's, and its estimated energy. */
export interface ProbeResult {
  readonly kl: number;
  readonly agreement: number;
  /** E_SNN / E_ANN over the probe (the request's constants) */
  readonly energyRatio: number;
}

export interface SiteSensitivity {
  readonly site: string;
  readonly family: OpFamily;
  /** At each level, from the largest: the probe with only this site lowered, and the site's own energy, pJ. */
  readonly levels: readonly {
    readonly T: number;
    readonly kl: number;
    readonly agreement: number;
    readonly energyPj: number;
  }[];
}

export interface Allocation {
  readonly budget: TimestepBudget;
  readonly levels: readonly number[];
  readonly codeLevels: readonly number[];
  /** The chosen T of every spiking site (the options' siteT). */
  readonly siteT: Readonly<Record<string, number>>;
  /** Every site at the largest level, and the allocation as measured on the probe. */
  readonly uniform: ProbeResult;
  readonly allocated: ProbeResult;
  /** Whether the measured allocation is within the budget (false: even the safest retry overshot it). */
  readonly withinBudget: boolean;
  readonly sensitivities: readonly SiteSensitivity[];
  /** Spiking models run (one per site and lower level, plus the checks). */
  readonly evaluations: number;
  /** The fraction of the sensitivity runs' op calls returned from the uniform run's recording, not computed. */
  readonly replayed: number;
  readonly seconds: number;
}

export const DEFAULT_LEVELS: readonly number[] = [16, 12, 10, 8, 6];
const DEFAULT_SENSITIVITY_ROWS = 512;
const DEFAULT_REPLAY_MEGABYTES = 256;
/** Largest replay memory accepted, MiB. */
export const MAX_REPLAY_MEGABYTES = 16384;
/** Rows of the probe the budget is checked on at most (its float reference is kept in float64). */
export const MAX_PROBE_ROWS = 4096;
/** Greedy passes, each checked on the whole probe, in the search for the allowance (see allocateTimesteps). */
const MAX_ROUNDS = 6;

function checkRequest(request: AllocationRequest): { levels: readonly number[]; codeLevels: readonly number[] } {
  const { budget } = request;
  if (typeof budget !== 'object' || budget === null || (budget.metric !== 'kl' && budget.metric !== 'agreement')) {
    throw new InvalidArgumentError('allocation budget must be { metric: "kl" | "agreement", value }');
  }
  const ok = budget.metric === 'kl' ? budget.value >= 0 && budget.value < 100 : budget.value >= 0 && budget.value <= 1;
  if (typeof budget.value !== 'number' || !ok) {
    throw new InvalidArgumentError(
      `allocation budget ${budget.metric} must be ${budget.metric === 'kl' ? 'in [0, 100) nats' : 'in [0, 1]'}, got ${String(budget.value)}`,
    );
  }
  const levels = [...(request.levels ?? DEFAULT_LEVELS)].sort((a, b) => b - a);
  if (levels.length === 0 || levels.some((T) => !Number.isInteger(T) || T < 1 || T > MAX_TIMESTEPS)) {
    throw new InvalidArgumentError(
      `allocation levels must be integers in [1, ${MAX_TIMESTEPS}], got ${levels.join(', ')}`,
    );
  }
  if (new Set(levels).size !== levels.length) throw new InvalidArgumentError('allocation levels repeat a value');
  const lowest = levels[levels.length - 1] as number;
  const codeLevels = [...(request.codeLevels ?? [])].sort((a, b) => b - a);
  if (codeLevels.some((T, i) => !Number.isInteger(T) || T < 1 || T >= lowest || T === codeLevels[i - 1])) {
    throw new InvalidArgumentError(
      `allocation codeLevels must be distinct integers in [1, ${lowest - 1}] (below the levels), got ${codeLevels.join(', ')}`,
    );
  }
  const rows = request.sensitivityRows;
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 1 || rows > MAX_PROBE_ROWS)) {
    throw new InvalidArgumentError(
      `allocation sensitivityRows must be an integer in [1, ${MAX_PROBE_ROWS}], got ${String(rows)}`,
    );
  }
  const megabytes = request.replayMegabytes;
  if (megabytes !== undefined && !(Number.isFinite(megabytes) && megabytes >= 0 && megabytes <= MAX_REPLAY_MEGABYTES)) {
    throw new InvalidArgumentError(
      `allocation replayMegabytes must be in [0, ${MAX_REPLAY_MEGABYTES}], got ${String(megabytes)}`,
    );
  }
  return { levels, codeLevels };
}

/** Whether an op's spiking form is identity codes alone: no activation domain, no operator neuron. */
const codeOnly = (op: OpName) =>
  OP_TABLE[op].operatorNeurons.length === 0 && OP_TABLE[op].calibrated.every((operand) => operand.use === 'code');

/** log softmax of each row of `logits` (rows, classes), float64. */
function logSoftmaxRows(logits: Float32Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length); // (rows, classes)
  for (let r = 0; r * classes < logits.length; r++) {
    logSoftmax(logits.subarray(r * classes, (r + 1) * classes), out.subarray(r * classes, (r + 1) * classes));
  }
  return out;
}

/** Mean KL(reference || candidate) over rows and the fraction of rows whose argmax agree. */
function compare(reference: Float64Array, candidate: Float32Array, classes: number): { kl: number; agreement: number } {
  const q = logSoftmaxRows(candidate, classes);
  const rows = reference.length / classes;
  let kl = 0;
  let agree = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < classes; j++) {
      const p = reference[r * classes + j] as number;
      kl += Math.exp(p) * (p - (q[r * classes + j] as number));
    }
    const [from, to] = [r * classes, (r + 1) * classes];
    if (argmax(reference.subarray(from, to)) === argmax(candidate.subarray(from, to))) agree++;
  }
  return { kl: rows > 0 ? kl / rows : 0, agreement: rows > 0 ? agree / rows : 1 };
}

const siteEnergy = (c: SiteCounters, e: EnergyAssumptions) => c.sops * e.eAcPj + c.residualMacs * e.eMacPj;

/**
 * Chooses per-site timesteps for a calibrated model within a budget measured on `probe` (outputs over the
 * calibration inputs), minimising the estimated energy. `options.spiking` gives every other spiking option; its T
 * and siteT are replaced.
 */
export function allocateTimesteps<M extends { dispose(): void }>(
  kernels: Kernels,
  build: (ops: OpSet) => M,
  calibrated: Calibrated,
  probe: OutputProbe<M>,
  options: ConvertOptions,
  request: AllocationRequest,
): Allocation {
  const started = Date.now();
  const { levels, codeLevels } = checkRequest(request);
  const energy = request.energy ?? DEFAULT_ENERGY;
  const top = levels[0] as number;
  const spikingFamilies = resolveSpikingOptions({ ...options.spiking, T: top, siteT: {} }).spiking;
  const floatModel = build(new FloatOpSet(kernels, heldWeights(options)));
  const floatOutputs = probe.run(floatModel, MAX_PROBE_ROWS);
  floatModel.dispose();
  const { classes } = floatOutputs;
  const reference = logSoftmaxRows(floatOutputs.logits, classes);
  let evaluations = 0;
  const replayBytes = (request.replayMegabytes ?? DEFAULT_REPLAY_MEGABYTES) * 2 ** 20;
  const calls = { replayed: 0, computed: 0 }; // of the sensitivity runs
  /**
   * The spiking model with these per-site timesteps over the probe (only the spiking model is built). With a
   * recording and no studied site, its calls are recorded; with a studied site, the calls the recording holds are
   * replayed, and the energy ratio is not measured (the replayed calls are not counted).
   */
  const run = (
    siteT: Record<string, number>,
    rows = MAX_PROBE_ROWS,
    replay?: { recording: OpRecording; studied?: string },
  ) => {
    const spiking: SpikingOptions = { ...options.spiking, T: top, siteT };
    const ops = new SpikingOpSet({
      kernels,
      calibration: calibrated.calibration,
      options: spiking,
      ...(options.neurons ? { neurons: options.neurons } : {}),
      ...heldWeights(options),
    });
    ops.resolve(calibrated.siteOps);
    const replaying = replay && new ReplayOpSet(ops, replay.recording, replay.studied);
    const model = build(replaying ?? ops);
    const outputs = probe.run(model, rows);
    model.dispose();
    if (replaying && replay.studied !== undefined) {
      calls.replayed += replaying.statistics.replayed;
      calls.computed += replaying.statistics.computed;
    }
    const n = outputs.logits.length;
    if (outputs.classes !== classes || n > reference.length || (rows >= MAX_PROBE_ROWS && n !== reference.length)) {
      throw new Error('the probe gave the spiking model other outputs than the float one');
    }
    evaluations++;
    const counters = ops.counters.all();
    const floatPj = counters.reduce((sum, c) => sum + c.floatMacs, 0) * energy.eMacPj;
    const snnPj = counters.reduce((sum, c) => sum + siteEnergy(c, energy), 0);
    const bySite = new Map<string, number>();
    for (const c of counters) bySite.set(c.site, (bySite.get(c.site) ?? 0) + siteEnergy(c, energy));
    return {
      ...compare(reference.subarray(0, n), outputs.logits, classes),
      energyRatio: replay?.studied !== undefined ? NaN : floatPj > 0 ? snnPj / floatPj : 0,
      bySite,
      rows: n / classes,
    };
  };

  // the sites' sensitivities on the first rows only; a site's loss is against the uniform model's on the same rows,
  // whose calls are recorded for the sensitivity runs to replay
  const recording = new OpRecording(replayBytes);
  const sensitivityRows = request.sensitivityRows ?? DEFAULT_SENSITIVITY_ROWS;
  const uniformFew = run({}, sensitivityRows, { recording });
  // the same run when it already covered every row of the probe
  const uniform = uniformFew.rows * classes === reference.length ? uniformFew : run({});
  const { metric, value } = request.budget;
  /** What a result adds to the uniform model's loss: KL in nats, or the fraction of top-1 agreement lost. */
  const lossOf = (r: { kl: number; agreement: number }, against = uniform) =>
    metric === 'kl' ? r.kl - against.kl : against.agreement - r.agreement;
  const within = (r: ProbeResult) => (metric === 'kl' ? r.kl <= value : r.agreement >= value);
  const allowed = metric === 'kl' ? value - uniform.kl : uniform.agreement - value;

  const sites: { site: string; family: OpFamily; candidates: readonly number[] }[] = [];
  for (const [site, siteOp] of calibrated.siteOps) {
    const { family } = OP_TABLE[siteOp.op];
    const candidates = codeOnly(siteOp.op) ? [...levels, ...codeLevels] : levels;
    if (family !== 'residual' && spikingFamilies[family]) sites.push({ site, family, candidates });
  }
  const sensitivities: SiteSensitivity[] = sites.map(({ site, family, candidates }) => {
    const measured = [
      { T: top, kl: uniformFew.kl, agreement: uniformFew.agreement, energyPj: uniformFew.bySite.get(site) ?? 0 },
    ];
    for (const T of candidates.slice(1)) {
      const r = run({ [site]: T }, sensitivityRows, { recording, studied: site });
      measured.push({ T, kl: r.kl, agreement: r.agreement, energyPj: r.bySite.get(site) ?? 0 });
      if (lossOf(r, uniformFew) > allowed) break; // this site alone spends the whole budget: lower levels cannot be chosen
    }
    return { site, family, levels: measured };
  });

  // The loss of a site at each level, never less at a lower level (the measurements are noisy).
  const loss = sensitivities.map((s) => {
    let worst = 0;
    return s.levels.map((l) => (worst = Math.max(worst, lossOf(l, uniformFew))));
  });
  // The sites' losses do not add up exactly, so the allowance the greedy pass may spend is searched: doubled while
  // the measured allocation stays within the budget, then bisected between the largest that held and the smallest
  // that did not. The cheapest allocation measured within the budget is kept.
  let [held, failed, allowance] = [0, Infinity, allowed];
  let best: { siteT: Record<string, number>; result: ProbeResult } | undefined;
  const tried = new Map<string, boolean>(); // allocation -> within the budget
  for (let round = 0; round < MAX_ROUNDS && allowance >= 0; round++) {
    const state = greedy(sensitivities, loss, allowance);
    const siteT: Record<string, number> = {};
    state.forEach((level, i) => {
      const { site, levels: measured } = sensitivities[i] as SiteSensitivity;
      if (level > 0) siteT[site] = (measured[level] as { T: number }).T;
    });
    const key = JSON.stringify(siteT);
    let ok = tried.get(key);
    if (ok === undefined) {
      const { kl, agreement, energyRatio } = Object.keys(siteT).length > 0 ? run(siteT) : uniform;
      const result = { kl, agreement, energyRatio };
      ok = within(result);
      tried.set(key, ok);
      if (ok && (!best || result.energyRatio < best.result.energyRatio)) best = { siteT, result };
    } else if (ok && failed === Infinity) {
      break; // a larger allowance changed nothing: every step the greedy pass can take is taken
    }
    if (ok) held = allowance;
    else failed = allowance;
    allowance = failed === Infinity ? 2 * allowance : (held + failed) / 2;
  }
  const { kl, agreement, energyRatio } = uniform;
  const chosen = best ?? { siteT: {}, result: { kl, agreement, energyRatio } };
  const siteT: Record<string, number> = {};
  for (const { site } of sites) siteT[site] = chosen.siteT[site] ?? top;
  return {
    budget: request.budget,
    levels,
    codeLevels,
    siteT,
    uniform: { kl, agreement, energyRatio },
    allocated: chosen.result,
    withinBudget: within(chosen.result),
    sensitivities,
    evaluations,
    replayed: calls.replayed + calls.computed > 0 ? calls.replayed / (calls.replayed + calls.computed) : 0,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * Lowers sites one level at a time, taking each time the step that saves the most energy per unit of added loss,
 * while the added losses stay within the allowance. Returns each site's level index.
 */
function greedy(sensitivities: readonly SiteSensitivity[], loss: readonly number[][], allowance: number): number[] {
  const state = sensitivities.map(() => 0);
  let spent = 0;
  for (;;) {
    let pick = -1;
    let pickScore = -Infinity;
    sensitivities.forEach((s, i) => {
      const level = state[i] as number;
      const next = s.levels[level + 1];
      if (!next) return;
      const saved = (s.levels[level] as { energyPj: number }).energyPj - next.energyPj;
      const added = ((loss[i] as number[])[level + 1] as number) - ((loss[i] as number[])[level] as number);
      if (saved <= 0 || spent + added > allowance) return;
      const score = saved / (added + 1e-12);
      if (score > pickScore) [pick, pickScore] = [i, score];
    });
    if (pick < 0) return state;
    spent +=
      ((loss[pick] as number[])[(state[pick] as number) + 1] as number) -
      ((loss[pick] as number[])[state[pick] as number] as number);
    state[pick] = (state[pick] as number) + 1;
  }
}

/** Options of a task's conversion, which may choose per-site timesteps first. */
export interface AllocatingConvertOptions extends ConvertOptions {
  /** Choose per-site timesteps within a budget on the calibration inputs (allocateTimesteps). */
  readonly allocate?: AllocationRequest;
}

export type AllocatedConversion<M> = Conversion<M> & { readonly allocation?: Allocation };

/**
 * The conversion of a calibrated builder (its non-spiking declarations in the report); with `allocate`, its
 * per-site timesteps are chosen first on `probe`, the task's outputs over its calibration inputs.
 */
export function convertAllocating<M extends { dispose(): void }>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  calibrated: Calibrated,
  probe: OutputProbe<M>,
  options: AllocatingConvertOptions,
): AllocatedConversion<M> {
  const build = (ops: OpSet) => builder.build(ops);
  const convertOptions = {
    ...options,
    declaredNonSpiking: [...builder.nonSpiking, ...(options.declaredNonSpiking ?? [])],
  };
  if (!options.allocate) return convertCalibrated(kernels, build, calibrated, convertOptions);
  const allocation = allocateTimesteps(kernels, build, calibrated, probe, convertOptions, options.allocate);
  const spiking = { ...options.spiking, T: allocation.levels[0] as number, siteT: allocation.siteT };
  return { ...convertCalibrated(kernels, build, calibrated, { ...convertOptions, spiking }), allocation };
}
