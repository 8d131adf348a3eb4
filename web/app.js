// The demo page: reads the chosen files (or the served fixtures), hands them to the worker, and shows the
// float and spiking models side by side as the worker reports. `window.mbeDemo` exposes the state to tests;
// `?fixtures&model=llama2c&T=16&steps=64&autorun` runs without clicks (`&frontier=16,8` adds the frontier); `?model=stories260K&autorun` (the default
// choice) runs the embedded model with no files at all. A Hugging Face model folder (a
// directory picker or several files; `?fixtures&model=gpt2` for an entry's served fixture folder) is read here
// with folderFromFiles, recognised from its config.json, and its files are moved (not copied) to the worker.
import {
  ARCHITECTURES,
  changeFromFloat,
  findArchitecture,
  folderFromFiles,
  hasHfTokenizer,
  HfConfig,
  MODEL_FOLDER_FILES,
  recogniseArchitecture,
} from '../dist/browser/mbe-snn.min.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** What the tests read: 'idle' | 'running' | 'done' | 'error', the last result and the streamed texts. */
window.mbeDemo = { status: 'idle', result: undefined, error: undefined, streams: { float: '', spiking: '' } };

/** Where the served fixtures keep each task's data (the models' own files come from the registry). */
const TASK_FIXTURES = {
  'causal-lm': { text: '/fixtures/text/tinystories_valid_part1.txt' },
  'image-classifier': {
    images: '/fixtures/mnist/t10k-0-5000-images-idx3-ubyte.gz',
    labels: '/fixtures/mnist/t10k-0-5000-labels-idx1-ubyte.gz',
  },
};
let useFixtures = params.has('fixtures');

/** The value of the model radio that stands for every Hugging Face folder entry of the registry. */
const FOLDER = 'folder';
/** The value of the embedded default model's radio (mbe-snn/stories260K: no files needed), read by the llama2c entry. */
const EMBEDDED = 'stories260K';
const EMBEDDED_ENTRY = 'llama2c';
/** Registry entries made of single files by role (llama2c, the MNIST ViT): one radio each. */
const FILE_ENTRIES = ARCHITECTURES.filter((entry) => entry.folder === undefined);
/** Registry entries read from a Hugging Face model folder: recognised from its config.json. */
const FOLDER_ENTRIES = ARCHITECTURES.filter((entry) => entry.folder !== undefined);
/** A served fixture folder may hold these besides config.json and the weights (the server 404s absent ones). */
const FOLDER_TOKENIZER_FILES = MODEL_FOLDER_FILES.filter(
  (name) => !['config.json', 'generation_config.json', 'preprocessor_config.json'].includes(name),
);
const TASK_NAMES = {
  'causal-lm': 'a causal language model: generates text',
  'image-classifier': 'an image classifier',
  'sequence-classifier': 'a sequence classifier: classifies the text typed in the prompt box',
  'sequence-encoder': 'an encoder: embeds the text typed in the prompt box',
};

/** The Hugging Face class a folder entry reads (from its summary), for messages. */
const className = (entry) => /Hugging Face (\w+)/.exec(entry.summary)?.[1] ?? entry.name;
const SUPPORTED = FOLDER_ENTRIES.map((entry) => `${className(entry)} (${entry.name})`).join(', ');
const baseName = (path) => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/** The folder picked last (File objects), and what its config.json says it is. */
let picked = [];
/** { entry, tokenizer } of the picked folder or the fixture, or { error }. */
let recognised;

/** A radio button and the file pickers of every single-file registry entry, then the model-folder radio. */
function buildModelChoice() {
  const box = $('models');
  const embedded = document.createElement('label');
  embedded.innerHTML =
    `<input type="radio" name="model" value="${EMBEDDED}" checked /> ${EMBEDDED}: the embedded default model, ` +
    'no files needed (karpathy/tinyllamas, MIT licence); calibrated on its own samples unless a text is given';
  box.append(embedded);
  FILE_ENTRIES.forEach((entry) => {
    const radio = document.createElement('label');
    radio.innerHTML = `<input type="radio" name="model" value="${entry.name}" /> ${entry.name}: ${entry.summary}`;
    const files = document.createElement('div');
    files.className = 'files';
    files.dataset.model = entry.name;
    for (const f of entry.files) {
      const label = document.createElement('label');
      label.textContent = `${f.description} `;
      const input = document.createElement('input');
      input.type = 'file';
      input.id = `file-${entry.name}-${f.role}`;
      label.append(input);
      files.append(label);
    }
    box.append(radio, files);
  });
  const radio = document.createElement('label');
  radio.innerHTML = `<input type="radio" name="model" value="${FOLDER}" /> Hugging Face model folder: the architecture is read from its config.json`;
  box.append(radio, document.querySelector(`.files[data-model="${FOLDER}"]`));
  $('folderSupported').textContent = `Supported: ${SUPPORTED}.`;
  for (const entry of FOLDER_ENTRIES) {
    const option = document.createElement('option');
    option.value = entry.name;
    option.textContent = `${entry.name}: /fixtures/${entry.folder.fixture.join('/')}/`;
    $('folderFixture').append(option);
  }
}

