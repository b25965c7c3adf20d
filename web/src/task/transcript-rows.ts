import type { AgentEvent, TranscriptLine } from '../api/types';

/** One row of the transcript list: a tool call and its result are folded into one. */
export type TranscriptRow =
  | { kind: 'text'; at: string; text: string }
  | { kind: 'output'; at: string; text: string; stream: 'stdout' | 'stderr' }
  | { kind: 'tool'; at: string; name: string; input: unknown; result?: { output: string; isError: boolean } }
  | { kind: 'note'; at: string; text: string; tone: 'info' | 'warn' | 'error' };

/** The argument worth a glance: a command, a path or a pattern; otherwise the input as JSON, cut. */
export function toolSummary(input: unknown): string {
  if (input && typeof input === 'object') {
    const record = input as Record<string, unknown>;
    for (const key of ['command', 'cmd', 'file_path', 'path', 'pattern', 'url', 'query'])
      if (typeof record[key] === 'string') return clip(record[key]);
    if (Array.isArray(record.argv)) return clip(record.argv.map(String).join(' '));
  }
  return clip(typeof input === 'string' ? input : (JSON.stringify(input) ?? ''));
}

const clip = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
};

type NoteEvent = Extract<AgentEvent, { type: 'question' | 'denied' | 'error' | 'usage' }>;

function noteOf(event: NoteEvent): Omit<Extract<TranscriptRow, { kind: 'note' }>, 'at' | 'kind'> {
  if (event.type === 'question')
    return {
      text: `asks: ${event.question}${event.answer ? ` — answered: ${event.answer}` : ''}`,
      tone: 'info',
    };
  if (event.type === 'denied') return { text: `denied ${event.tool}: ${event.reason}`, tone: 'warn' };
  if (event.type === 'error') return { text: `error: ${event.message}`, tone: 'error' };
  const { inputTokens, outputTokens, costUsd } = event.usage;
  return { text: `usage: ${inputTokens} in, ${outputTokens} out, $${costUsd.toFixed(4)}`, tone: 'info' };
}

/**
 * The transcript as rows: each tool call takes the result with its id (or, without ids, the next
 * result) into its own row, so a list of thousands of lines reads as what the agent did. Session
 * ids and process records are bookkeeping and left out.
 */
export function transcriptRows(lines: readonly TranscriptLine[]): TranscriptRow[] {
  const rows: TranscriptRow[] = [];
  const openCalls = new Map<string, Extract<TranscriptRow, { kind: 'tool' }>>();
  let lastOpen: Extract<TranscriptRow, { kind: 'tool' }> | undefined;
  for (const { at, event } of lines) {
    switch (event.type) {
      case 'text':
        rows.push({ kind: 'text', at, text: event.text });
        break;
      case 'output':
        rows.push({ kind: 'output', at, text: event.text, stream: event.stream });
        break;
      case 'tool_call': {
        const row: Extract<TranscriptRow, { kind: 'tool' }> = {
          kind: 'tool',
          at,
          name: event.name,
          input: event.input,
        };
        rows.push(row);
        if (event.id !== undefined) openCalls.set(event.id, row);
        lastOpen = row;
        break;
      }
      case 'tool_result': {
        const call = event.id !== undefined ? openCalls.get(event.id) : lastOpen;
        const result = { output: event.output, isError: event.isError === true };
        if (call && !call.result) call.result = result;
        else
          rows.push({
            kind: 'note',
            at,
            text: `tool result: ${event.output}`,
            tone: result.isError ? 'error' : 'info',
          });
        if (event.id !== undefined) openCalls.delete(event.id);
        if (call === lastOpen) lastOpen = undefined;
        break;
      }
      case 'session':
      case 'process':
        break;
      case 'question':
      case 'denied':
      case 'error':
      case 'usage':
        rows.push({ kind: 'note', at, ...noteOf(event) });
        break;
    }
  }
  return rows;
}
