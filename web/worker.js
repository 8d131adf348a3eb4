// The demo's Web Worker: loads the model files through the library's architecture registry (files by role,
// or a Hugging Face model folder's files by base name), converts the model, runs the float and the spiking
// model side by side and posts progress, streamed text and the results, so the page never freezes.
import * as mbe from '../dist/browser/mbe-snn.min.js';
import { frontierSvg, linePlot } from '../dist/browser/mbe-snn-plot.min.js';

/**
 * Calibration text of an encoder when no text file is given (an encoder cannot sample its own text, as a causal
 * LM does): short stories unlike any typed in the prompt box.
 */
const CALIBRATION_TEXT = [
  'Once upon a time, there was a little dog named Max. Max liked to run in the park with his ball.',
  'Lily and Tom went to the beach. They built a big sandcastle and found a pretty shell.',
  'The sun was hot, so the cat sat under the tree. A bird came and sang a happy song.',
  'Sam wanted to help his mom. He put the toys in the box and cleaned his room.',
].join('\n\n');

/** Calibration of a model folder without a tokenizer: this many sequences of random token ids. */
const RANDOM_SEQUENCES = 8;
const RANDOM_LENGTH = 32;
/** Paragraphs of the calibration text an encoder calibrates on. */
const ENCODER_PARAGRAPHS = 8;

/** Blank-line-separated paragraphs of a text, each tokenized (the CLI's paragraph convention). */
const encodeParagraphs = (tokenizer, text) =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => tokenizer.encode(p));

const post = (message) => self.postMessage(message);
const progress = (phase, done, total) => post({ type: 'progress', phase, done, total });

const RUNNERS = {
  'causal-lm': runLanguageModel,
  'image-classifier': runImageClassifier,
  'sequence-classifier': runSequenceModel,
  'sequence-encoder': runSequenceModel,
};

self.onmessage = async (event) => {
  try {
    const { model, files, data, options } = event.data;
    const entry = mbe.findArchitecture(model);
    if (!entry) throw new Error(`no architecture "${model}" in the registry`);
    // a frontier that cannot run says so before the model's run, not after it
    const frontierPlan = options.frontier ? frontierRequests(entry, options.frontier) : undefined;
    // kernel threads where the page is cross-origin isolated (npm run serve sends COOP/COEP); the same results
    const threads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    const kernels = await mbe.loadKernels({ threads });
    // neurons fitted by the page's earlier runs: no second fit of the same domain
    const cache = mbe.memoryNeuronCache();
    for (const [key, neuron] of event.data.neurons ?? []) cache.set(key, neuron);
    const neurons = new mbe.NeuronProvider(kernels, {
      cache,
      onFit: (r) =>
        post({ type: 'status', text: `fitting ${r.target} on [${r.domain.join(', ')}] at T = ${r.T} (about 30 s)` }),
    });
    post({
      type: 'status',
      text: `wasm build: ${kernels.variant}, ${kernels.threads} kernel thread${kernels.threads > 1 ? 's' : ''}`,
    });
    const spiking = {
      T: options.T,
      activationBases: options.N,
      mode: options.mode,
      spiking: { linearInputs: options.encodeLinear },
    };
    // The embedded stories260K (its own bundle, loaded only when chosen), or the files the page read.
    const modelFiles = event.data.embedded
      ? (await import('../dist/browser/mbe-snn-stories260K.js')).stories260K().files
      : new Map(Object.entries(files).map(([role, f]) => [role, { name: f.name, bytes: new Uint8Array(f.bytes) }]));
    const loaded = entry.load(modelFiles);
    const { frontierScore, ...result } = await RUNNERS[entry.task](
      kernels,
      neurons,
      entry,
      loaded,
      data,
      spiking,
      options,
      modelFiles,
    );
    const fitted = () => [...neurons.used].filter(([, u]) => u.source === 'fitted').map(([key, u]) => [key, u.entry]);
    post({
      type: 'result',
      model,
      task: entry.task,
      variant: kernels.variant,
      threads: kernels.threads,
      ...result,
      frontierPending: frontierPlan !== undefined,
      fitted: fitted(),
    });
    if (frontierPlan) {
      // after the result: the run the user asked for is shown whatever the frontier does
      try {
        const frontier = runFrontier(entry, spiking, frontierPlan, frontierScore);
        post({ type: 'frontier', frontier, fitted: fitted() });
      } catch (error) {
        post({ type: 'frontier-error', message: errorText(error) });
      }
    }
  } catch (error) {
    post({ type: 'error', message: errorText(error) });
  }
};

