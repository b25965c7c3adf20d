import type { AttemptView } from '../engine/index.js';
import type { Color } from './output.js';

/** An attempt's outcome in words, with the colour a terminal shows it in. */
export interface AttemptOutcome {
  label: string;
  color: Color;
}

const firstLine = (text: string) => (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
const clip = (text: string, max = 120) => (text.length > max ? text.slice(0, max - 1) + '…' : text);

/**
 * What became of an attempt — the agent's exit and the checks together ("agent succeeded, checks
 * failed: test, lint"), since an agent that exits 0 has not yet done the task. `next` is the
 * task's following attempt, which tells an interrupted attempt that was resumed or a failed one
 * that was retried; `conflicted` marks an attempt whose merge hit a conflict.
 */
export function attemptOutcome(attempt: AttemptView, next?: AttemptView, conflicted = false): AttemptOutcome {
  switch (attempt.status) {
    case 'starting':
      return { label: 'agent starting', color: 'blue' };
    case 'running':
      return { label: 'agent running', color: 'blue' };
    case 'waiting_answer':
      return { label: 'agent waiting for an answer', color: 'yellow' };
    case 'succeeded':
      return succeeded(attempt, next, conflicted);
    case 'failed': {
      const kind = attempt.failure ? ` (${attempt.failure.kind.replace('_', ' ')})` : '';
      const error = firstLine(attempt.error ?? attempt.failure?.message ?? '');
      const retried = next?.kind === 'retry' ? ' — retried' : '';
      return { label: clip(`agent failed${kind}${error ? `: ${error}` : ''}`) + retried, color: 'red' };
    }
    case 'interrupted':
      return { label: `interrupted${next?.kind === 'resume' ? ' — resumed' : ''}`, color: 'yellow' };
    case 'aborted':
      return { label: 'aborted (run cancelled)', color: 'gray' };
  }
}

function succeeded(attempt: AttemptView, next: AttemptView | undefined, conflicted: boolean): AttemptOutcome {
  const evaluation = attempt.evaluation;
  const merge = conflicted ? ', merge conflicted' : '';
  if (!evaluation) {
    return next
      ? { label: `agent succeeded, not checked${merge}`, color: 'yellow' }
      : { label: 'agent succeeded, checks pending', color: 'magenta' };
  }
  if (!evaluation.passed) {
    const failed = evaluation.results.filter((r) => !r.passed && !r.preexisting).map((r) => r.name);
    return { label: `agent succeeded, checks failed: ${failed.join(', ') || 'incomplete'}`, color: 'red' };
  }
  if (evaluation.results.length === 0)
    return { label: `agent succeeded, no checks ran${merge}`, color: 'yellow' };
  return { label: `agent succeeded, checks passed${merge}`, color: conflicted ? 'yellow' : 'green' };
}

/** Each attempt with the task's attempt after it, in the order given (attempts are numbered per task). */
export function withNext(attempts: readonly AttemptView[]): [AttemptView, AttemptView | undefined][] {
  return attempts.map((attempt) => [
    attempt,
    attempts.find((a) => a.taskId === attempt.taskId && a.number === attempt.number + 1),
  ]);
}
