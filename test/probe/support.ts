import assert from 'node:assert/strict';
import type { Validated } from '../../src/core/probe/argv';

/** The value of an accepted result; fails the test with the message otherwise. */
export function value<T>(r: Validated<T>): T {
  if (!r.ok) assert.fail(r.message);
  return r.value;
}

/** The message of a rejected result; fails the test if it was accepted. */
export function message<T>(r: Validated<T>): string {
  if (r.ok) assert.fail('expected a rejection');
  return r.message;
}
