import { setTimeout as delay } from 'node:timers/promises';
import { onTestFailed } from 'vitest';

const POLL_MS = 25;

/**
 * Polls `predicate` every 25 ms until it returns something other than `undefined`, `null` or
 * `false`, and resolves with that value. It has no deadline of its own: a loaded machine may take
 * as long as it needs, and vitest's test timeout is the only clock. A predicate that throws is
 * polled again, since what it reads (a database file, a log line) may not exist yet. `what` names
 * the awaited condition: a test that times out while waiting prints it, with the last error.
 */
export async function waitFor<T>(
  predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
): Promise<T> {
  let pending = true;
  let lastError: unknown;
  try {
    onTestFailed(() => {
      if (!pending) return;
      const error =
        lastError === undefined
          ? ''
          : ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`;
      console.error(`waitFor: still waiting for ${what}${error}`);
    });
  } catch {
    // Called outside a test (a hook): nothing to annotate.
  }
  try {
    for (;;) {
      try {
        const value = await predicate();
        if (value !== undefined && value !== null && value !== false) return value;
      } catch (error) {
        lastError = error;
      }
      await delay(POLL_MS);
    }
  } finally {
    pending = false;
  }
}