const selectedChoice = () => document.querySelector('input[name=model]:checked').value;
/** The entry the served fixtures stand for when the folder choice is made. */
const fixtureEntry = () => findArchitecture($('folderFixture').value);

/** The task whose fields to show: the single-file entry's, or the recognised folder's (undefined: not yet). */
function currentTask() {
  const choice = selectedChoice();
  if (choice === EMBEDDED) return findArchitecture(EMBEDDED_ENTRY).task;
  if (choice !== FOLDER) return findArchitecture(choice).task;
  if (picked.length > 0) return recognised?.entry?.task;
  return useFixtures ? fixtureEntry().task : undefined;
}

function showModelFields() {
  const choice = selectedChoice();
  const task = currentTask();
  for (const div of document.querySelectorAll('.files')) div.hidden = div.dataset.model !== choice;
  for (const div of document.querySelectorAll('.task')) div.hidden = !div.dataset.task.split(' ').includes(task);
  $('folderFixtureLabel').hidden = !useFixtures;
  const sequence = task === 'sequence-classifier' || task === 'sequence-encoder';
  $('promptLabel').textContent = sequence
    ? task === 'sequence-encoder'
      ? 'text to embed'
      : 'text to classify'
    : 'prompt';
  const idsOnly = choice === FOLDER && recognised?.tokenizer === false;
  // calibration text is read only by a tokenizer: without one the folder calibrates on random token ids
  $('textLabel').hidden = idsOnly;
  $('prompt').placeholder = idsOnly
    ? 'token ids, e.g. 20 423 222 (the folder has no tokenizer)'
    : choice === FOLDER
      ? 'text (token ids like 20 423 222 for a folder without a tokenizer)'
      : '(from the sequence start)';
}

/** Says what the folder is (or why it is not one the page runs), under the pickers and in `mbeDemo.folder`. */
function showRecognised(where) {
  const info = $('folderInfo');
  if (recognised?.error) {
    info.textContent = `${where}: ${recognised.error}`;
    info.className = 'note bad';
  } else if (recognised) {
    const { entry, tokenizer } = recognised;
    const words =
      entry.task === 'image-classifier'
        ? ''
        : tokenizer
          ? '; with its tokenizer'
          : '; no tokenizer files: type the prompt as space-separated token ids';
    info.textContent = `${where}: recognised as ${entry.name} (${className(entry)}), ${TASK_NAMES[entry.task]}${words}`;
    info.className = 'note ok';
  }
  // the error names what is supported already
  $('folderSupported').hidden = recognised?.error !== undefined;
  window.mbeDemo.folder = recognised?.error
    ? { error: recognised.error }
    : recognised && { entry: recognised.entry.name, task: recognised.entry.task, tokenizer: recognised.tokenizer };
  showModelFields();
}

/**
 * The registry entry of a model folder (base name -> { name, bytes }); an Error naming what config.json says
 * and what the page supports when no entry recognises it. `names`: the files looked at, for the message.
 */
function recogniseFolder(folder, names) {
  const config = folder.get('config.json');
  if (!config) {
    const list = names.length > 0 ? names.slice(0, 6).join(', ') + (names.length > 6 ? ', ...' : '') : 'none';
    throw new Error(`no config.json among the files (${list}): pick a Hugging Face model folder`);
  }
  const entry = recogniseArchitecture(folder);
  if (entry) return entry;
  const parsed = HfConfig.parse(config.bytes, config.name); // a FormatError when it is not a JSON object
  const classes = parsed.architectures;
  const says =
    classes.length > 0 ? `names the architecture ${classes.join(', ')}` : 'names no architecture ("architectures")';
  const type = parsed.modelType === undefined ? ' and no "model_type"' : ` (model_type "${parsed.modelType}")`;
  throw new Error(`${config.name} ${says}${type}, which the page does not support. Supported: ${SUPPORTED}.`);
}

