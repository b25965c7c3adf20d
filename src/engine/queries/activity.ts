import { open } from 'node:fs/promises';
import type { AgentEvent, StoredEvent } from '../../domain/index.js';
import type { TranscriptLine } from '../transcript.js';
import type { AttemptView, RunView } from './run-views.js';

/**
 * How much of a transcript's end is read to find the agent's latest move: enough for dozens of
 * lines, and bounded however big the transcript grows (a live view reads it several times a second).
 */
const TAIL_BYTES = 32 * 1024;
const NOTE_CHARS = 160;

/**
 * What each unfinished task is doing now, by task id, for a live view's note column: the
 * agent's latest tool call or line of text while it runs, which check runs while it is being
 * evaluated, what it waits for otherwise. `events` are the run's events the caller has read
 * (an `evaluation.check-started` names the check; without one a task is "running checks").
 */
export async function taskActivities(
  view: Pick<RunView, 'tasks' | 'attempts' | 'openQuestions'>,
  events: Iterable<StoredEvent> = [],
): Promise<Map<string, string>> {
  const checking = new Map<string, { attemptId: string | undefined; name: string }>();
  for (const event of events) {
    if (event.type === 'evaluation.check-started' && event.taskId)
      checking.set(event.taskId, { attemptId: event.attemptId, name: event.data.name });
  }
  const notes = new Map<string, string>();
  for (const task of view.tasks) {
    const attempt = newestAttempt(view.attempts, task.taskId);
    let note: string | undefined;
    if (task.status === 'running' && attempt) {
      const question = view.openQuestions.find((q) => q.taskId === task.taskId);
      note =
        attempt.status === 'waiting_answer' && question
          ? `waiting for an answer: ${question.question}`
          : await agentActivity(attempt);
    } else if (task.status === 'evaluating') {
      const check = checking.get(task.taskId);
      note = check && check.attemptId === attempt?.id ? `checking: ${check.name}` : 'running checks';
    } else if (task.status === 'awaiting_approval') {
      note = 'waiting for approval';
    } else if (task.status === 'ready' && attempt?.status === 'failed' && attempt.failure?.retryable) {
      note = `retrying after ${attempt.failure.kind.replace('_', ' ')}`;
    }
    if (note !== undefined) notes.set(task.taskId, clip(note));
  }
  return notes;
}

function newestAttempt(attempts: readonly AttemptView[], taskId: string): AttemptView | undefined {
  let newest: AttemptView | undefined;
  for (const a of attempts) if (a.taskId === taskId && (!newest || a.number > newest.number)) newest = a;
  return newest;
}

async function agentActivity(attempt: AttemptView): Promise<string> {
  const events = attempt.transcriptPath ? await transcriptTail(attempt.transcriptPath) : [];
  for (const event of events.reverse()) {
    const note = activityOf(event);
    if (note !== undefined) return note;
  }
  return attempt.status === 'starting' ? 'agent starting' : 'agent working';
}

/** The moves worth showing; usage, session ids and tool results say nothing about what it does now. */
function activityOf(event: AgentEvent): string | undefined {
  switch (event.type) {
    case 'tool_call':
      return toolCallSummary(event.name, event.input);
    case 'text':
    case 'output':
      return firstLine(event.text) || undefined;
    case 'question':
      return `asks: ${firstLine(event.question)}`;
    case 'denied':
      return `denied ${event.tool}: ${firstLine(event.reason)}`;
    case 'error':
      return `error: ${firstLine(event.message)}`;
    case 'tool_result':
    case 'usage':
    case 'session':
    case 'process':
      return undefined;
  }
}

/** Keys that hold a tool call's main argument, in the spellings the backends use. */
const MAIN_ARGUMENT_KEYS = [
  'command',
  'cmd',
  'argv',
  'file_path',
  'filePath',
  'path',
  'pattern',
  'url',
  'query',
  'description',
  'prompt',
];

/**
 * A tool call as one short line: its name and main argument (`Bash npm test`, `Edit src/a.ts`),
 * else its input as compact JSON. Shared by the live view and `gaffer logs`.
 */
export function toolCallSummary(name: string, input: unknown): string {
  const argument = mainArgument(input);
  return argument === '' ? name : `${name} ${firstLine(argument)}`;
}

function mainArgument(input: unknown): string {
  if (typeof input === 'string') return input;
  if (typeof input !== 'object' || input === null) return JSON.stringify(input) ?? '';
  const record = input as Record<string, unknown>;
  for (const key of MAIN_ARGUMENT_KEYS) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
  }
  const json = JSON.stringify(input);
  return json === '{}' ? '' : json;
}

/** The last lines of a JSONL transcript, read from its end only; a missing file has none. */
async function transcriptTail(path: string): Promise<AgentEvent[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n');
    // Reading from the middle of the file, the first line is a fragment.
    if (start > 0) lines.shift();
    const events: AgentEvent[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        events.push((JSON.parse(line) as TranscriptLine).event);
      } catch {
        // a line still being written
      }
    }
    return events;
  } finally {
    await handle.close();
  }
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '') ?? '';

const clip = (text: string) => (text.length > NOTE_CHARS ? text.slice(0, NOTE_CHARS - 1) + '…' : text);
