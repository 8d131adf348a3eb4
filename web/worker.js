// The demo's Web Worker: parses the model files, converts the model, runs the float and the spiking model
// side by side and posts progress, streamed text and the results, so the page never freezes.
import * as mbe from '../dist/browser/mbe-snn.min.js';

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
    const { model, files, options } = event.data;
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
    const result =
      model === 'llama2c'
        ? runLlama2c(kernels, neurons, files, spiking, options)
        : await runVit(kernels, neurons, files, spiking, options);
    post({ type: 'result', model, variant: kernels.variant, ...result });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};

function runLlama2c(kernels, neurons, files, spiking, options) {
  const checkpoint = mbe.parseLlama2c(new Uint8Array(files.checkpoint), files.checkpointName);
  const tokenizer = mbe.parseTokenizer(
    new Uint8Array(files.tokenizer),
    checkpoint.config.vocabSize,
    files.tokenizerName,
  );
  // Paragraphs 300-307 of a long text file (the fixture's calibration set), else the built-in stories.
  const paragraphs = mbe.splitParagraphs(files.text ?? CALIBRATION_TEXT);
  const calibration = mbe.encodeParagraphs(
    tokenizer,
    paragraphs.length >= 308 ? paragraphs.slice(300, 308) : paragraphs,
  );
  post({ type: 'status', text: `converting (calibration on ${calibration.length} paragraphs)` });
  const conversion = mbe.convertLlama2c(kernels, checkpoint, calibration, { spiking, neurons });
  const prompt = options.prompt ? tokenizer.encode(options.prompt, { bos: true }) : [1];
  const settings = { prompt, steps: options.steps };
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
async function idxBytes(buffer, name) {
  const bytes = new Uint8Array(buffer);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? mbe.gunzip(bytes, name) : bytes;
}

async function runVit(kernels, neurons, files, spiking, options) {
  const tensors = mbe.floatTensorMap(mbe.parseSafetensors(new Uint8Array(files.model), files.modelName));
  const images = mbe.parseIdxImages(await idxBytes(files.images, files.imagesName), files.imagesName);
  const labels = mbe.parseIdxLabels(await idxBytes(files.labels, files.labelsName), files.labelsName);
  const size = images.rows * images.cols;
  const count = Math.min(options.images, images.count - 32);
  // Calibrate on the last 32 images, classify the first `count`: calibration never sees a scored image.
  const calibration = images.pixels.subarray((images.count - 32) * size);
  post({ type: 'status', text: 'converting (calibration on 32 images)' });
  const conversion = mbe.convertVit(kernels, tensors, calibration, 32, { spiking, neurons });
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
  const rates = mbe.linePlot({
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
    return mbe.linePlot({
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
