// The shared fixtures folder, and a describe() that needs it: skipped (saying why) where it is absent, failing
// under CI=true (test/helpers/requirements.ts).
import { join } from 'node:path';
import { fixturesDir } from '../../src/io/node/files.js';
import { describeRequiring } from './requirements.js';

export const FIXTURES = fixturesDir();

/** Why there is no fixtures folder, naming where it was looked for; undefined when there is one. */
export const FIXTURES_MISSING: string | undefined =
  FIXTURES !== undefined
    ? undefined
    : process.env['MBE_SNN_FIXTURES']
      ? `no fixtures folder ($MBE_SNN_FIXTURES=${process.env['MBE_SNN_FIXTURES']} is not a folder)`
      : 'no fixtures folder (../shared/fixtures beside the project is absent and $MBE_SNN_FIXTURES is unset)';

/** Path of a fixture file; only call it inside describeFixtures. */
export function fixture(...parts: string[]): string {
  if (FIXTURES === undefined) throw new Error(FIXTURES_MISSING);
  return join(FIXTURES, ...parts);
}

/** describe() when the fixtures folder exists; otherwise skipped with the reason, or failing under CI=true. */
export function describeFixtures(title: string, body: () => void): void {
  describeRequiring(title, FIXTURES_MISSING, body);
}
