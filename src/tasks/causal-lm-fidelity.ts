// A causal LM's conversion measured without a dataset: calibrated on sequences the float model samples itself
// (seeded, so every run converts the same way), then evaluated on other samples of the float model (another seed,
// never a calibration sample) by how closely the spiking model follows the float one: mean KL divergence of the
// next-token distributions, top-1 agreement, and the perplexity of both on those samples.
import { calibrateModel, heldWeights } from '../convert/convert.js';
import type { Kernels } from '../kernels/index.js';
import { energyReport, type EnergyReport } from '../metrics/energy.js';
import { fidelity, type FidelityResult } from '../metrics/fidelity.js';
import type { ModelBuilder } from '../models/builder.js';
import type { CausalLM } from '../models/interfaces.js';
import { convertCalibratedCausalLM, type CausalLMConversion, type CausalLMConvertOptions } from './language-model.js';
import { sampleSequences, type SelfSampleOptions } from './self-samples.js';

/** The seeds of the two sample sets: fixed, so that the conversion and the figures repeat exactly. */
export const SAMPLE_SEEDS = { calibration: 1, evaluation: 2 } as const;

export interface SampleSet {
  readonly sequences: number;
  readonly tokens: number;
  readonly seed: number;
}

export interface CausalLMFidelityOptions extends SelfCalibrationOptions {
  /** Evaluation samples (default 16). */
  readonly evaluate?: number;
  /** 'float': the float model sampling the evaluation set; 'spiking': both models scoring it. */
  readonly onProgress?: (phase: 'float' | 'spiking', done: number, total: number) => void;
}

export interface CausalLMFidelity<M extends CausalLM = CausalLM> {
  /** reference = the float model, candidate = the spiking one. */
  readonly fidelity: FidelityResult;
  readonly calibration: SampleSet;
  readonly evaluation: SampleSet;
  readonly temperature: number;
  readonly conversion: CausalLMConversion<M>;
  /** The spiking model's counters over the evaluation samples. */
  readonly energy: EnergyReport;
}

const count = (sequences: readonly (readonly number[])[]) => sequences.reduce((n, s) => n + s.length, 0);

export interface SelfCalibrationOptions extends CausalLMConvertOptions {
  /** Sequences the float model samples from `start`, and what ends one. */
  readonly start: readonly number[];
  readonly stopTokens?: readonly number[];
  /** Calibration samples (default 8). */
  readonly calibrate?: number;
  /** Tokens per sample at most, the start included (default: 256, or the context if shorter). */
  readonly maxTokens?: number;
  /** Sampling temperature (default 1). */
  readonly temperature?: number;
}

/** How samples are drawn: the same for the calibration and the evaluation sets, only the count and seed differ. */
export type SampleSettings = Pick<SelfSampleOptions, 'maxTokens' | 'stopTokens'> & { readonly temperature: number };

/**
 * A conversion calibrated on the float model's own samples (seed SAMPLE_SEEDS.calibration), those samples, and the
 * settings they were drawn with (for drawing more alike).
 */
export function convertOnSelfSamples<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  options: SelfCalibrationOptions,
): { readonly conversion: CausalLMConversion<M>; readonly calibration: number[][]; readonly sampling: SampleSettings } {
  let calibration: number[][] = [];
  let sampling: SampleSettings = { maxTokens: 0, temperature: 1 }; // set when calibration runs
  const describe = () =>
    `${calibration.length} sequences (${count(calibration)} tokens) sampled from the float model itself ` +
    `(temperature ${sampling.temperature}, seed ${SAMPLE_SEEDS.calibration}, up to ${sampling.maxTokens} tokens ` +
    'each): no dataset';
  // The calibrating model is the float model with observers: it samples its own calibration text.
  const calibrated = calibrateModel(
    kernels,
    (ops) => builder.build(ops),
    (model) => {
      sampling = {
        maxTokens: options.maxTokens ?? Math.min(256, model.contextLength),
        temperature: options.temperature ?? 1,
        ...(options.stopTokens ? { stopTokens: options.stopTokens } : {}),
      };
      calibration = sampleSequences(model, options.start, {
        ...sampling,
        count: options.calibrate ?? 8,
        seed: SAMPLE_SEEDS.calibration,
      });
    },
    heldWeights(options),
  );
  const conversion = convertCalibratedCausalLM(kernels, builder, calibrated, calibration, {
    ...options,
    calibration: describe,
  });
  return { conversion, calibration, sampling };
}

export function evaluateCausalLMFidelity<M extends CausalLM>(
  kernels: Kernels,
  builder: ModelBuilder<M>,
  options: CausalLMFidelityOptions,
): CausalLMFidelity<M> {
  const { conversion, calibration, sampling } = convertOnSelfSamples(kernels, builder, options);
  const onProgress = options.onProgress;
  const evaluated = sampleSequences(conversion.float, options.start, {
    ...sampling,
    count: options.evaluate ?? 16,
    seed: SAMPLE_SEEDS.evaluation,
    exclude: calibration,
    ...(onProgress ? { onProgress: (d, t) => onProgress('float', d, t) } : {}),
  });
  conversion.ops.counters.reset();
  const result = fidelity(conversion.float, conversion.spiking, evaluated, (d, t) => onProgress?.('spiking', d, t));
  const energy = energyReport(conversion.ops.counters.all());
  conversion.float.dispose();
  conversion.spiking.dispose();
  const set = (sequences: number[][], seed: number) => ({
    sequences: sequences.length,
    tokens: count(sequences),
    seed,
  });
  return {
    fidelity: result,
    calibration: set(calibration, SAMPLE_SEEDS.calibration),
    evaluation: set(evaluated, SAMPLE_SEEDS.evaluation),
    temperature: sampling.temperature,
    conversion,
    energy,
  };
}
