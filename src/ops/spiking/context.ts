// What every spiking operator shares: the kernels, the resolved options, the calibration, where neurons
// come from, and the counters. Also the two ways a tensor becomes spikes: the identity code Q(x) and a
// fitted neuron.
import { InvalidArgumentError } from '../../errors.js';
import type { Kernels, MembraneTables, ResidentTables } from '../../kernels/index.js';
import type { NeuronEntry } from '../../neurons/entry.js';
import { weightedError } from '../../neurons/evaluate.js';
import { identityNeuron, neuronTables } from '../../neurons/neuron.js';
import { TARGETS, type TargetName } from '../../neurons/targets.js';
import type { Calibration, OperandRange } from '../calibration.js';
import type { SiteOp } from '../conventions.js';
import { OP_TABLE, type OperatorTarget, type SitePlan } from '../op-table.js';
import type { Instrumentation, OpFamily, SiteCounters } from '../instrumentation.js';
import type { NeuronProvider } from '../neuron-provider.js';
import type { ResolvedSpikingOptions } from './options.js';
import { activationDomain, identityRange, maxRange, powerOfTwoRange, saturationLevel } from './ranges.js';
import { Scratch } from './scratch.js';
import { chargeAgain, RowMemo, type CodedRows } from './row-memo.js';
import { signedDigitTrain } from './signed-digit.js';
import { sparseRound } from './sparse-rounding.js';
import { fire, type SpikeTrain } from './spike-train.js';

/** The identity code's range chosen for one operand of one site. */
export interface RangeChoice {
  readonly site: string;
  readonly operand: string;
  readonly alpha: number;
  readonly mode: 'static' | 'dynamic';
}

export class SpikingContext {
  /** Identity-code tables by T, then alpha (numbers, not a string key: formatting alpha cost more than the lookup). */
  private readonly identityCache = new Map<number, Map<number, MembraneTables>>();
  /** Each fitted neuron's kernel tables, derived once. */
  private readonly neuronTableCache = new WeakMap<NeuronEntry, MembraneTables>();
  /**
   * The tables' resident copies in wasm memory, made at their first run: a call then neither checks nor copies
   * them. The tables are never changed once made; a copy goes back when the context (and so its handle) is collected.
   */
  private readonly residentCache = new WeakMap<MembraneTables, ResidentTables>();
  /** Static ranges in use, by "site/operand". */
  readonly ranges = new Map<string, RangeChoice>();
  /** Activation neurons in use, by site. */
  readonly activationNeurons = new Map<string, NeuronEntry>();
  /** The operators' reusable buffers. */
  readonly scratch = new Scratch();
  /** Coded rows of products' second operands, kept for the next call on the same source. */
  private readonly rowMemo = new RowMemo();

  constructor(
    readonly kernels: Kernels,
    readonly options: ResolvedSpikingOptions,
    readonly calibration: Calibration,
    readonly neurons: NeuronProvider,
    readonly counters: Instrumentation,
  ) {}

  /** The timesteps of a site: its own siteT entry, else its family's, else T. */
  timesteps(site: string, family: OpFamily | 'residual'): number {
    const { siteT, T } = this.options;
    if (Object.hasOwn(siteT, site)) return siteT[site] as number;
    if (family !== 'residual' && Object.hasOwn(siteT, family)) return siteT[family] as number;
    return T;
  }

  /** A site's calibrated range for an operand; an uncalibrated site is an error. */
  calibrated(site: string, operand: string): OperandRange {
    const range = this.calibration.get(site)?.get(operand);
    if (!range || range.count === 0) {
      throw new InvalidArgumentError(
        `site "${site}" has no calibrated range for its operand "${operand}": run calibration over inputs that reach it`,
      );
    }
    return range;
  }

