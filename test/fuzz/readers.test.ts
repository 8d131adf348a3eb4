// Fuzzes every reader (issue 13): seeded mutations of small valid files of each format (test/fuzz/formats.ts) must
// be accepted or rejected with an MbeError whose message is at most 500 characters without raw control characters;
// never another error, and never a case that runs for seconds. About 10 seconds in all; `scripts/fuzz.ts` runs the
// same cases by the thousand, each time-boxed in a worker.
import { describe, expect, it } from 'vitest';
import { FORMATS } from './formats.js';
import { caseFiles, count, emptyCounts, runCase } from './run.js';

const SEED = 13;
/** Cases per format: enough to reach past the first checks of each reader, about 0.5 s a format. */
const CASES = 400;
/** A case slower than this is counted as a hang (the slowest valid reads here take a few ms). */
const SLOW_MS = 2000;

describe('reader fuzzing', () => {
  it.each(FORMATS.map((f) => [f.name, f] as const))(
    '%s: every mutated file is accepted or rejected with a short typed error',
    async (_, format) => {
      const counts = emptyCounts();
      const failures: string[] = [];
      for (let i = 0; i < CASES; i++) {
        const outcome = await runCase(format, caseFiles(format, SEED, i), SLOW_MS);
        count(counts, outcome);
        if ('detail' in outcome) failures.push(`case ${i}: ${outcome.kind}: ${outcome.detail}`);
      }
      expect(failures).toEqual([]);
      expect(counts.accepted + counts.rejected).toBe(CASES);
      // the seeds themselves are valid: some mutations keep a file readable
      expect(counts.accepted).toBeGreaterThan(0);
    },
  );

  it('every seed file is accepted unmutated', async () => {
    for (const format of FORMATS) {
      for (const seed of format.seeds)
        await expect(Promise.resolve(format.read(seed)), format.name).resolves.toBeDefined();
    }
  });
});