/** Whether the names include a tokenizer's files (tokenizer.json, vocab.json + merges.txt, vocab.txt). */
const tokenizerAmong = (names) => hasHfTokenizer(new Map(names.map((n) => [n, undefined])));

const message = (error) => (error instanceof Error ? error.message : String(error));

/** On a pick: reads the folder's config.json only (the weights are read when the model runs) and recognises it. */
async function previewFolder(files) {
  picked = files;
  recognised = undefined;
  if (picked.length === 0) return showModelFields();
  const names = picked.map((f) => baseName(f.webkitRelativePath || f.name));
  try {
    const configs = picked.filter((f) => baseName(f.webkitRelativePath || f.name) === 'config.json');
    const entry = recogniseFolder(await folderFromFiles(configs), names);
    recognised = { entry, tokenizer: tokenizerAmong(names) };
  } catch (error) {
    recognised = { error: message(error) };
  }
  const top = picked[0].webkitRelativePath?.split('/')[0];
  showRecognised(top ? `folder ${top} (${picked.length} files)` : `${picked.length} files`);
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return { bytes: await response.arrayBuffer(), name: url };
}

/** A file the folder may lack: undefined on 404. */
async function fetchOptional(url) {
  const response = await fetch(url);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return { bytes: await response.arrayBuffer(), name: url };
}

async function fileBytes(id, what) {
  const file = $(id).files[0];
  if (!file) throw new Error(`choose a ${what} file, or use the served fixtures`);
  return { bytes: await file.arrayBuffer(), name: file.name };
}

/**
 * A served fixture folder as FolderFiles: config.json, model.safetensors (or the index and its shards), the
 * tokenizer files it has and, for image classifiers, preprocessor_config.json.
 */
async function fetchFixtureFolder(entry) {
  const dir = `/fixtures/${entry.folder.fixture.join('/')}/`;
  const folder = new Map();
  const add = (base, file) => file && folder.set(base, { name: file.name, bytes: new Uint8Array(file.bytes) });
  add('config.json', await fetchBytes(`${dir}config.json`));
  const single = await fetchOptional(`${dir}model.safetensors`);
  if (single) add('model.safetensors', single);
  else {
    const index = await fetchBytes(`${dir}model.safetensors.index.json`);
    add('model.safetensors.index.json', index);
    const shards = new Set(Object.values(JSON.parse(new TextDecoder().decode(index.bytes)).weight_map ?? {}));
    for (const shard of shards) add(shard, await fetchBytes(`${dir}${shard}`));
  }
  const optional = entry.task === 'image-classifier' ? ['preprocessor_config.json'] : FOLDER_TOKENIZER_FILES;
  for (const base of optional) add(base, await fetchOptional(`${dir}${base}`));
  return { folder, where: `served fixture ${dir}` };
}

/** The model folder (picked, else the served fixture), its recognised entry and whether it has a tokenizer. */
async function gatherFolder() {
  let folder, where;
  if (picked.length > 0) {
    folder = await folderFromFiles(picked);
    const top = picked[0].webkitRelativePath?.split('/')[0];
    where = top ? `folder ${top} (${picked.length} files)` : `${picked.length} files`;
  } else if (useFixtures) {
    ({ folder, where } = await fetchFixtureFolder(fixtureEntry()));
  } else {
    throw new Error('choose a Hugging Face model folder (or its files), or use the served fixtures');
  }
  try {
    const names = picked.length > 0 ? picked.map((f) => baseName(f.webkitRelativePath || f.name)) : [...folder.keys()];
    recognised = { entry: recogniseFolder(folder, names), tokenizer: hasHfTokenizer(folder) };
  } catch (error) {
    recognised = { error: message(error) };
  }
  showRecognised(where);
  if (recognised.error) throw new Error(recognised.error);
  const files = {};
  for (const [base, file] of folder) files[base] = { name: file.name, bytes: ownBuffer(file.bytes) };
  return { entry: recognised.entry, files, tokenizer: recognised.tokenizer };
}

/** The bytes' own ArrayBuffer (to transfer), copied only when they are a view into a larger one. */
const ownBuffer = (bytes) =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;

