import { redactDeep } from '../engine/redact.js';
import { knownSecretValues } from '../engine/secrets.js';

/** Masks secrets in a value before it is serialised into a response. */
export type Redact = <T>(value: T) => T;

/**
 * Everything the server sends goes through this: transcripts and events were redacted when they
 * were written, but the known values of this process (its environment's keys, its own token) may
 * turn up in anything else, such as an error message quoting a command.
 */
export function createRedactor(env: Record<string, string | undefined>, extra: readonly string[]): Redact {
  const known = knownSecretValues(env, extra);
  return (value) => redactDeep(value, known);
}
