// Run with plain `node` in the temporary project: imports the installed package's entries ('mbe-snn',
// 'mbe-snn/node', 'mbe-snn/stories260K', 'mbe-snn/plot'), does the small fidelity run and some file reading with
// the ./node entry, and prints one JSON object on stdout for test/package/pack.test.ts to check.
/* global TextDecoder */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as root from 'mbe-snn';
import * as node from 'mbe-snn/node';
import { linePlot } from 'mbe-snn/plot';
import { stories260K } from 'mbe-snn/stories260K';
import { smallFidelityRun } from './fidelity.js';

const run = await smallFidelityRun();

// ./node reads files: the embedded checkpoint written to disk loads as a llama2.c checkpoint, and the licence
// notice shipped in the package is the one the embedded module carries.
const model = stories260K();
const dir = await mkdtemp(join(tmpdir(), 'mbe-snn-node-check-'));
let checkpoint;
try {
  const path = join(dir, 'stories260K.bin');
  await writeFile(path, model.files.get('checkpoint').bytes);
  checkpoint = await node.loadLlama2c(path);
} finally {
  await rm(dir, { recursive: true, force: true });
}
const packageJson = createRequire(import.meta.url).resolve('mbe-snn/package.json');
const shippedLicence = new TextDecoder().decode(
  await node.readFileBytes(join(dirname(packageJson), 'src/io/embedded/stories260K/LICENSE')),
);

const svg = linePlot({
  title: 'check',
  xLabel: 'x',
  yLabel: 'y',
  series: [
    {
      label: 'x',
      points: [
        [0, 0],
        [1, 1],
      ],
    },
  ],
});

console.log(
  JSON.stringify({
    ...run,
    nodeReExportsRoot: Object.keys(root).every((name) => name in node),
    nodeOnly: ['readFileBytes', 'loadLlama2c', 'readModelFolder', 'fixturesDir'].filter((name) => !(name in root)),
    checkpointConfig: checkpoint.config,
    shippedLicenceMatches: shippedLicence === model.licence,
    svg: svg.slice(0, 4),
  }),
);