/** The model's files by role and the task's data, from the fixtures or the pickers. */
async function gatherFiles(entry) {
  const files = {};
  for (const f of entry.files) {
    if (useFixtures && !f.fixture) throw new Error(`the fixtures have no ${entry.name} ${f.role} file: pick one`);
    files[f.role] = useFixtures
      ? await fetchBytes(`/fixtures/${f.fixture.join('/')}`)
      : await fileBytes(`file-${entry.name}-${f.role}`, f.description);
  }
  return { files, data: await gatherData(entry, true) };
}

/** The task's data: calibration text for text models (only read when there is a tokenizer), IDX images. */
async function gatherData(entry, tokenizer) {
  const data = {};
  if (entry.task === 'image-classifier') {
    const fixtures = TASK_FIXTURES[entry.task];
    for (const key of ['images', 'labels']) {
      data[key] = useFixtures ? await fetchBytes(fixtures[key]) : await fileBytes(key, `IDX ${key}`);
    }
  } else if (tokenizer) {
    const textFile = $('text').files[0];
    if (useFixtures && entry.task === 'causal-lm') {
      data.text = new TextDecoder().decode((await fetchBytes(TASK_FIXTURES['causal-lm'].text)).bytes);
    } else if (textFile) data.text = await textFile.text();
  }
  return data;
}

function options() {
  return {
    T: Number($('T').value),
    N: Number($('N').value),
    mode: $('mode').value,
    encodeLinear: $('encodeLinear').checked,
    steps: Number($('steps').value),
    prompt: $('prompt').value,
    images: Number($('imageCount').value),
    ...($('frontier').checked ? { frontier: frontierOptions() } : {}),
  };
}

/** The frontier's fields: timesteps and budgets as typed lists (checked by the worker), and how many items it scores. */
function frontierOptions() {
  const list = (id) =>
    $(id)
      .value.split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
  return {
    timesteps: list('frontierT'), // checked by the worker, which names what was typed
    budgets: list('frontierBudgets'),
    count: Number($('frontierCount').value),
  };
}

/** The frontier's plot and its table: each point's metric, change from float, energy and whether it is on the front. */
function showFrontier(frontier) {
  const { metric, float, points } = frontier;
  const lowerIsBetter = metric === 'perplexity';
  const decimals = lowerIsBetter ? 3 : 2;
  const width = Math.max(...points.map((p) => p.label.length));
  const rows = points.map(
    (p) =>
      `${p.label.padEnd(width)}  ${p.value.toFixed(decimals).padStart(8)}  ${changeFromFloat(p.value, float, lowerIsBetter).padStart(12)}  ` +
      `${(100 * p.energyRatio).toFixed(1).padStart(6)}%  ${p.onFront ? 'front' : ''}`,
  );
  $('frontierSection').hidden = false;
  $('frontierNote').textContent =
    `${metric} (float ${float.toFixed(decimals)}), ${frontier.scored}, against E_SNN / E_ANN (fp32, Eq. 14, ` +
    'compute only), the same points as `mbe-snn frontier`.';
  $('frontierPlot').innerHTML = frontier.svg;
  $('frontierTable').textContent = [
    `${'operating point'.padEnd(width)}  ${metric.padStart(8)}  ${'vs float'.padStart(12)}  E / E_ANN`,
    ...rows,
  ].join('\n');
}

function drawDigits(result) {
  const box = $('digits');
  box.replaceChildren();
  const size = result.imageSize;
  result.labels.forEach((label, i) => {
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext('2d');
    const image = context.createImageData(size, size);
    for (let p = 0; p < size * size; p++) {
      const v = result.pixels[i * size * size + p];
      image.data.set([v, v, v, 255], p * 4);
    }
    context.putImageData(image, 0, 0);
    const f = result.float.predictions[i];
    const s = result.spiking.predictions[i];
    const cell = document.createElement('div');
    cell.className = `digit${f !== s ? ' differs' : ''}${s !== label ? ' wrong' : ''}`;
    cell.append(canvas);
    cell.insertAdjacentHTML(
      'beforeend',
      `<div>label ${label}</div><div>float ${f}</div><div class="spiking">spiking ${s}</div>`,
    );
    box.append(cell);
  });
}

const tokenLine = (result) =>
  (result.text === undefined ? '' : `text: ${result.text}\n`) +
  `tokens (${result.tokens.length}): ${result.tokens.join(' ')}${result.truncated ? ' (truncated)' : ''}`;