/** At most 40 characters of what the user typed, for a one-line message. */
const bounded = (text) => (text.length > 40 ? `${text.slice(0, 40)}...` : text);

const errorText = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** The frontier the page asks for, checked: its timesteps, count and budgets (parsed), for a task that has one. */
function frontierRequests(entry, { timesteps: texts, budgets, count }) {
  if (entry.task !== 'causal-lm' && entry.task !== 'image-classifier') {
    throw new Error(`the page plots a frontier for causal LMs and image classifiers; ${entry.name} is a ${entry.task}`);
  }
  const timesteps = texts.map((t) => (/^\d{1,2}$/.test(t) ? Number(t) : NaN));
  if (timesteps.length === 0 || timesteps.some((T) => !(T >= 1 && T <= 32))) {
    throw new Error(`frontier timesteps are integers in 1..32, e.g. 16,12,8; got "${bounded(texts.join(','))}"`);
  }
  if (!Number.isInteger(count) || count < 2 || count > 10000) {
    throw new Error(`the frontier scores 2 to 10000 items, got ${count}`);
  }
  const requests = budgets.map((text) => {
    const budget = mbe.parseBudget(text);
    if (!budget) {
      throw new Error(`a frontier budget is kl:<nats below 100> or agreement:<fraction>, got "${bounded(text)}"`);
    }
    return { text, request: { budget, levels: mbe.FRONTIER_ALLOCATION_LEVELS } };
  });
  return { timesteps, requests, count };
}

/** The prompt of a model without a tokenizer: space- (or comma-) separated token ids. */
function parseTokenIds(text) {
  const words = (text ?? '').split(/[\s,]+/).filter((w) => w.length > 0);
  if (words.length === 0) {
    throw new Error('the model folder has no tokenizer: type the prompt as space-separated token ids, e.g. 20 423 222');
  }
  return words.map((w) => {
    if (!/^\d+$/.test(w)) {
      throw new Error(
        `the model folder has no tokenizer, so the prompt must be token ids: "${w.slice(0, 20)}" is not one`,
      );
    }
    return Number(w);
  });
}

function checkIds(ids, vocabSize) {
  const bad = ids.find((id) => id >= vocabSize);
  if (bad !== undefined) throw new Error(`token id ${bad} is outside the vocabulary (0 .. ${vocabSize - 1})`);
}

/** Calibration without a tokenizer: RANDOM_SEQUENCES sequences of min(RANDOM_LENGTH, context) ids, seed 1. */
function randomCalibration(vocabSize, contextLength) {
  const random = mbe.seededRandom(1);
  const length = Math.min(RANDOM_LENGTH, contextLength);
  return Array.from({ length: RANDOM_SEQUENCES }, () => Array.from({ length }, () => Math.floor(random() * vocabSize)));
}
const RANDOM_NOTE = `calibration: ${RANDOM_SEQUENCES} sequences of ${RANDOM_LENGTH} random token ids (seed 1), as the folder has no tokenizer`;

/** The eos token ids of a folder's config.json, when it names them (generation without a tokenizer stops there). */
function configStopTokens(files) {
  const file = files.get('config.json');
  if (!file) return [];
  const eos = mbe.HfConfig.parse(file.bytes, file.name).raw('eos_token_id');
  return (Array.isArray(eos) ? eos : [eos]).filter((id) => Number.isInteger(id));
}

/** Token ids in and out: the prompt's ids, then an arrow and the generated ones. */
function idTokenizer(promptLength, stopTokens) {
  return {
    encode: (text) => parseTokenIds(text),
    decode: (ids) => {
      const prompt = ids.slice(0, promptLength).join(' ');
      return ids.length > promptLength ? `${prompt}\n→ ${ids.slice(promptLength).join(' ')}` : prompt;
    },
    stopTokens,
  };
}

