import type { VerifierResult } from '../domain/index.js';
import { WORSE_THAN_BASE } from '../verify/index.js';
import type { Output } from './output.js';
import { paint } from './output.js';

/** How many lines of each check's output tail to show; 0 shows none. */
export interface CheckLineOptions {
  failedTail: number;
  passedTail: number;
  indent: string;
}

/** A check's duration as people read it: `850ms`, `1.2s`, `3m04s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function how(result: VerifierResult): string {
  if (result.timedOut) return `timed out after ${formatMs(result.durationMs)}`;
  const exit = result.exitCode === null ? 'did not finish' : `exit ${result.exitCode}`;
  return `${exit}, ${formatMs(result.durationMs)}`;
}

/**
 * Every check of an evaluation, one line each — mark, name, command, exit code, duration — with
 * the last lines of its output under it (a failed check's tail is what the agent was shown).
 */
export function checkLines(
  output: Output,
  results: readonly VerifierResult[],
  options: CheckLineOptions,
): string[] {
  if (results.length === 0) return [`${options.indent}${paint(output, 'yellow', '!')} no checks ran`];
  const width = Math.max(...results.map((r) => r.name.length));
  const commandWidth = Math.min(40, Math.max(...results.map((r) => r.command.length)));
  const lines: string[] = [];
  for (const result of results) {
    const mark = result.passed
      ? paint(output, 'green', '✓')
      : result.preexisting
        ? paint(output, 'yellow', '~')
        : paint(output, 'red', '✗');
    // A check failing on the base commit too is the repository's state, not the task's fault.
    const base = !result.passed && result.preexisting ? ' — fails on the base commit too, not counted' : '';
    lines.push(
      `${options.indent}${mark} ${result.name.padEnd(width)}  ${result.command.padEnd(commandWidth)}  (${how(result)})${base}`,
    );
    const keep = result.passed ? options.passedTail : options.failedTail;
    const tail = keep > 0 ? result.output.split('\n').filter((l) => l.trim() !== '') : [];
    const shown = tail.slice(-keep);
    // What made a preexisting failure the task's own heads its output: keep it in view.
    const worse = tail[0]?.startsWith(WORSE_THAN_BASE) && !shown.includes(tail[0]) ? tail[0] : undefined;
    if (worse) lines.push(`${options.indent}    ${paint(output, 'gray', '│')} ${worse}`);
    if (tail.length > shown.length)
      lines.push(
        `${options.indent}    ${paint(output, 'gray', `… ${tail.length - shown.length} earlier lines`)}`,
      );
    for (const line of shown) lines.push(`${options.indent}    ${paint(output, 'gray', '│')} ${line}`);
  }
  return lines;
}
