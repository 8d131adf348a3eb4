// The Hugging Face model tests' shared parts: the weight sets a golden test runs on, an encoder architecture's
// classifier and bare encoder over the float OpSet, every golden case through both, the FormatErrors of
// checkpoints that do not fit, and the spiking conversion at T = 16 in both modes with its checks against
// float and between the modes.
import { expect } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { convertBuilder, type Conversion } from '../../src/convert/convert.js';
import type { HfConfig } from '../../src/io/hf/config.js';
import type { SafetensorsTensor } from '../../src/io/safetensors.js';
import type { Kernels } from '../../src/kernels/index.js';
import type { ModelBuilder } from '../../src/models/builder.js';
import { FloatOpSet } from '../../src/ops/float-opset.js';
import { NeuronProvider } from '../../src/ops/neuron-provider.js';
import type { SpikingMode } from '../../src/ops/spiking/options.js';
import { maxAbsDiff, type GoldenCase, type HfFixture } from './hf-golden.js';
import { teeOpSet } from './tee-opset.js';

type Tensors = ReadonlyMap<string, SafetensorsTensor>;
type Class<M> = abstract new (...args: never[]) => M;

/** An hf-tiny folder, its -hot twin and the folder with a variant's weights, each titled as its test says it. */
export function weightSets(folder: string, variant: string): { title: string; folder: string; weights?: string }[] {
  return [
    { title: folder, folder },
    { title: `${folder}-hot`, folder: `${folder}-hot` },
    { title: `${folder} (${variant})`, folder, weights: variant },
  ];
}

/**
 * classifier() and encoder() of an encoder architecture: what its builder builds over the float OpSet, checked
 * to be the classification head or the bare model as config.architectures says.
 */
export function encoderModels<C, E>(
  builder: (config: HfConfig, tensors: Tensors, source: string) => ModelBuilder<C | E>,
  Classifier: Class<C>,
  Encoder: Class<E>,
): { classifier(f: HfFixture, kernels: Kernels): C; encoder(config: HfConfig, tensors: Tensors, kernels: Kernels): E } {
  function build<M>(kind: Class<M>, what: string, config: HfConfig, tensors: Tensors, source: string, k: Kernels): M {
    const model = builder(config, tensors, source).build(new FloatOpSet(k));
    if (!(model instanceof kind)) throw new Error(`expected the ${what}`);
    return model;
  }
  return {
    classifier: (f, kernels) => build(Classifier, 'classifier', f.config, f.tensors, f.source, kernels),
    encoder: (config, tensors, kernels) => build(Encoder, 'encoder', config, tensors, 'encoder', kernels),
  };
}

interface EncoderModel<I extends readonly unknown[]> {
  forward(...inputs: I): ArrayLike<number>;
  lastHiddenState(): ArrayLike<number>;
}

/**
 * Every golden case of `f` through the classifier (logits and its last hidden state) and the bare encoder
 * named `encoderName` (its last hidden state), each within the golden's tolerance; `more` checks a case
 * further and returns what to log of it.
 */
export function expectEncoderGolden<I extends readonly unknown[]>(
  label: string,
  f: HfFixture,
  inputs: (c: GoldenCase) => I,
  classifier: EncoderModel<I>,
  encoder: { name: string; model: EncoderModel<I> },
  more: (c: GoldenCase) => string | undefined = () => undefined,
): void {
  const atol = f.golden.tolerance.suggested_atol;
  for (const c of f.golden.cases) {
    const logits = maxAbsDiff(classifier.forward(...inputs(c)), c.logits);
    const hidden = maxAbsDiff(classifier.lastHiddenState(), c.last_hidden_state);
    const encoded = maxAbsDiff(encoder.model.forward(...inputs(c)), c.last_hidden_state);
    const extra = more(c);
    console.log(
      `${label} ${c.name}: max |logits - golden| ${logits.toExponential(2)}, hidden ${hidden.toExponential(2)}, ` +
        `${encoder.name} hidden ${encoded.toExponential(2)}${extra === undefined ? '' : `, ${extra}`}`,
    );
    expect(logits).toBeLessThanOrEqual(atol.logits);
    expect(hidden).toBeLessThanOrEqual(atol.last_hidden_state);
    expect(encoded).toBeLessThanOrEqual(atol.last_hidden_state);
  }
}

