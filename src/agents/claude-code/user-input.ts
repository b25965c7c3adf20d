import { randomUUID } from 'node:crypto';
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { createEventChannel } from '../event-channel.js';

/**
 * The user side of a streaming-input session: the prompt and every steering message go through
 * one live stream. Claude Code (started with `--replay-user-messages`) echoes each message back
 * with our uuid once it takes it, whether as a turn of its own or folded into the running turn;
 * a result while an echo is still missing means another turn is coming.
 */
export interface UserInput {
  /** What `query()` reads; ends when `close()` is called. */
  readonly messages: AsyncIterable<SDKUserMessage>;
  /** Queues a user message; returns its uuid. */
  push(text: string): string;
  /** Claude Code echoed the message with this uuid: it has been taken. */
  taken(uuid: string): void;
  /** True when every pushed message has been taken. */
  readonly settled: boolean;
  /** Ends the stream, which lets Claude Code finish and exit. Idempotent. */
  close(): void;
  readonly closed: boolean;
}

export function createUserInput(): UserInput {
  const channel = createEventChannel<SDKUserMessage>();
  const waiting = new Set<string>();
  return {
    messages: channel,
    push(text) {
      const uuid = randomUUID();
      if (channel.ended) return uuid; // nobody will take it
      waiting.add(uuid);
      channel.push({
        type: 'user',
        message: { role: 'user', content: text },
        parent_tool_use_id: null,
        uuid,
      });
      return uuid;
    },
    taken(uuid) {
      waiting.delete(uuid);
    },
    get settled() {
      return waiting.size === 0;
    },
    close() {
      channel.end();
    },
    get closed() {
      return channel.ended;
    },
  };
}
