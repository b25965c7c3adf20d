import type { ModelMessage } from 'ai';

/** Messages sent to a running session, woven into its conversation between model steps. */
export interface Steering {
  /** Queues `message` for the next model step. */
  push(message: string): void;
  /** True when a message is queued and not yet sent. */
  readonly pending: boolean;
  /**
   * For the SDK's `prepareStep`: `messages` (the initial ones, then the model's responses) with
   * every steering message at the place it was first sent, or undefined when there are none.
   * The SDK rebuilds a step's messages from scratch each time, so earlier ones are re-inserted.
   */
  apply(messages: readonly ModelMessage[], initialCount: number): ModelMessage[] | undefined;
  /** Forgets placements: call it once `apply`'s result became the initial messages of a new call. */
  reset(): void;
}

const asUserMessage = (text: string): ModelMessage => ({ role: 'user', content: text });

export function createSteering(): Steering {
  let queued: string[] = [];
  // `at`: how many response messages came before it.
  let placed: { at: number; message: ModelMessage }[] = [];
  return {
    push(message) {
      queued.push(message);
    },
    get pending() {
      return queued.length > 0;
    },
    apply(messages, initialCount) {
      const responses = messages.slice(initialCount);
      for (const text of queued) placed.push({ at: responses.length, message: asUserMessage(text) });
      queued = [];
      if (placed.length === 0) return undefined;
      const result = messages.slice(0, initialCount);
      let next = 0;
      for (const [index, message] of responses.entries()) {
        while (placed[next] !== undefined && (placed[next]?.at ?? 0) <= index)
          result.push(placed[next++]!.message);
        result.push(message);
      }
      while (next < placed.length) result.push(placed[next++]!.message);
      return result;
    },
    reset() {
      placed = [];
    },
  };
}