  /**
   * Q(x) for x (rows, rowLen): the fixed binary code on |x| with the sign carried, range per options. A linear
   * layer's input passes `inputWeights` (rowLen, see inputWeights; undefined for 1 everywhere), and then, with
   * options.spikeCost > 0, each value may round to a code value with fewer spikes (sparseRound); saturations are
   * counted on x itself.
   */
  encode(
    counters: SiteCounters,
    site: string,
    operand: string,
    x: Float32Array,
    rows: number,
    rowLen: number,
    inputWeights?: { readonly weights: Float32Array | undefined },
  ): SpikeTrain {
    const alpha = this.rangeOf(counters, site, operand, x, rows * rowLen);
    const { rounding, code, spikeCost } = this.options;
    if (inputWeights === undefined || spikeCost === 0) {
      return this.encodeFixed(counters, x, rows, rowLen, alpha, codeSlot(operand));
    }
    const T = this.timesteps(counters.site, counters.family);
    const rounded = this.scratch.f32(`sparse.${operand}`, rows * rowLen); // (rows, rowLen)
    sparseRound(x, rounded, rowLen, { alpha, T, rounding, code, spikeCost, weights: inputWeights.weights });
    return this.encodeFixed(counters, rounded, rows, rowLen, alpha, codeSlot(operand), x);
  }

  /**
   * Q(x) for a matrix product's second operand x (rows, rowLen), whose rows are coded one by one: the rows equal
   * to those of the previous call on the same source (the KV cache while decoding) are not fired again (RowMemo).
   * The counters are charged as encode() charges them.
   */
  encodeRows(
    counters: SiteCounters,
    site: string,
    operand: string,
    x: Float32Array,
    rows: number,
    rowLen: number,
  ): CodedRows {
    if (this.options.ranges === 'dynamic') {
      // the range follows the whole tensor, so a row's code changes with the others
      const train = this.encode(counters, site, operand, x, rows, rowLen);
      return { y: train.y, total: train.total };
    }
    const T = this.timesteps(counters.site, counters.family);
    const { alpha } = this.staticRange(site, operand, T);
    const { code, rounding } = this.options;
    const stepsPerElement = code === 'binary' ? T : T + 1; // signed digits: one recoding step per element (digits())
    const slot = codeSlot(operand);
    return this.rowMemo.encode(
      counters,
      `${site}/${operand}`,
      this.identityTables(alpha, T), // the options' code and rounding are fixed for the context
      x.subarray(0, rows * rowLen),
      rows,
      rowLen,
      stepsPerElement,
      saturationLevel(alpha, T, rounding),
      (fresh, freshRows) => this.encodeFixed(counters, fresh, freshRows, rowLen, alpha, slot),
    );
  }

  /**
   * Charges the counters as encodeRows on the same rows again would (every row a memo hit): a product reading a
   * block that the one before it coded (grouped-query heads) is charged as if it had coded the block itself.
   */
  chargeCodedAgain(counters: SiteCounters, coded: CodedRows): void {
    if (coded.again === undefined) throw new Error('chargeCodedAgain needs rows coded through the row memo');
    chargeAgain(counters, coded.again);
  }

  /**
   * ReLU(Q(x)): the identity code on one polarity, so negative inputs never reach a threshold (no spikes, 0) and
   * positive ones are coded as encode() codes them; the range as encode() chooses it.
   */
  rectify(counters: SiteCounters, site: string, operand: string, x: Float32Array, n: number): SpikeTrain {
    const alpha = this.rangeOf(counters, site, operand, x, n);
    const T = this.timesteps(counters.site, counters.family);
    const { input, train } = this.fire(counters, this.identityTables(alpha, T), 1, false, x, 1, n, `relu.${operand}`);
    const top = saturationLevel(alpha, T, this.options.rounding);
    for (let i = 0; i < input.length; i++) if ((input[i] as number) > top) counters.saturations++;
    return this.digits(counters, train, `relu.${operand}`);
  }

