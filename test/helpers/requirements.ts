// The one place that decides what a test does when something it needs is missing (the fixtures folder,
// Chromium): it skips, saying why, on a developer's machine, and fails under CI=true, so that CI cannot pass
// by skipping. test/helpers/fixtures.ts and the browser tests go through it.
import { describe, it } from 'vitest';

/** True on CI: $CI is "true" or "1" (GitHub Actions, GitLab CI and most other services set CI=true). */
export const IN_CI = /^(true|1)$/i.test(process.env['CI'] ?? '');

/** The error a CI run fails with when `missing` (why a need is unmet) is not there. */
function ciFailure(missing: string): Error {
  return new Error(`CI=true but ${missing}: CI must run these tests, not skip them`);
}

/**
 * describe(title, body) when `missing` is undefined. Otherwise the body is not run (vitest would run a skipped
 * suite's body to collect it, and set-up written there would read what is missing) and, under CI=true, a suite
 * whose single test fails with the reason takes its place; elsewhere the suite is skipped with the reason in its
 * title and on stderr.
 */
export function describeRequiring(title: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(title, body);
  } else if (IN_CI) {
    describe(title, () => {
      it(`cannot run: ${missing}`, () => {
        throw ciFailure(missing);
      });
    });
  } else {
    console.warn(`${title}: skipped, ${missing}`);
    describe.skip(`${title} (skipped: ${missing})`, () => {
      it(`cannot run: ${missing}`, () => undefined);
    });
  }
}

/**
 * For a part of a test that needs something (the rest of the test runs anyway): `missing` is returned so the
 * caller can skip that part, and under CI=true a missing need also adds a test, titled `what`, that fails with
 * the reason. Call it at the top level of a test file or inside a describe body, not inside a test.
 */
export function optionalRequirement(what: string, missing: string | undefined): string | undefined {
  if (missing !== undefined && IN_CI) {
    it(`${what}: cannot run, ${missing}`, () => {
      throw ciFailure(missing);
    });
  }
  return missing;
}
