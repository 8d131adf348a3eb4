// The shared fixtures folder for the io tests, and a describe() that skips (saying why) when it is absent.
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { fixturesDir } from '../../src/io/node/files.js';

export const FIXTURES = fixturesDir();

/** Path of a fixture file; only call it inside describeFixtures. */
export function fixture(...parts: string[]): string {
  if (FIXTURES === undefined) throw new Error('no fixtures folder');
  return join(FIXTURES, ...parts);
}

/**
 * describe() when the fixtures folder exists, describe.skip() with the reason in its title otherwise. The body is
 * not run when skipping: vitest runs a skipped suite's body to collect it, and set-up written there would read
 * the missing files.
 */
export function describeFixtures(title: string, body: () => void): void {
  if (FIXTURES !== undefined) describe(title, body);
  else {
    describe.skip(`${title} (skipped: no fixtures folder; set MBE_SNN_FIXTURES or add ../shared/fixtures)`, () => {
      it('needs the fixtures folder', () => undefined);
    });
  }
}
