// The demo page: reads the chosen files (or the served fixtures), hands them to the worker, and shows the
// float and spiking models side by side as the worker reports. `window.mbeDemo` exposes the state to tests;
// `?fixtures&model=llama2c&T=16&steps=64&autorun` runs without clicks.
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** What the tests read: 'idle' | 'running' | 'done' | 'error', the last result and the streamed texts. */
window.mbeDemo = { status: 'idle', result: undefined, error: undefined, streams: { float: '', spiking: '' } };

const FIXTURES = {
  llama2c: {
    checkpoint: '/fixtures/llama2c/stories260K.bin',
    tokenizer: '/fixtures/llama2c/tok512.bin',
    text: '/fixtures/text/tinystories_valid_part1.txt',
  },
  vit: {
    model: '/fixtures/vit/vit_mnist.safetensors',
    images: '/fixtures/mnist/t10k-0-5000-images-idx3-ubyte.gz',
    labels: '/fixtures/mnist/t10k-0-5000-labels-idx1-ubyte.gz',
  },
};
let useFixtures = params.has('fixtures');

function selectedModel() {
  return document.querySelector('input[name=model]:checked').value;
}

function showModelFields() {
  for (const div of document.querySelectorAll('.files')) div.hidden = div.dataset.model !== selectedModel();
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response.arrayBuffer();
}

async function fileBytes(id, what) {
  const file = $(id).files[0];
  if (!file) throw new Error(`choose a ${what} file, or use the served fixtures`);
  return { bytes: await file.arrayBuffer(), name: file.name };
}

/** The files the worker needs, from the fixtures or the pickers. */
async function gatherFiles(model) {
  if (model === 'llama2c') {
    if (useFixtures) {
      const f = FIXTURES.llama2c;
      const [checkpoint, tokenizer, text] = await Promise.all([
        fetchBytes(f.checkpoint),
        fetchBytes(f.tokenizer),
        fetchBytes(f.text),
      ]);
      return {
        checkpoint,
        checkpointName: f.checkpoint,
        tokenizer,
        tokenizerName: f.tokenizer,
        text: new TextDecoder().decode(text),
      };
    }
    const checkpoint = await fileBytes('checkpoint', 'llama2.c checkpoint');
    const tokenizer = await fileBytes('tokenizer', 'tokenizer.bin');
    const textFile = $('text').files[0];
    return {
      checkpoint: checkpoint.bytes,
      checkpointName: checkpoint.name,
      tokenizer: tokenizer.bytes,
      tokenizerName: tokenizer.name,
      ...(textFile ? { text: await textFile.text() } : {}),
    };
  }
  if (useFixtures) {
    const f = FIXTURES.vit;
    const [model, images, labels] = await Promise.all([
      fetchBytes(f.model),
      fetchBytes(f.images),
      fetchBytes(f.labels),
    ]);
    return { model, modelName: f.model, images, imagesName: f.images, labels, labelsName: f.labels };
  }
  const weights = await fileBytes('vitModel', 'safetensors model');
  const images = await fileBytes('images', 'IDX images');
  const labels = await fileBytes('labels', 'IDX labels');
  return {
    model: weights.bytes,
    modelName: weights.name,
    images: images.bytes,
    imagesName: images.name,
    labels: labels.bytes,
    labelsName: labels.name,
  };
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
  if (result.model === 'llama2c') {
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
  const model = selectedModel();
  window.mbeDemo = { status: 'running', result: undefined, error: undefined, streams: { float: '', spiking: '' } };
  $('progress').hidden = false;
  $('run').disabled = true;
  $('status').textContent = 'loading files';
  try {
    const files = await gatherFiles(model);
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
    const transfer = Object.values(files).filter((v) => v instanceof ArrayBuffer);
    worker.postMessage({ model, files, options: options() }, transfer);
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
if (params.get('model') === 'vit') document.querySelector('input[value=vit]').checked = true;
if (params.has('fixtures')) $('fixtureNote').textContent = 'using the fixtures served at /fixtures/';
showModelFields();
if (params.has('autorun')) void run();
