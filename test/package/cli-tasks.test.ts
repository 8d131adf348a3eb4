// `mbe-snn eval`, `sweep` and `generate` on every task of the hf-tiny folders (a tokenizer written beside a
// temporary copy): a BERT classifier on an SST-2-style TSV, a BertModel encoder on sentences, GPT-2's
// sliding-window perplexity on token-id lines, generation from a GPT-2 folder; and the one-line errors.
// Full neuron fits take ~20 s each, so the CLI runs with --quick-fits against a neuron cache (XDG_CACHE_HOME)
// that the same evaluation, run here first with the same short fits, has filled; the CLI's output must then
// equal that evaluation's.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadData, runEvaluation } from '../../src/cli/evaluation.js';
import { slidingWindowOption, spikingOptions, type Values } from '../../src/cli/model-args.js';
import { resolveModel } from '../../src/cli/model-source.js';
import { defaultCacheDir, diskNeuronCache } from '../../src/cli/neuron-cache.js';
import { Kernels } from '../../src/kernels/index.js';
import type { CausalLMEntry } from '../../src/models/registry.js';
import { NeuronProvider } from '../../src/ops/neuron-provider.js';
import { convertCausalLM, parseIdLines } from '../../src/tasks/language-model.js';
import { runCli, wasmFlags } from '../helpers/cli.js';
import { describeFixtures, fixture } from '../helpers/fixtures.js';
import {
  BERT_VOCAB_TXT,
  CAUSAL_TOKENIZER_JSON,
  QUICK_FIT,
  fixtureFolderCopy,
  idLines,
  labelledSentences,
  sst2Tsv,
} from '../tasks/helpers.js';

let cacheHome = '';

// the wasm build the CLI picks must be this process's, or calibrated ranges (and so the cached neurons) could differ
const cli = (...args: string[]) =>
  runCli([...args, '--quick-fits'], { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, nodeFlags: wasmFlags });