function runLanguageModel(kernels, neurons, entry, { builder, tokenizer }, data, spiking, options, files) {
  let conversion, prompt, textTokenizer, calibrationNote, randomIds, calibration;
  if (tokenizer) {
    prompt = tokenizer.encode(options.prompt ?? '');
    if (prompt.length === 0 && tokenizer.bos !== undefined) prompt = [tokenizer.bos];
    if (prompt.length === 0) throw new Error('the tokenizer has no sequence-start token: type a prompt');
    textTokenizer = tokenizer;
  } else {
    prompt = parseTokenIds(options.prompt);
    textTokenizer = idTokenizer(prompt.length, configStopTokens(files));
  }
  if (data.text && tokenizer) {
    // The entry's calibration paragraphs of a long text file (the fixture's calibration set), else all of them.
    const { firstParagraph, paragraphs: count } = entry.calibration;
    const paragraphs = encodeParagraphs(tokenizer, data.text);
    calibration =
      paragraphs.length >= firstParagraph + count
        ? paragraphs.slice(firstParagraph, firstParagraph + count)
        : paragraphs;
    calibrationNote = `calibration: ${calibration.length} paragraphs of the calibration text`;
    post({ type: 'status', text: `converting (${calibrationNote})` });
    conversion = mbe.convertCausalLM(kernels, builder, calibration, { spiking, neurons });
  } else if (tokenizer) {
    // No text: the float model samples its own calibration text (seeded) from the sequence start.
    post({ type: 'status', text: 'converting (calibration on samples of the float model: no text given)' });
    const selfCalibrated = mbe.convertOnSelfSamples(kernels, builder, {
      spiking,
      neurons,
      start: prompt.slice(0, 1),
      stopTokens: tokenizer.stopTokens,
    });
    conversion = selfCalibrated.conversion;
    calibrationNote = `calibration: ${conversion.report.calibration}`;
  } else {
    post({ type: 'status', text: 'converting (calibration on random token ids: the folder has no tokenizer)' });
    calibrationNote = RANDOM_NOTE;
    conversion = mbe.convertBuilder(
      kernels,
      builder,
      (model) => {
        checkIds(prompt, model.vocabSize);
        randomIds = randomCalibration(model.vocabSize, model.contextLength);
        for (const ids of randomIds) model.forward(ids, 0);
      },
      { spiking, neurons },
    );
  }
  const settings = { prompt, steps: options.steps };
  const float = mbe.generate(conversion.float, textTokenizer, {
    ...settings,
    onToken: (_, text) => post({ type: 'stream', which: 'float', text }),
  });
  conversion.ops.counters.reset();
  const spikingRun = mbe.generate(conversion.spiking, textTokenizer, {
    ...settings,
    onToken: (_, text) => post({ type: 'stream', which: 'spiking', text }),
  });
  const frontierScore = languageModelScorer(
    kernels,
    neurons,
    builder,
    tokenizer,
    data,
    calibration,
    entry.calibration.firstParagraph,
    prompt,
  );
  // tokens after the prompt's
  const floatNew = float.tokens.slice(prompt.length - 1);
  const spikingNew = spikingRun.tokens.slice(prompt.length - 1);
  let same = 0;
  while (same < Math.min(floatNew.length, spikingNew.length) && floatNew[same] === spikingNew[same]) same++;
  return {
    frontierScore,
    prompt,
    tokenIds: !tokenizer,
    calibrationNote,
    ...(randomIds ? { calibration: randomIds } : {}),
    float: { text: float.text, tokens: float.tokens, tokensPerSecond: float.tokensPerSecond },
    spiking: {
      text: spikingRun.text,
      tokens: spikingRun.tokens,
      tokensPerSecond: spikingRun.tokensPerSecond,
      sameTokens: same,
      newTokens: spikingNew.length,
    },
    ...reports(kernels, conversion),
  };
}

