import type { AgentEvent } from '../domain/index.js';
import type { TranscriptLine } from '../engine/index.js';
import { toolCallSummary } from '../engine/index.js';
import type { Output } from './output.js';
import { paint } from './output.js';

const RESULT_CHARS = 200;
const TEXT_LINES = 6;

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s*\n\s*/g, ' ⏎ ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
};

function describe(output: Output, event: AgentEvent): string {
  switch (event.type) {
    case 'text': {
      const lines = event.text.trim().split('\n');
      const shown = lines.slice(0, TEXT_LINES).join('\n           ');
      return lines.length > TEXT_LINES
        ? `${shown}\n           … ${lines.length - TEXT_LINES} more lines`
        : shown;
    }
    case 'tool_call':
      return `${paint(output, 'cyan', '→')} ${toolCallSummary(event.name, event.input)}`;
    case 'tool_result': {
      const lines = event.output.split('\n').length;
      const text = oneLine(event.output, RESULT_CHARS) || '(no output)';
      const more = lines > 1 ? paint(output, 'gray', ` (${lines} lines)`) : '';
      return `${event.isError ? paint(output, 'red', '← error:') : paint(output, 'gray', '←')} ${text}${more}`;
    }
    case 'usage': {
      const u = event.usage;
      return paint(
        output,
        'gray',
        `usage: ${u.inputTokens} input (${u.cachedInputTokens} cached) / ${u.outputTokens} output tokens, $${u.costUsd.toFixed(4)}`,
      );
    }
    case 'question':
      return event.answer === undefined
        ? `${paint(output, 'yellow', '?')} asks: ${event.question}`
        : `${paint(output, 'yellow', '?')} answered: ${event.question} → ${event.answer}`;
    case 'output':
      return `${paint(output, 'gray', event.stream === 'stderr' ? 'stderr│' : 'stdout│')} ${event.text}`;
    case 'session':
      return paint(output, 'gray', `session ${event.nativeSessionId}`);
    case 'denied':
      return `${paint(output, 'red', '✗ denied')} ${toolCallSummary(event.tool, event.input)}: ${event.reason}`;
    case 'error':
      return `${paint(output, 'red', 'error:')} ${event.message}`;
    case 'process':
      return paint(output, 'gray', `process ${event.pid} started: ${event.command}`);
  }
}

/** One transcript record as a person reads it: time, then what the agent did or said. */
export function transcriptLine(output: Output, line: TranscriptLine): string {
  return `${paint(output, 'gray', line.at.slice(11, 19))}  ${describe(output, line.event)}`;
}
