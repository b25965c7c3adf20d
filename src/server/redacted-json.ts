import { redactDeep } from '../engine/redact.js';
import { knownSecretValues } from '../engine/secrets.js';

/** Masks secrets in a value before it is serialised into a response. */
export type Redact = <T>(value: T) => T;

/** Secret values learnt while the server runs (the keys runs' plans name), with a version that grows with them. */
export interface LearntSecrets {
  readonly version: number;
  readonly values: readonly string[];
}

/**
 * Everything the server sends goes through this: transcripts and events were redacted when they
 * were written, but the known values of this process (its environment's keys, its own token, the
 * keys runs' plans name) may turn up in anything else, such as an error message quoting a command.
 */
export function createRedactor(
  env: Record<string, string | undefined>,
  extra: readonly string[],
  learnt?: LearntSecrets,
): Redact {
  let known = knownSecretValues(env, extra);
  let version = 0;
  return (value) => {
    // Rebuilt only when something was learnt: the same array lets redactDeep reuse its escaped forms.
    if (learnt && learnt.version !== version) {
      version = learnt.version;
      known = knownSecretValues(env, [...extra, ...learnt.values]);
    }
    return redactDeep(value, known);
  };
}
