// The demo's Web Worker: loads the model files through the library's architecture registry, converts the model, runs the float and the spiking model
// side by side and posts progress, streamed text and the results, so the page never freezes.
import * as mbe from '../dist/browser/mbe-snn.min.js';
import { linePlot } from '../dist/browser/mbe-snn-plot.min.js';

/** Calibration text when no text file is given: short stories unlike any the page generates from. */
const CALIBRATION_TEXT = [
  'Once upon a time, there was a little dog named Max. Max liked to run in the park with his ball.',
  'Lily and Tom went to the beach. They built a big sandcastle and found a pretty shell.',
  'The sun was hot, so the cat sat under the tree. A bird came and sang a happy song.',
  'Sam wanted to help his mom. He put the toys in the box and cleaned his room.',
].join('\n\n');

const post = (message) => self.postMessage(message);
const progress = (phase, done, total) => post({ type: 'progress', phase, done, total });

self.onmessage = async (event) => {
  try {
    const { model, files, data, options } = event.data;
    const entry = mbe.findArchitecture(model);
    if (!entry) throw new Error(`no architecture "${model}" in the registry`);
    const kernels = await mbe.loadKernels();
    const neurons = new mbe.NeuronProvider(kernels, {
      onFit: (r) =>
        post({ type: 'status', text: `fitting ${r.target} on [${r.domain.join(', ')}] at T = ${r.T} (about 30 s)` }),
    });
    post({ type: 'status', text: `wasm build: ${kernels.variant}` });
    const spiking = {
      T: options.T,
      activationBases: options.N,
      mode: options.mode,
      spiking: { linearInputs: options.encodeLinear },
    };
    const modelFiles = new Map(
      Object.entries(files).map(([role, f]) => [role, { name: f.name, bytes: new Uint8Array(f.bytes) }]),
    );
    const loaded = entry.load(modelFiles);
    const run = entry.task === 'causal-lm' ? runLanguageModel : runImageClassifier;
    const result = await run(kernels, neurons, entry, loaded, data, spiking, options);
    post({ type: 'result', model, task: entry.task, variant: kernels.variant, ...result });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};

function runLanguageModel(kernels, neurons, entry, { builder, tokenizer }, data, spiking, options) {
  // The entry's calibration paragraphs of a long text file (the fixture's calibration set), else the
  // built-in stories.
  const { firstParagraph, paragraphs: count } = entry.calibration;
  const paragraphs = mbe.splitParagraphs(data.text ?? CALIBRATION_TEXT);
  const calibration = mbe.encodeParagraphs(
    tokenizer,
    paragraphs.length >= firstParagraph + count ? paragraphs.slice(firstParagraph, firstParagraph + count) : paragraphs,
  );
  post({ type: 'status', text: `converting (calibration on ${calibration.length} paragraphs)` });
  const conversion = mbe.convertCausalLM(kernels, builder, calibration, { spiking, neurons });
  const settings = { prompt: tokenizer.encode(options.prompt ?? ''), steps: options.steps };
  const float = mbe.generate(conversion.float, tokenizer, {
    ...settings,
    onToken: (_, text) => post({ type: 'stream', which: 'float', text }),
  });
  conversion.ops.counters.reset();
  const spikingRun = mbe.generate(conversion.spiking, tokenizer, {
    ...settings,
    onToken: (_, text) => post({ type: 'stream', which: 'spiking', text }),
  });
  let same = 0;
  while (
    same < Math.min(float.tokens.length, spikingRun.tokens.length) &&
    float.tokens[same] === spikingRun.tokens[same]
  )
    same++;
  return {
    float: { text: float.text, tokens: float.tokens, tokensPerSecond: float.tokensPerSecond },
    spiking: {
      text: spikingRun.text,
      tokens: spikingRun.tokens,
      tokensPerSecond: spikingRun.tokensPerSecond,
      sameTokens: same,
    },
    ...reports(kernels, conversion),
  };
}

/** The bytes of an IDX file, gunzipped when they start with the gzip magic. */
async function idxBytes({ bytes, name }) {
  const array = new Uint8Array(bytes);
  return array[0] === 0x1f && array[1] === 0x8b ? mbe.gunzip(array, name) : array;
}

async function runImageClassifier(kernels, neurons, entry, { builder }, data, spiking, options) {
  const images = mbe.parseIdxImages(await idxBytes(data.images), data.images.name);
  const labels = mbe.parseIdxLabels(await idxBytes(data.labels), data.labels.name);
  const size = images.rows * images.cols;
  const perFold = entry.calibration.imagesPerFold;
  const count = Math.min(options.images, images.count - perFold);
  // Calibrate on the last images, classify the first `count`: calibration never sees a scored image.
  const calibration = images.pixels.subarray((images.count - perFold) * size);
  post({ type: 'status', text: `converting (calibration on ${perFold} images)` });
  const conversion = mbe.convertImageClassifier(kernels, builder, calibration, perFold, { spiking, neurons });
  const float = mbe.accuracy(conversion.float, images.pixels, labels.labels, count, (d, t) => progress('float', d, t));
  conversion.ops.counters.reset();
  const spikingRun = mbe.accuracy(conversion.spiking, images.pixels, labels.labels, count, (d, t) =>
    progress('spiking', d, t),
  );
  return {
    float: { correct: float.correct, total: float.total, predictions: Array.from(float.predictions) },
    spiking: { correct: spikingRun.correct, total: spikingRun.total, predictions: Array.from(spikingRun.predictions) },
    labels: Array.from(labels.labels.subarray(0, count)),
    pixels: images.pixels.slice(0, count * size),
    imageSize: images.rows,
    ...reports(kernels, conversion),
  };
}

/** Energy report, per-layer firing-rate chart and the fitted neurons against their targets, as SVG. */
function reports(kernels, conversion) {
  const energy = mbe.energyReport(conversion.ops.counters.all());
  const rates = linePlot({
    title: 'Firing rate per layer (spiking model)',
    xLabel: 'layer group',
    yLabel: 'firing rate %',
    xTicks: energy.groups.map((_, i) => i),
    series: [{ label: 'firing rate', points: energy.groups.map((g, i) => [i, 100 * g.firingRate]), markers: true }],
  });
  const curves = [...conversion.ops.context.neurons.used.values()].map(({ entry }) => {
    const [a, b] = entry.domain;
    const x = Float32Array.from({ length: 400 }, (_, i) => a + ((b - a) * i) / 399);
    const y = mbe.simulate(kernels, entry.neuron, x);
    const f = mbe.TARGETS[entry.target].f;
    return linePlot({
      title: `${entry.target}: N = ${entry.N}, T = ${entry.T} on [${a}, ${b}]`,
      xLabel: 'x',
      yLabel: 'y',
      width: 420,
      height: 280,
      series: [
        { label: 'target', points: Array.from(x, (v) => [v, f(v)]), dashed: true },
        { label: 'MBE neuron', points: Array.from(x, (v, i) => [v, y[i]]) },
      ],
    });
  });
  return {
    report: mbe.formatConversionReport(conversion.report),
    energyText: mbe.formatEnergyReport(energy),
    groups: energy.groups.map((g) => ({ group: g.group, firingRate: g.firingRate })),
    ratio: energy.totals.ratio,
    ratesSvg: rates,
    curveSvgs: curves,
  };
}
