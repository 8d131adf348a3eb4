// The demo page: reads the chosen files (or the served fixtures), hands them to the worker, and shows the
// float and spiking models side by side as the worker reports. `window.mbeDemo` exposes the state to tests;
// `?fixtures&model=llama2c&T=16&steps=64&autorun` runs without clicks.
import { ARCHITECTURES, findArchitecture } from '../dist/browser/mbe-snn.min.js';

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

/** A radio button and the file pickers of every registry entry. */
function buildModelChoice() {
  const box = $('models');
  ARCHITECTURES.forEach((entry, i) => {
    const radio = document.createElement('label');
    radio.innerHTML = `<input type="radio" name="model" value="${entry.name}" ${i === 0 ? 'checked' : ''} /> ${entry.name}: ${entry.summary}`;
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
}

function selectedModel() {
  return findArchitecture(document.querySelector('input[name=model]:checked').value);
}

function showModelFields() {
  const entry = selectedModel();
  for (const div of document.querySelectorAll('.files')) div.hidden = div.dataset.model !== entry.name;
  for (const div of document.querySelectorAll('.task')) div.hidden = div.dataset.task !== entry.task;
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return { bytes: await response.arrayBuffer(), name: url };
}

async function fileBytes(id, what) {
  const file = $(id).files[0];
  if (!file) throw new Error(`choose a ${what} file, or use the served fixtures`);
  return { bytes: await file.arrayBuffer(), name: file.name };
}

/** The model's files by role and the task's data, from the fixtures or the pickers. */
async function gatherFiles(entry) {
  const files = {};
  for (const f of entry.files) {
    files[f.role] = useFixtures
      ? await fetchBytes(`/fixtures/${f.fixture.join('/')}`)
      : await fileBytes(`file-${entry.name}-${f.role}`, f.description);
  }
  const fixtures = TASK_FIXTURES[entry.task];
  const data = {};
  if (entry.task === 'causal-lm') {
    const textFile = $('text').files[0];
    if (useFixtures) data.text = new TextDecoder().decode((await fetchBytes(fixtures.text)).bytes);
    else if (textFile) data.text = await textFile.text();
  } else {
    for (const key of ['images', 'labels']) {
      data[key] = useFixtures ? await fetchBytes(fixtures[key]) : await fileBytes(key, `IDX ${key}`);
    }
  }
  return { files, data };
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
  };
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

function show(result) {
  $('results').hidden = false;
  if (result.task === 'causal-lm') {
    $('floatOut').textContent = result.float.text;
    $('spikingOut').textContent = result.spiking.text;
    $('floatRate').textContent = `${result.float.tokensPerSecond.toFixed(0)} tokens/s`;
    $('spikingRate').textContent =
      `${result.spiking.tokensPerSecond.toFixed(0)} tokens/s; first ${result.spiking.sameTokens} tokens equal to float`;
    $('digits').replaceChildren();
  } else {
    const pct = (r) => `${((100 * r.correct) / r.total).toFixed(1)}% (${r.correct}/${r.total})`;
    $('floatOut').textContent = `top-1 ${pct(result.float)}`;
    $('spikingOut').textContent = `top-1 ${pct(result.spiking)}`;
    $('floatRate').textContent = '';
    $('spikingRate').textContent = '';
    drawDigits(result);
  }
  $('rates').innerHTML = result.ratesSvg;
  $('energy').textContent = result.energyText;
  $('curves').innerHTML = result.curveSvgs.join('');
  $('report').textContent = result.report;
}

let worker;
async function run() {
  const entry = selectedModel();
  window.mbeDemo = { status: 'running', result: undefined, error: undefined, streams: { float: '', spiking: '' } };
  $('progress').hidden = false;
  $('run').disabled = true;
  $('status').textContent = 'loading files';
  try {
    const { files, data } = await gatherFiles(entry);
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
        window.mbeDemo.status = 'done';
        window.mbeDemo.result = data;
        $('status').textContent = `done (wasm build: ${data.variant})`;
        $('bar').value = 1;
        $('run').disabled = false;
        show(data);
      }
      if (data.type === 'error') fail(data.message);
    };
    worker.onerror = (event) => fail(event.message);
    const transfer = [...Object.values(files), ...Object.values(data)]
      .map((v) => v.bytes)
      .filter((v) => v instanceof ArrayBuffer);
    worker.postMessage({ model: entry.name, files, data, options: options() }, transfer);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

function fail(message) {
  window.mbeDemo.status = 'error';
  window.mbeDemo.error = message;
  $('status').textContent = `error: ${message}`;
  $('run').disabled = false;
}

buildModelChoice();
for (const radio of document.querySelectorAll('input[name=model]')) radio.addEventListener('change', showModelFields);
$('useFixtures').addEventListener('click', () => {
  useFixtures = true;
  $('fixtureNote').textContent = 'using the fixtures served at /fixtures/';
});
$('setup').addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
for (const key of ['T', 'N', 'steps', 'imageCount', 'mode', 'prompt'])
  if (params.has(key)) $(key).value = params.get(key);
if (params.has('model') && findArchitecture(params.get('model'))) {
  document.querySelector(`input[name=model][value="${params.get('model')}"]`).checked = true;
}
if (params.has('fixtures')) $('fixtureNote').textContent = 'using the fixtures served at /fixtures/';
showModelFields();
if (params.has('autorun')) void run();