/** `build` throws a FormatError whose message matches `message`. */
export function expectFormatError(build: () => unknown, message: RegExp): void {
  expect(build).toThrow(FormatError);
  expect(build).toThrow(message);
}

/** One mode's conversion and the float and spiking outputs of every input. */
export interface ModeRun<M> {
  readonly conversion: Conversion<M>;
  readonly float: number[][];
  readonly spiking: number[][];
}

/** A builder converted at T = 16 in both modes, and the checks of its outputs. */
export interface BothModes<M> {
  readonly equivalent: ModeRun<M>;
  readonly 'spike-driven': ModeRun<M>;
  /**
   * In each mode: spiking outputs within `tolerance` of float with the same argmax on every input, every site
   * spiking but the residual adds, and the builder's non-spiking operations reported.
   */
  expectNearFloat(label: string, tolerance: number): void;
  /**
   * The modes' outputs end to end within `tolerance`; with `opByOp`, also every op of the model on the same
   * operands (teeOpSet) to float32 rounding, over every site.
   */
  expectModesAgree(label: string, tolerance: number, options?: { opByOp?: boolean }): void;
}

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

/**
 * `builder` converted at T = 16 in both modes with short neuron fits, calibrated on `inputs`; `forward` runs
 * one input through a model.
 */
export function convertInBothModes<M, X>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  inputs: readonly X[],
  forward: (model: M, input: X) => ArrayLike<number>,
): BothModes<M> {
  const neurons = new NeuronProvider(kernels, { fit: { seeds: 1, epochs: 150, samples: 3000 } });
  const runAll = (m: M) => inputs.forEach((x) => forward(m, x));
  const outputs = (m: M) => inputs.map((x) => Array.from(forward(m, x)));
  const run = (mode: SpikingMode): ModeRun<M> => {
    const conversion = convertBuilder(kernels, builder, runAll, { spiking: { T: 16, mode }, neurons });
    return { conversion, float: outputs(conversion.float), spiking: outputs(conversion.spiking) };
  };
  const equivalent = run('equivalent');
  const spikeDriven = run('spike-driven');
  return {
    equivalent,
    'spike-driven': spikeDriven,
    expectNearFloat(label, tolerance) {
      for (const [mode, r] of [
        ['equivalent', equivalent],
        ['spike-driven', spikeDriven],
      ] as const) {
        const error = Math.max(...r.spiking.map((row, i) => maxAbsDiff(row, r.float[i])));
        const agree = r.spiking.filter((row, i) => argmax(row) === argmax(r.float[i]!)).length;
        console.log(
          `${label} T = 16 ${mode}: max |spiking - float logits| ${error.toExponential(2)}, ` +
            `argmax agrees on ${agree} / ${r.float.length}`,
        );
        expect(error).toBeLessThan(tolerance);
        expect(agree).toBe(r.float.length);
        const { report } = r.conversion;
        expect(report.sites.filter((s) => !(s.spiking || s.family === 'residual'))).toEqual([]);
        expect(report.nonSpiking).toEqual(expect.arrayContaining([...builder.nonSpiking]));
      }
    },
    expectModesAgree(label, tolerance, { opByOp = false } = {}) {
      const modes = Math.max(...equivalent.spiking.map((row, i) => maxAbsDiff(row, spikeDriven.spiking[i])));
      if (!opByOp) {
        console.log(`${label} T = 16: max |equivalent - spike-driven logits| end to end ${modes.toExponential(2)}`);
        expect(modes).toBeLessThan(tolerance);
        return;
      }
      const worst = new Map<string, number>();
      runAll(builder.build(teeOpSet(equivalent.conversion.ops, spikeDriven.conversion.ops, worst)));
      const perOp = Math.max(...worst.values());
      console.log(
        `${label} T = 16, equivalent vs spike-driven: max relative op difference on the same operands ` +
          `${perOp.toExponential(2)} over ${worst.size} sites; max |logits difference| end to end ${modes.toExponential(2)}`,
      );
      expect(worst.size).toBe(equivalent.conversion.report.sites.length);
      expect(perOp).toBeLessThan(1e-5);
      expect(modes).toBeLessThan(tolerance);
    },
  };
}