/** Logits by label, the argmax marked, and the softmax probability of each. */
function logitsText(labels, logits) {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const best = logits.indexOf(max);
  const width = Math.max(...labels.map((l) => l.length));
  return labels
    .map((label, i) => {
      const value = logits[i].toFixed(4).padStart(9);
      return `${i === best ? '>' : ' '} ${label.padEnd(width)} ${value}  p ${(exps[i] / sum).toFixed(3)}`;
    })
    .join('\n');
}

const vectorText = (v) => `[${v.map((x) => x.toFixed(4)).join(', ')}, ...]`;

function show(result) {
  $('results').hidden = false;
  $('calibrationNote').textContent = result.calibrationNote ?? '';
  $('digits').replaceChildren();
  if (result.task === 'causal-lm') {
    $('floatOut').textContent = result.float.text;
    $('spikingOut').textContent = result.spiking.text;
    $('floatRate').textContent = `${result.float.tokensPerSecond.toFixed(0)} tokens/s`;
    $('spikingRate').textContent =
      `${result.spiking.tokensPerSecond.toFixed(0)} tokens/s; first ${result.spiking.sameTokens} of ` +
      `${result.spiking.newTokens} new tokens equal to float`;
  } else if (result.task === 'image-classifier') {
    const pct = (r) => `${((100 * r.correct) / r.total).toFixed(1)}% (${r.correct}/${r.total})`;
    $('floatOut').textContent = `top-1 ${pct(result.float)}`;
    $('spikingOut').textContent = `top-1 ${pct(result.spiking)}`;
    $('floatRate').textContent = '';
    $('spikingRate').textContent = '';
    drawDigits(result);
  } else if (result.task === 'sequence-classifier') {
    $('floatOut').textContent = `${tokenLine(result)}\n\n${logitsText(result.labels, result.float.logits)}`;
    $('spikingOut').textContent =
      `${tokenLine(result)}\n\n${logitsText(result.labels, result.spiking.logits)}\n\n` +
      `max |spiking - float| = ${result.spiking.maxAbsDiff.toExponential(2)}`;
    $('floatRate').textContent = `${result.float.label}; ${result.float.ms.toFixed(0)} ms`;
    $('spikingRate').textContent =
      `${result.spiking.label}${result.spiking.label === result.float.label ? ' (same label)' : ' (label differs)'}; ` +
      `${result.spiking.ms.toFixed(0)} ms`;
  } else {
    const { hiddenSize } = result;
    $('floatOut').textContent =
      `${tokenLine(result)}\n\nembedding (${hiddenSize} values), norm ${result.float.norm.toFixed(4)}:\n` +
      vectorText(result.float.head);
    $('spikingOut').textContent =
      `${tokenLine(result)}\n\nembedding (${hiddenSize} values), norm ${result.spiking.norm.toFixed(4)}:\n` +
      `${vectorText(result.spiking.head)}\n\ncosine to float ${result.spiking.cosine.toFixed(5)}, ` +
      `max |spiking - float| = ${result.spiking.maxAbsDiff.toExponential(2)}`;
    $('floatRate').textContent = `${result.float.ms.toFixed(0)} ms`;
    $('spikingRate').textContent =
      `${result.spiking.ms.toFixed(0)} ms; cosine to float ${result.spiking.cosine.toFixed(4)}`;
  }
  $('frontierSection').hidden = true;
  $('rates').innerHTML = result.ratesSvg;
  $('energy').textContent = result.energyText;
  $('curves').innerHTML = result.curveSvgs.join('');
  $('report').textContent = result.report;
}

/** Neurons fitted by earlier runs of this page (neuronKey -> entry), handed to the next worker. */
const fittedNeurons = new Map();