const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const norm = (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** Milliseconds a call takes, and its result. */
function timed(f) {
  const started = performance.now();
  const value = f();
  return [value, performance.now() - started];
}

/**
 * A sequence classifier (logits by label) or an encoder (its pooled embedding) on the prompt box's text (or
 * token ids when the folder has no tokenizer), the float model and the spiking one.
 */
function runSequenceModel(kernels, neurons, entry, { builder, tokenizer }, data, spiking, options) {
  const classifier = entry.task === 'sequence-classifier';
  const text = (options.prompt ?? '').trim();
  let ids = tokenizer ? (text ? tokenizer.encode(text) : []) : parseTokenIds(text);
  if (ids.length === 0) throw new Error(`type a text to ${classifier ? 'classify' : 'embed'} in the prompt box`);
  let truncated = false;
  let calibration;
  let calibrationNote = RANDOM_NOTE;
  if (tokenizer) {
    calibration = encodeParagraphs(tokenizer, data.text ?? CALIBRATION_TEXT).slice(0, ENCODER_PARAGRAPHS);
    calibrationNote = `calibration: ${calibration.length} paragraphs of ${data.text ? 'the calibration text' : 'built-in stories'}`;
  }
  post({ type: 'status', text: `converting (${calibrationNote})` });
  const conversion = mbe.convertBuilder(
    kernels,
    builder,
    (model) => {
      if (ids.length > model.contextLength) {
        ids = ids.slice(0, model.contextLength);
        truncated = true;
      }
      checkIds(ids, model.vocabSize);
      calibration ??= randomCalibration(model.vocabSize, model.contextLength);
      for (const sequence of calibration) model.forward(sequence.slice(0, model.contextLength));
    },
    { spiking, neurons },
  );
  const output = (model) => {
    const out = model.forward(ids);
    return Array.from(classifier ? out : model.pooled());
  };
  post({ type: 'status', text: 'float model' });
  const [floatOut, floatMs] = timed(() => output(conversion.float));
  conversion.ops.counters.reset();
  post({ type: 'status', text: 'spiking model' });
  const [spikingOut, spikingMs] = timed(() => output(conversion.spiking));
  const common = {
    ...(tokenizer ? { text } : {}),
    tokens: ids,
    truncated,
    tokenIds: !tokenizer,
    calibrationNote,
    ...reports(kernels, conversion),
  };
  const diff = maxAbsDiff(spikingOut, floatOut);
  if (classifier) {
    const labels = [...conversion.float.labels];
    const label = (logits) => labels[logits.indexOf(Math.max(...logits))];
    return {
      ...common,
      labels,
      float: { logits: floatOut, label: label(floatOut), ms: floatMs },
      spiking: { logits: spikingOut, label: label(spikingOut), ms: spikingMs, maxAbsDiff: diff },
    };
  }
  const cosine = floatOut.reduce((s, v, i) => s + v * spikingOut[i], 0) / (norm(floatOut) * norm(spikingOut) || 1);
  return {
    ...common,
    hiddenSize: floatOut.length,
    float: { embedding: floatOut, head: floatOut.slice(0, 8), norm: norm(floatOut), ms: floatMs },
    spiking: {
      embedding: spikingOut,
      head: spikingOut.slice(0, 8),
      norm: norm(spikingOut),
      ms: spikingMs,
      cosine,
      maxAbsDiff: diff,
    },
  };
}

/** The bytes of an IDX file, gunzipped when they start with the gzip magic. */
async function idxBytes({ bytes, name }) {
  const array = new Uint8Array(bytes);
  return array[0] === 0x1f && array[1] === 0x8b ? mbe.gunzip(array, name) : array;
}

async function runImageClassifier(kernels, neurons, entry, { builder, input }, data, spiking, options) {
  if (!data.images || !data.labels) throw new Error('choose IDX images and labels, or use the served fixtures');
  const images = mbe.parseIdxImages(await idxBytes(data.images), data.images.name);
  const labels = mbe.parseIdxLabels(await idxBytes(data.labels), data.labels.name);
  // The model's input: the IDX images as they are, or converted and resized as its preprocessor says.
  const { height, width, channels } = input.image;
  const pixels =
    images.rows === height && images.cols === width && channels === 1
      ? images.pixels
      : mbe.prepareImages(mbe.idxImages(images.pixels, images.count, images.rows, images.cols), input.image, {
          resample: input.resample,
        });
  const size = height * width * channels;
  const perFold = entry.calibration.imagesPerFold;
  const count = Math.min(options.images, images.count - perFold);
  // Calibrate on the last images, classify the first `count`: calibration never sees a scored image.
  const calibration = pixels.subarray((images.count - perFold) * size);
  post({ type: 'status', text: `converting (calibration on ${perFold} images)` });
  const conversion = mbe.convertImageClassifier(kernels, builder, calibration, perFold, { spiking, neurons });
  const float = mbe.accuracy(conversion.float, pixels, labels.labels, count, (d, t) => progress('float', d, t));
  conversion.ops.counters.reset();
  const spikingRun = mbe.accuracy(conversion.spiking, pixels, labels.labels, count, (d, t) =>
    progress('spiking', d, t),
  );
  // The CLI's scheme: two folds of the first images, each calibrated on perFold images outside it, so a fold holds
  // at least perFold images.
  const scoredImages = (count) => Math.max(count, 2 * perFold);
  const frontierScore = (count, point) => {
    const r = mbe.evaluateImageClassifier(kernels, builder, pixels, labels.labels, {
      ...point,
      neurons,
      evaluate: scoredImages(count),
      calibrate: perFold,
    });
    return {
      float: r.float && 100 * r.float.accuracy,
      value: 100 * r.spiking.accuracy,
      energyRatio: r.energy.totals.ratio,
      siteT: r.allocations?.[0]?.siteT,
    };
  };
  frontierScore.metric = 'top-1 %';
  frontierScore.scored = (count) =>
    `top-1 on the first ${scoredImages(count)} images of ${data.images.name.split('/').pop()} in two folds, each ` +
    `calibrated on ${perFold} images outside it` +
    (count < 2 * perFold ? ` (at least 2 x ${perFold}: ${count} asked)` : '');
  frontierScore.maxCount = Infinity; // evaluateImageClassifier says what the images allow
  return {
    frontierScore,
    float: { correct: float.correct, total: float.total, predictions: Array.from(float.predictions) },
    spiking: { correct: spikingRun.correct, total: spikingRun.total, predictions: Array.from(spikingRun.predictions) },
    labels: Array.from(labels.labels.subarray(0, count)),
    pixels: images.pixels.slice(0, count * images.rows * images.cols), // the digits as drawn
    imageSize: images.rows,
    calibrationNote: `calibration: the last ${perFold} images of ${data.images.name.split('/').pop()} (never scored)`,
    ...reports(kernels, conversion),
  };
}

/**
 * How a causal LM's frontier points are scored: perplexity on the first paragraphs of the text (calibrated on the
 * run's calibration paragraphs), or with no text on the float model's own samples, as `mbe-snn eval` scores the
 * embedded model. Undefined without a tokenizer (random ids have nothing to score).
 */
function languageModelScorer(kernels, neurons, builder, tokenizer, data, calibration, firstParagraph, prompt) {
  if (!tokenizer) return undefined;
  let score;
  if (data.text && calibration) {
    const paragraphs = encodeParagraphs(tokenizer, data.text);
    // a long text calibrates on its paragraphs from firstParagraph on (runLanguageModel), so the first ones are unseen
    const disjoint = paragraphs.length >= firstParagraph + calibration.length;
    score = (count, point) => {
      const evaluated = paragraphs.slice(0, count);
      const r = mbe.evaluateCausalLMSequences(kernels, builder, evaluated, calibration, { ...point, neurons });
      return {
        float: r.float?.perplexity,
        value: r.spiking.perplexity,
        energyRatio: r.energy.totals.ratio,
        siteT: r.allocation?.siteT,
      };
    };
    score.scored = (count) =>
      `perplexity on the first ${count} paragraphs of the text` +
      (disjoint ? ' (not calibration paragraphs)' : ' (a short text: the calibration paragraphs themselves)');
    score.maxCount = disjoint ? firstParagraph : paragraphs.length;
  } else {
    score = (count, point) => {
      const r = mbe.evaluateCausalLMFidelity(kernels, builder, {
        ...point,
        neurons,
        start: prompt.slice(0, 1),
        stopTokens: tokenizer.stopTokens,
        evaluate: count,
      });
      return {
        float: r.fidelity.reference.perplexity,
        value: r.fidelity.candidate.perplexity,
        energyRatio: r.energy.totals.ratio,
        siteT: r.conversion.allocation?.siteT,
      };
    };
    score.scored = (count) => `perplexity on ${count} samples of the float model (seed ${mbe.SAMPLE_SEEDS.evaluation})`;
    score.maxCount = Infinity;
  }
  score.metric = 'perplexity';
  return score;
}

/**
 * The page's frontier: the operating points of the CLI's frontier command (every T with both codes, then each
 * budget) scored by the task's scorer on `count` items, the Pareto front, and its plot.
 */
function runFrontier(entry, spiking, { timesteps, requests, count }, score) {
  if (!score) throw new Error('the frontier needs a text to score: this model folder has no tokenizer');
  if (count > score.maxCount) throw new Error(`the frontier scores ${count} items; the data has ${score.maxCount}`);
  const total = 2 * timesteps.length + requests.length;
  let float;
  let done = 0;
  const points = mbe.frontierPoints(timesteps, requests, (label, T, code, allocate) => {
    post({ type: 'status', text: `frontier: ${label} (point ${++done} of ${total})` });
    const r = score(count, {
      spiking: { ...spiking, T, code },
      skipFloat: float !== undefined,
      ...(allocate ? { allocate } : {}),
    });
    float ??= r.float;
    return { value: r.value, energyRatio: r.energyRatio, ...(r.siteT ? { siteT: r.siteT } : {}) };
  });
  const front = mbe.markParetoFront(points, score.metric === 'perplexity');
  return {
    metric: score.metric,
    float,
    scored: score.scored(count),
    points,
    front: front.map((p) => p.label),
    svg: frontierSvg(entry.name, score.metric, float, points),
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
