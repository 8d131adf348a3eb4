// `mbe-snn fit <fn> --T 16 [--N 4] [--domain a,b] [--seed 1]`: fits a neuron, prints its errors and
// writes the JSON table entry (to --out, or to stdout with --json).
import { Kernels } from '../kernels/index.js';
import { NEURON_VARIANTS, type NeuronVariant } from '../neurons/entry.js';
import { fitNeuron } from '../neurons/fit/fit-neuron.js';
import { TARGET_NAMES, targetByName } from '../neurons/targets.js';
import { domainOption, intOption, positiveOption } from './args.js';
import { command, UsageError } from './command.js';
import { openOutput } from './output.js';

const HELP = `Usage: mbe-snn fit <function> --T <steps> [options]

Fits a neuron to <function> (${TARGET_NAMES.join(', ')}) and prints its held-out errors.

Options:
  --T <1..32>          timesteps (required)
  --N <1..8>           bases (default: the function's default, 4 or 8)
  --domain <a,b>       input domain (default: the function's default domain)
  --variant <name>     ${NEURON_VARIANTS.join(' | ')} (default mbe)
  --seed <int>         training-sample seed (default 1)
  --seeds <int>        initialisations tried, best kept (default 3)
  --epochs <int>       Adam epochs per initialisation (default 900)
  --lr <number>        learning rate (default 0.05, times 0.995 per epoch, halved at each of 3 phases)
  --out <file.json>    write the table entry there
  --json               print the table entry as JSON instead of the summary`;

export const fitCommand = command({
  name: 'fit',
  summary: 'fit an MBE (or FS) neuron to a function and print its errors',
  options: {
    T: { type: 'string' },
    N: { type: 'string' },
    domain: { type: 'string' },
    variant: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  },
  help: HELP,
  positionals: { max: 1, what: 'the target function' },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError(`fit takes one function name\n\n${HELP}`);
    const target = targetByName(positionals[0] as string).name;
    const T = intOption('T', values.T, 1, 32);
    if (T === undefined) throw new UsageError(`--T is required\n\n${HELP}`);
    const variant = values.variant as NeuronVariant | undefined;
    if (variant !== undefined && !NEURON_VARIANTS.includes(variant)) {
      throw new UsageError(`--variant must be one of ${NEURON_VARIANTS.join(', ')}, got "${variant}"`);
    }
    const request = dropUndefined({
      target,
      T,
      N: intOption('N', values.N, 1, 8),
      domain: domainOption(values.domain),
      variant,
      sampleSeed: intOption('seed', values.seed, 0, 2 ** 32 - 1),
      seeds: intOption('seeds', values.seeds, 1, 64),
      epochs: intOption('epochs', values.epochs, 0, 100_000),
      learningRate: positiveOption('lr', values.lr),
    });
    const out = await openOutput(values.out); // before the fit: a bad path fails now
    const kernels = await Kernels.load();
    const { entry } = fitNeuron(kernels, request);
    const json = `${JSON.stringify(entry, null, 2)}\n`;
    await out?.write(json);
    if (values.json) {
      process.stdout.write(json);
      return 0;
    }
    const [a, b] = entry.domain;
    console.log(`${entry.target} (${targetByName(entry.target).description})`);
    console.log(`  ${entry.variant} neuron, N = ${entry.N}, T = ${entry.T}, domain [${a}, ${b}]`);
    console.log(
      `  held-out MSE ${entry.heldOut.mse.toExponential(3)}, max |error| ${entry.heldOut.maxError.toExponential(3)}`,
    );
    console.log(`    (${entry.heldOut.samples} uniform samples, float32 membrane kernel)`);
    if (entry.fit) {
      const f = entry.fit;
      console.log(
        `  training MSE ${f.trainMse.toExponential(3)}: best of ${f.seeds} initialisations (seed ${f.bestSeed}),`,
      );
      console.log(
        `    ${f.epochs} epochs in ${f.phases} phases, lr ${f.learningRate} x ${f.lrDecay}/epoch, ${f.seconds.toFixed(1)} s`,
      );
    }
    if (values.out) console.log(`  wrote ${values.out}`);
    return 0;
  },
});

/** Drops undefined fields (exactOptionalPropertyTypes). */
function dropUndefined<T extends object>(record: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