let worker;
async function run() {
  const choice = selectedChoice();
  const folderState = window.mbeDemo.folder;
  window.mbeDemo = { status: 'running', result: undefined, error: undefined, streams: { float: '', spiking: '' } };
  if (folderState) window.mbeDemo.folder = folderState;
  $('progress').hidden = false;
  $('run').disabled = true;
  $('status').textContent = 'loading files';
  try {
    let entry, files, data;
    const embedded = choice === EMBEDDED;
    if (embedded) {
      // the worker decodes the embedded model itself; only a calibration text the user picked goes with it
      entry = findArchitecture(EMBEDDED_ENTRY);
      files = {};
      const textFile = $('text').files[0];
      data = textFile ? { text: await textFile.text() } : {};
    } else if (choice === FOLDER) {
      let tokenizer;
      ({ entry, files, tokenizer } = await gatherFolder());
      data = await gatherData(entry, tokenizer);
    } else {
      entry = findArchitecture(choice);
      ({ files, data } = await gatherFiles(entry));
    }
    worker?.terminate();
    worker = new Worker('./worker.js', { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.type === 'status') $('status').textContent = data.text;
      if (data.type === 'progress') {
        $('bar').value = data.done / data.total;
        $('status').textContent = `${data.phase} model: ${data.done}/${data.total}`;
      }
      if (data.type === 'stream') {
        window.mbeDemo.streams[data.which] = data.text;
        $('results').hidden = false;
        $(data.which === 'float' ? 'floatOut' : 'spikingOut').textContent = data.text;
        $('status').textContent = `${data.which} model generating`;
      }
      if (data.type === 'result') {
        for (const [key, neuron] of data.fitted ?? []) fittedNeurons.set(key, neuron);
        window.mbeDemo.result = data;
        const done = `done (wasm build: ${data.variant}, ${data.threads} kernel thread${data.threads > 1 ? 's' : ''})`;
        $('status').textContent = data.frontierPending ? `${done}; the frontier follows` : done;
        $('bar').value = 1;
        show(data);
        if (!data.frontierPending) finish();
      }
      if (data.type === 'frontier') {
        for (const [key, neuron] of data.fitted ?? []) fittedNeurons.set(key, neuron);
        window.mbeDemo.frontier = data.frontier;
        $('status').textContent = 'done, with the frontier';
        showFrontier(data.frontier);
        finish();
      }
      if (data.type === 'frontier-error') {
        // the run itself is shown: only the frontier failed
        window.mbeDemo.frontierError = data.message;
        $('frontierSection').hidden = false;
        $('frontierNote').textContent = `frontier: ${data.message}`;
        $('frontierPlot').replaceChildren(); // no plot of an earlier run under this run's message
        $('frontierTable').textContent = '';
        $('status').textContent = `done; the frontier failed: ${data.message}`;
        finish();
      }
      if (data.type === 'error') fail(data.message);
    };
    worker.onerror = (event) => fail(event.message);
    const transfer = new Set(
      [...Object.values(files), ...Object.values(data)].map((v) => v.bytes).filter((v) => v instanceof ArrayBuffer),
    );
    const message = { model: entry.name, embedded, files, data, options: options(), neurons: [...fittedNeurons] };
    worker.postMessage(message, [...transfer]);
  } catch (error) {
    fail(message(error));
  }
}

function finish() {
  window.mbeDemo.status = 'done';
  $('run').disabled = false;
}

function fail(text) {
  window.mbeDemo.status = 'error';
  window.mbeDemo.error = text;
  $('status').textContent = `error: ${text}`;
  $('run').disabled = false;
}

buildModelChoice();
for (const radio of document.querySelectorAll('input[name=model]')) radio.addEventListener('change', showModelFields);
for (const id of ['folderDir', 'folderFiles']) {
  $(id).addEventListener('change', () => {
    // the other picker's choice is dropped: the folder is what was picked last
    const other = $(id === 'folderDir' ? 'folderFiles' : 'folderDir');
    other.value = '';
    void previewFolder([...$(id).files]);
  });
}
$('folderFixture').addEventListener('change', showModelFields);
$('useFixtures').addEventListener('click', () => {
  useFixtures = true;
  $('fixtureNote').textContent = 'using the fixtures served at /fixtures/';
  showModelFields();
});
$('setup').addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
for (const key of ['T', 'N', 'steps', 'imageCount', 'mode', 'prompt', 'frontierCount', 'frontierBudgets'])
  if (params.has(key)) $(key).value = params.get(key);
if (params.has('frontier')) {
  // ?frontier=16,8 plots the frontier at those T (?frontier alone: the default list)
  $('frontier').checked = true;
  if (params.get('frontier')) $('frontierT').value = params.get('frontier');
}
if (params.has('model')) {
  const name = params.get('model');
  const entry = findArchitecture(name);
  if (name === EMBEDDED) {
    document.querySelector(`input[name=model][value="${EMBEDDED}"]`).checked = true;
  } else if (name === FOLDER || entry?.folder) {
    document.querySelector(`input[name=model][value="${FOLDER}"]`).checked = true;
    if (entry) $('folderFixture').value = entry.name;
  } else if (entry) {
    document.querySelector(`input[name=model][value="${name}"]`).checked = true;
  }
}
if (params.has('fixtures')) $('fixtureNote').textContent = 'using the fixtures served at /fixtures/';
showModelFields();
if (params.has('autorun')) void run();