  /** The identity range of an operand: static from calibration, or per tensor (a non-spiking max-abs). */
  private rangeOf(counters: SiteCounters, site: string, operand: string, x: Float32Array, n: number): number {
    const T = this.timesteps(counters.site, counters.family);
    if (this.options.ranges !== 'dynamic') return this.staticRange(site, operand, T).alpha;
    let absMax = 0;
    for (let i = 0; i < n; i++) absMax = Math.max(absMax, Math.abs(x[i] as number));
    counters.comparisons += n; // the max-abs reduction is a non-spiking operation
    // no histogram at run time: the mse rule falls back to the largest magnitude
    return this.options.identityRange === 'power-of-two' ? powerOfTwoRange(absMax) : maxRange(absMax, T);
  }

  /** The static identity range of a site's operand at its T, from its calibrated range and histogram. */
  staticRange(site: string, operand: string, T: number): RangeChoice {
    const key = `${site}/${operand}`;
    let choice = this.ranges.get(key);
    if (!choice) {
      const range = this.calibrated(site, operand);
      const { identityRange: rule, rounding } = this.options;
      const alpha = identityRange(rule, Math.max(-range.min, range.max), T, rounding, range.histogram);
      choice = { site, operand, alpha, mode: 'static' };
      this.ranges.set(key, choice);
    }
    return choice;
  }

  /** Resolves a site's neurons and identity ranges as its op-table record lists them (fits happen here). */
  plan(site: string, siteOp: SiteOp): SitePlan {
    const record = OP_TABLE[siteOp.op];
    const T = this.timesteps(site, record.family);
    const alphas = new Map<string, number | 'dynamic'>();
    let neuron: NeuronEntry | undefined;
    for (const operand of record.calibrated) {
      if (operand.use === 'domain' && siteOp.activation !== 'relu') {
        if (siteOp.activation === undefined) throw new InvalidArgumentError(`site "${site}" has no activation kind`);
        neuron = this.activationNeuron(site, siteOp.activation, T);
      } else {
        // identity codes, and ReLU's one-polarity code (see rectify)
        const dynamic = this.options.ranges === 'dynamic';
        alphas.set(operand.name, dynamic ? 'dynamic' : this.staticRange(site, operand.name, T).alpha);
      }
    }
    const operatorNeurons = new Map(record.operatorNeurons.map((t) => [t, this.operatorNeuron(t, T)] as const));
    if (!neuron) return { alphas, neuron, operatorNeurons, T };
    const { x, count } = this.calibrated(site, 'x').histogram.points();
    const weightedMse = weightedError(this.kernels, neuron.neuron, TARGETS[neuron.target].f, x, count);
    return { alphas, neuron, operatorNeurons, T, weightedMse };
  }

  /**
   * Q(x) with a given range: saturations (|x| beyond the code's largest value) are counted. The mantissa-like
   * outputs of the exp2, reciprocal and rsqrt neurons use a range fixed by construction, 2. Saturations are
   * counted on `unrounded` where x was rounded from it (spike-aware rounding), else on x.
   */
  encodeFixed(
    counters: SiteCounters,
    x: Float32Array,
    rows: number,
    rowLen: number,
    alpha: number,
    slot: string,
    unrounded?: Float32Array,
  ): SpikeTrain {
    const T = this.timesteps(counters.site, counters.family);
    const { input, train } = this.fire(counters, this.identityTables(alpha, T), 1, true, x, rows, rowLen, slot);
    const top = saturationLevel(alpha, T, this.options.rounding);
    const source = unrounded ?? input;
    for (let i = 0; i < input.length; i++) if (Math.abs(source[i] as number) > top) counters.saturations++;
    return this.digits(counters, train, slot);
  }

  /** An identity code's train as the options carry it: binary as fired, or recoded into signed digits. */
  private digits(counters: SiteCounters, train: SpikeTrain, slot: string): SpikeTrain {
    if (this.options.code === 'binary') return train;
    const signed = signedDigitTrain(train, this.scratch, slot);
    // T + 1 digit positions, each a ternary spike (one side of the polarity pair)
    counters.neuronSteps += train.y.length;
    counters.spikes += signed.total - train.total;
    return signed;
  }

