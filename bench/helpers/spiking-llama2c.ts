// The spiking llama2.c model the speed benchmarks run (bench/e2e.ts, bench/threads.ts): calibrated on random token
// ids with quick neuron fits, since a model's speed does not depend on its neurons' accuracy (random weights have
// no accuracy to keep).
import { NeuronProvider, SpikingOpSet, type Kernels } from '../../src/index.js';
import { calibrateModel } from '../../src/convert/convert.js';
import type { CausalLM } from '../../src/models/interfaces.js';
import type { llama2cBuilder } from '../../src/models/llama2c.js';
import { seededRandom } from '../../src/random.js';

export const SPIKING_T = 16;
export const CALIBRATION = { sequences: 2, tokens: 32 };
export const QUICK_FITS = { seeds: 1, epochs: 30, phases: 1, samples: 2000 };

type Builder = ReturnType<typeof llama2cBuilder>;

/** The calibration of `builder`'s model on random ids (seeded), on `kernels`. */
export function calibrateOnRandomIds(kernels: Kernels, builder: Builder, vocabSize: number) {
  const random = seededRandom(4);
  return calibrateModel(
    kernels,
    (ops) => builder.build(ops),
    (m) => {
      for (let s = 0; s < CALIBRATION.sequences; s++) {
        m.forward(
          Array.from({ length: CALIBRATION.tokens }, () => Math.floor(random() * vocabSize)),
          0,
        );
      }
      m.dispose();
    },
  );
}

/** The spiking model at T = 16 in `mode`, from a calibration, on `kernels` (neurons fitted quickly there). */
export function spikingModel(
  kernels: Kernels,
  builder: Builder,
  calibrated: ReturnType<typeof calibrateOnRandomIds>,
  mode: 'equivalent' | 'spike-driven',
): CausalLM {
  const ops = new SpikingOpSet({
    kernels,
    calibration: calibrated.calibration,
    options: { T: SPIKING_T, mode },
    neurons: new NeuronProvider(kernels, { fit: QUICK_FITS }),
  });
  ops.resolve(calibrated.siteOps);
  return builder.build(ops);
}
