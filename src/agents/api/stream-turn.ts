import { stepCountIs, streamText } from 'ai';
import type { FinishReason, LanguageModel, ModelMessage, SystemModelMessage, ToolSet } from 'ai';
import type { AgentEvent } from '../../domain/index.js';
import type { Emit } from '../session.js';
import type { Steering } from './steering.js';
import { messageOf } from './tools/tool-context.js';
import type { createUsageMeter } from './usage.js';

/** One call of the SDK's multi-step loop: the model works until it answers without tools or runs out of steps. */
export interface TurnRequest {
  model: LanguageModel;
  system: SystemModelMessage;
  messages: ModelMessage[];
  tools: ToolSet;
  maxSteps: number;
  maxRetries: number;
  temperature: number | undefined;
  maxOutputTokens: number | undefined;
  signal: AbortSignal;
  steering: Steering;
  meter: ReturnType<typeof createUsageMeter>;
  /** Events tools queued for a call (refusals, questions), emitted before that call's result. */
  notes: Map<string, AgentEvent[]>;
  emit: Emit;
}

export interface TurnOutcome {
  steps: number;
  finishReason: FinishReason | undefined;
  /** The first error the stream reported (HTTP failure after retries, malformed data). */
  error: unknown;
  /** The conversation after this turn, steering messages included, for a follow-up turn. */
  messages: ModelMessage[];
  /** Steering arrived after the model's last step: the caller should let it answer that. */
  steeredLate: boolean;
}

/**
 * Runs one `streamText` call and turns its stream into Gaffer events: `text` per finished text
 * block, `tool_call`/`tool_result` pairs (refusals and questions in between), and the running
 * usage total after every step.
 */
export async function streamTurn(request: TurnRequest): Promise<TurnOutcome> {
  const { emit, steering, notes, meter } = request;
  const initialCount = request.messages.length;
  const result = streamText({
    model: request.model,
    system: request.system,
    messages: request.messages,
    tools: request.tools,
    stopWhen: stepCountIs(request.maxSteps),
    // The SDK retries 408/409/429/5xx and connection failures with exponential backoff (2 s, ×2,
    // honouring retry-after headers under a minute); model-side 4xx errors fail at once.
    maxRetries: request.maxRetries,
    abortSignal: request.signal,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
    prepareStep: ({ messages }) => {
      const steered = steering.apply(messages, initialCount);
      return steered === undefined ? undefined : { messages: steered };
    },
    // Errors are read from the stream below; the default handler would print to the console.
    onError: () => undefined,
  });

  let text = '';
  const flushText = () => {
    if (text.trim() !== '') emit({ type: 'text', text });
    text = '';
  };
  const flushNotes = (id: string) => {
    for (const event of notes.get(id) ?? []) emit(event);
    notes.delete(id);
  };
  const outcome: TurnOutcome = {
    steps: 0,
    finishReason: undefined,
    error: undefined,
    messages: [],
    steeredLate: false,
  };
  // An abort (a timeout, Ctrl-C) ends the session at once, before this loop sees the end of the
  // text block: what was streamed so far is emitted now, synchronously, so it is not lost.
  const onAbort = () => flushText();
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await readStream();
  } finally {
    request.signal.removeEventListener('abort', onAbort);
  }
  flushText();
  if (outcome.error === undefined && !request.signal.aborted) {
    outcome.steeredLate = steering.pending;
    const all = [...request.messages, ...(await result.response).messages];
    outcome.messages = steering.apply(all, initialCount) ?? all;
  }
  return outcome;

  async function readStream(): Promise<void> {
    for await (const part of result.fullStream) {
      // Only the parts Gaffer reports; deltas of tool input, reasoning and raw chunks are skipped.
      if (part.type === 'text-delta') text += part.text;
      else if (part.type === 'text-end') flushText();
      else if (part.type === 'tool-call') {
        flushText();
        emit({ type: 'tool_call', id: part.toolCallId, name: part.toolName, input: part.input });
      } else if (part.type === 'tool-result') {
        flushNotes(part.toolCallId);
        const output = typeof part.output === 'string' ? part.output : JSON.stringify(part.output);
        emit({ type: 'tool_result', id: part.toolCallId, output });
      } else if (part.type === 'tool-error') {
        flushNotes(part.toolCallId);
        emit({ type: 'tool_result', id: part.toolCallId, output: messageOf(part.error), isError: true });
      } else if (part.type === 'finish-step') {
        flushText();
        outcome.steps += 1;
        outcome.finishReason = part.finishReason;
        emit({ type: 'usage', usage: meter.add(part.usage) });
      } else if (part.type === 'error') outcome.error ??= part.error;
    }
  }
}