  /** A fitted neuron's spikes for x (rows, rowLen), counting inputs outside its domain as clamps. */
  fireNeuron(
    counters: SiteCounters,
    entry: NeuronEntry,
    x: Float32Array,
    rows: number,
    rowLen: number,
    slot: string,
  ): SpikeTrain {
    let tables = this.neuronTableCache.get(entry);
    if (!tables) {
      tables = neuronTables(entry.neuron);
      this.neuronTableCache.set(entry, tables);
    }
    const { signMagnitude } = entry.neuron;
    const { input, train } = this.fire(counters, tables, entry.N, signMagnitude, x, rows, rowLen, slot);
    const [a, b] = entry.domain;
    for (let i = 0; i < input.length; i++) {
      const v = input[i] as number;
      if (v < a || v > b) counters.clamps++;
    }
    return train;
  }

  /**
   * The activation neuron of a site on its calibrated domain (with margin): from the table or fitted uniformly, or
   * (activationFit `calibrated`) fitted with half its samples drawn from the site's calibrated inputs.
   */
  activationNeuron(site: string, target: TargetName, T: number): NeuronEntry {
    let entry = this.activationNeurons.get(site);
    if (!entry) {
      const range = this.calibrated(site, 'x');
      const domain = activationDomain(range.min, range.max, this.options.domainMargin);
      const request = { target, N: this.options.activationBases, T, domain };
      if (this.options.activationFit === 'calibrated') {
        const { x, count } = range.histogram.points();
        entry = this.neurons.get({ ...request, distribution: { x, weight: count } });
      } else {
        entry = this.neurons.get(request);
      }
      this.activationNeurons.set(site, entry);
    }
    return entry;
  }

  /** An operator neuron (exp2, reciprocal, rsqrt) at the site's T fired over x (rows, rowLen). */
  fireOperator(
    counters: SiteCounters,
    target: OperatorTarget,
    x: Float32Array,
    rows: number,
    rowLen: number,
    slot: string,
  ): SpikeTrain {
    const entry = this.operatorNeuron(target, this.timesteps(counters.site, counters.family));
    return this.fireNeuron(counters, entry, x, rows, rowLen, slot);
  }

  /** The exp2, reciprocal or rsqrt neuron of the operators at T, on its default domain. */
  operatorNeuron(target: OperatorTarget, T: number): NeuronEntry {
    const domain = TARGETS[target].defaultDomain;
    return this.neurons.get({
      target,
      N: this.options.operatorBases,
      T,
      domain: [domain[0], domain[1]],
    });
  }

  private identityTables(alpha: number, T: number): MembraneTables {
    let byAlpha = this.identityCache.get(T);
    if (!byAlpha) {
      byAlpha = new Map();
      this.identityCache.set(T, byAlpha);
    }
    let tables = byAlpha.get(alpha);
    if (!tables) {
      tables = neuronTables(identityNeuron(T, alpha, this.options.rounding));
      byAlpha.set(alpha, tables);
    }
    return tables;
  }

  /** Runs a neuron over the first rows * rowLen elements of x and counts its inputs, steps and spikes. */
  private fire(
    counters: SiteCounters,
    tables: MembraneTables,
    bases: number,
    signMagnitude: boolean,
    x: Float32Array,
    rows: number,
    rowLen: number,
    slot: string,
  ): { input: Float32Array; train: SpikeTrain } {
    const n = rows * rowLen;
    const input = n === x.length ? x : x.subarray(0, n);
    let resident = this.residentCache.get(tables);
    if (resident === undefined) {
      resident = this.kernels.residentTables(tables);
      this.residentCache.set(tables, resident);
    }
    const train = fire(this.kernels, tables, input, rows, signMagnitude, this.scratch, slot, resident);
    counters.spiking = true;
    counters.neuronInputs += n;
    counters.neuronSteps += n * bases * tables.T;
    counters.spikes += train.total;
    return { input, train };
  }
}

/** "code.<operand>", made once per operand name. */
const CODE_SLOTS = new Map<string, string>();
function codeSlot(operand: string): string {
  let slot = CODE_SLOTS.get(operand);
  if (slot === undefined) {
    slot = `code.${operand}`;
    CODE_SLOTS.set(operand, slot);
  }
  return slot;
}
