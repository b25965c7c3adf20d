import type { Thread } from '@openai/codex-sdk';
import type { CodexEventTranslator } from './codex-events.js';

/** How long after an abort we wait for codex to exit before giving up on it. */
export const ABORT_GRACE_MS = 2_500;

/** Resolves `ms` after `signal` aborts; `cancel` drops the timer and the listener. */
function afterAbort(signal: AbortSignal, ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    onAbort = () => {
      timer = setTimeout(resolve, ms);
    };
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Runs one `codex exec` turn on `thread`, feeding its events to `translator`. Never throws:
 * what the SDK threw (a non-zero exit, a spawn error, the abort) is returned. The SDK kills
 * codex with SIGTERM when `signal` aborts; should codex linger, this still returns
 * {@link ABORT_GRACE_MS} later so the session ends on time.
 */
export async function runTurn(
  thread: Thread,
  prompt: string,
  signal: AbortSignal,
  translator: CodexEventTranslator,
): Promise<{ thrown?: unknown }> {
  const outcome: { thrown?: unknown } = {};
  const consume = (async () => {
    try {
      const { events } = await thread.runStreamed(prompt, { signal });
      for await (const event of events) {
        translator.handle(event);
        // Leaving the loop ends the SDK's generator, which kills codex.
        if (event.type === 'turn.failed') break;
      }
    } catch (error) {
      outcome.thrown = error;
    }
  })();
  const grace = afterAbort(signal, ABORT_GRACE_MS);
  await Promise.race([consume, grace.promise]);
  grace.cancel();
  return outcome;
}