describeFixtures('mbe-snn on the tasks of the hf-tiny folders', () => {
  const paths = { bert: '', encoder: '', gpt2: '', tsv: '', badTsv: '', sentences: '', ids: '', calibration: '' };
  const temporary: string[] = [];
  let kernels: Kernels;
  let neurons: NeuronProvider;

  /** The evaluation `eval <model> --T 8 <args>` runs, in this process with short fits into the CLI's cache. */
  async function expected(model: string, values: Values & { calibration?: string; window?: string; stride?: string }) {
    const source = await resolveModel(model, values);
    const window = slidingWindowOption(values);
    const outcome = runEvaluation(kernels, source.entry, await loadData(source, values), {
      spiking: spikingOptions(values, 8),
      neurons,
      ...(values.calibration === undefined ? {} : { calibrate: Number(values.calibration) }),
      ...(window ? { slidingWindow: window } : {}),
    });
    return outcome.lines.join('\n');
  }

  beforeAll(async () => {
    cacheHome = await mkdtemp(join(tmpdir(), 'mbe-snn-cache-'));
    kernels = await Kernels.load();
    const cache = diskNeuronCache(defaultCacheDir(cacheHome));
    neurons = new NeuronProvider(kernels, { cache, fit: QUICK_FIT });
    paths.bert = await fixtureFolderCopy('bert-tiny-cls-hot', { 'vocab.txt': BERT_VOCAB_TXT });
    paths.encoder = await fixtureFolderCopy('bert-tiny-cls-hot', { 'vocab.txt': BERT_VOCAB_TXT }, (config) => {
      config.architectures = ['BertModel'];
    });
    paths.gpt2 = await fixtureFolderCopy('gpt2-tiny-hot', { 'tokenizer.json': CAUSAL_TOKENIZER_JSON });
    const data = await mkdtemp(join(tmpdir(), 'mbe-snn-data-'));
    const sentences = labelledSentences(16);
    const files = {
      tsv: ['dev.tsv', sst2Tsv(sentences)],
      badTsv: ['bad.tsv', `${sst2Tsv(sentences.slice(0, 4))}a sentence without its label\n`],
      sentences: ['sentences.txt', sentences.map((s) => s.text).join('\n')],
      ids: ['ids.txt', idLines([60, 45, 20, 20])],
    } as const;
    for (const [key, [name, text]] of Object.entries(files)) {
      paths[key as keyof typeof files] = join(data, name);
      await writeFile(join(data, name), text);
    }
    temporary.push(cacheHome, paths.bert, paths.encoder, paths.gpt2, data);
  });

  afterAll(async () => {
    await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('eval of a BERT folder on a TSV: float and spiking accuracy on the same rows, the reports', async () => {
    const want = await expected(paths.bert, { tsv: paths.tsv, calibration: '4' });
    const run = await cli('eval', paths.bert, '--T', '8', '--tsv', paths.tsv, '--calibration', '4');
    expect(run.stderr).not.toMatch(/fitting/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(want);
    expect(want).toMatch(
      /; 16 rows of .*dev\.tsv \(2 labels: NEGATIVE, POSITIVE\), T = 8\n {2}float top-1 {4}\d+\.\d\d%/,
    );
    expect(run.stdout).toMatch(
      /spiking top-1 {2}\d+\.\d\d% {2}\(\d+; -?\d+\.\d\d points; same prediction as float on \d+\)/,
    );
    expect(run.stdout).toMatch(/^Conversion: T = 8, N = 4/m);
    expect(run.stdout).toMatch(/Energy \(Eq\. 14\): E_SNN \/ E_ANN = .* = \d+\.\d\d%/);

    const sweep = await cli(
      'sweep',
      paths.bert,
      '--T',
      '8',
      '--encoding',
      'on',
      '--tsv',
      paths.tsv,
      '--calibration',
      '4',
    );
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stdout).toMatch(
      /top-1 %:\nmodel +float +T = 8\n.*\nbert, linear inputs encoded +\d+\.\d\d +\d+\.\d\d/,
    );
  });

  it('eval of an encoder folder on sentences: mean and min cosine of the pooled embeddings', async () => {
    const want = await expected(paths.encoder, { sentences: paths.sentences, calibration: '4' });
    const run = await cli('eval', paths.encoder, '--T', '8', '--sentences', paths.sentences, '--calibration', '4');
    expect(run.stderr).not.toMatch(/fitting/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(want);
    expect(want).toMatch(/^bert-encoder: .*; 16 sequences of .*sentences\.txt, T = 8\n/);
    expect(want).toMatch(
      /cosine\(float, spiking\) of the pooled embeddings: mean 0\.9\d{3}, min 0\.\d{4} \(line \d+\)/,
    );
  });

  it('eval of a causal LM on token-id lines with a sliding window', async () => {
    const values = { ids: paths.ids, calibration: '2', window: '16', stride: '8' };
    const want = await expected(paths.gpt2, values);
    const run = await cli(
      'eval',
      paths.gpt2,
      '--T',
      '8',
      '--ids',
      paths.ids,
      '--calibration',
      '2',
      '--window',
      '16',
      '--stride',
      '8',
    );
    expect(run.stderr).not.toMatch(/fitting/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(want);
    // lines of 60 and 45 tokens: every token but each line's first scored once, in 7 + 5 windows
    expect(want).toMatch(
      /; 103 tokens scored over 2 lines of .*ids\.txt, in 12 windows of up to 16 tokens with stride 8, T = 8/,
    );
    expect(want).toMatch(/float perplexity {4}\d+\.\d{4}\n {2}spiking perplexity {2}\d+\.\d{4} {2}\(-?\d+\.\d\d%\)/);
  });

  it('eval --budget allocates per-site T on the calibration lines; frontier writes its points and plot', async () => {
    const out = join(cacheHome, 'frontier.json');
    const svg = join(cacheHome, 'frontier.svg');
    const common = ['--ids', paths.ids, '--calibration', '2'];
    const [allocated, frontier] = await Promise.all([
      cli(
        'eval',
        paths.gpt2,
        '--T',
        '12',
        ...common,
        '--code',
        'signed-digit',
        '--budget',
        'kl:0.05',
        '--levels',
        '12,8',
      ),
      cli(
        'frontier',
        paths.gpt2,
        '--T',
        '12,8',
        ...common,
        '--budgets',
        'kl:0.05',
        '--spike-cost',
        '0.3',
        '--out',
        out,
        '--svg',
        svg,
      ),
    ]);
    expect(allocated.code, allocated.stderr).toBe(0);
    expect(allocated.stdout).toMatch(/Allocation: budget KL <= 0\.05 nats on the calibration inputs\n/);
    expect(allocated.stdout).toMatch(
      / {2}allocated: {12}KL \d\.\d\de-\d nats, top-1 agreement [\d.]+%, E_SNN \/ E_ANN/,
    );
    expect(allocated.stdout).toMatch(/ {2}sites: (\d+ at T = (12|8)(, )?)+; \d+ spiking runs in \d+ s/);
    expect(allocated.stdout).toMatch(/Identity codes: signed digits \(non-adjacent form\) on a polarity pair/);
    expect(frontier.code, frontier.stderr).toBe(0);
    expect(frontier.stdout).toMatch(/operating point +perplexity +vs float +E_SNN \/ E_ANN +Pareto front/);
    expect(frontier.stdout).toMatch(
      /\(fp32, Eq\. 14\), linear and convolution inputs rounded spike-aware at spike cost 0\.3:/,
    );
    for (const label of ['T = 12, binary', 'T = 8, signed-digit', 'allocated, kl:0.05'])
      expect(frontier.stdout).toContain(label);
    const json = JSON.parse(await readFile(out, 'utf8')) as {
      spikeCost: number;
      points: { label: string; onFront: boolean }[];
      front: string[];
    };
    expect(json.spikeCost).toBe(0.3);
    expect(json.points).toHaveLength(5);
    expect(json.front.length).toBeGreaterThan(0);
    expect(json.front).toEqual(
      json.points
        .filter((p) => p.onFront)
        .map((p) => p.label)
        .sort((a, b) => json.front.indexOf(a) - json.front.indexOf(b)),
    );
    expect(await readFile(svg, 'utf8')).toMatch(/^<svg [^]*Pareto front[^]*<\/svg>\n?$/);
  });

  it('generate from a GPT-2 folder with a tokenizer, and from token ids without one', async () => {
    const source = await resolveModel(paths.gpt2, {});
    const { builder } = (source.entry as CausalLMEntry).load(source.files);
    const calibration = parseIdLines(idLines([60, 45, 20, 20]), 'ids').map((l) => l.ids);
    convertCausalLM(kernels, builder, calibration, { spiking: { T: 8 }, neurons });
    const [text, ids] = await Promise.all([
      cli('generate', paths.gpt2, '--T', '8', '--steps', '6', '--ids', paths.ids, '--prompt', 'the cat sat'),
      cli(
        'generate',
        fixture('hf-tiny', 'gpt2-tiny-hot'),
        '--T',
        '8',
        '--steps',
        '6',
        '--ids',
        paths.ids,
        '--prompt-ids',
        '5 6 7',
      ),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).not.toMatch(/fitting/);
    expect(text.stdout).toMatch(
      /^float model \(\d+ tokens\/s\):\nthe cat sat( [a-z.,!]+| <\d+>)*\n\nspiking model, T = 8 \(\d+ tokens\/s; first \d tokens equal to float\):\nthe cat sat/,
    );
    expect(ids.code, ids.stderr).toBe(0);
    expect(ids.stdout).toMatch(/^float model \(\d+ tokens\/s\):\n5 6 7( \d+){4}\n\nspiking model, T = 8 /);
  });

  it('says what is wrong in one line, with exit code 2', async () => {
    const folder = fixture('hf-tiny', 'bert-tiny-cls-hot');
    const cases: Array<[string[], RegExp]> = [
      [
        ['eval', paths.bert, '--T', '8'],
        /is a sequence classifier: --tsv <file> of sentence<TAB>label rows is required/,
      ],
      [
        ['eval', folder, '--T', '8', '--tsv', paths.tsv],
        /bert-tiny-cls-hot: the model has no tokenizer files .*give --ids/,
      ],
      [['eval', paths.bert, '--T', '8', '--tsv', paths.badTsv], /bad\.tsv: line 6: expected two tab-separated fields/],
      [['eval', paths.encoder, '--T', '8'], /is a sequence encoder: --sentences <file>/],
      [
        ['eval', paths.bert, '--T', '8', '--tsv', paths.tsv],
        /dev\.tsv: 32 calibration rows per fold need .*--calibration/,
      ],
      [['eval', paths.bert, '--T', '8', '--tsv', paths.tsv, '--window', '8'], /--window and --stride apply to causal/],
      [['eval', paths.gpt2, '--T', '8', '--ids', paths.ids, '--stride', '4'], /--stride needs --window/],
      [['generate', fixture('hf-tiny', 'gpt2-tiny-hot'), '--ids', paths.ids], /give --prompt-ids/],
      [
        ['eval', paths.bert, '--T', '8', '--tsv', paths.tsv, '--budget', 'kl:0.01'],
        /--budget applies to causal language models and image classifiers for now/,
      ],
      [['eval', paths.gpt2, '--T', '8', '--ids', paths.ids, '--budget', 'ppl:3'], /--budget takes kl:<nats below 100>/],
      [
        ['eval', paths.gpt2, '--ids', paths.ids, '--site-T', 'norms=40'],
        /--site-T takes name=T items with T in 1\.\.32/,
      ],
      [
        ['eval', paths.gpt2, '--ids', paths.ids, '--code', 'naf'],
        /--code must be "binary" or "signed-digit", got "naf"/,
      ],
      [['frontier', paths.gpt2, '--ids', paths.ids, '--code', 'binary'], /frontier runs both codes itself/],
      [['eval', paths.gpt2, '--ids', paths.ids, '--weights', 'f16'], /--weights must be "f32" or "bf16", got "f16"/],
      [
        ['eval', paths.gpt2, '--ids', paths.ids, '--activation-fit', 'histogram'],
        /--activation-fit must be "uniform" or "calibrated", got "histogram"/,
      ],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(...args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    });
  });
});
