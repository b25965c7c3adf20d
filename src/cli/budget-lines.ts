import type { BudgetLine, BudgetView } from '../engine/index.js';
import { describeBreach, formatFigure, suggestion } from '../engine/index.js';
import type { Output } from './output.js';
import { paint } from './output.js';

/** `--raise tokens=160000` for the limit that paused a run: a round figure half again above it. */
export function raiseHint(view: BudgetView): string | undefined {
  const breach = view.pausedBy;
  if (!breach) return undefined;
  const key = `${breach.scope === 'task' ? `${breach.taskId ?? ''}.` : ''}${breach.limit}`;
  // From what is spent now (work in flight went on after the breach), not at the breach.
  const line = view.lines.find(
    (l) => l.scope === breach.scope && l.limit === breach.limit && l.taskId === breach.taskId,
  );
  const spent = Math.max(line?.spent ?? 0, breach.spent);
  const from = Math.max(spent + (breach.estimate ?? 0), line?.max ?? breach.max);
  return `--raise ${key}=${suggestion(breach.limit, from)}`;
}

/**
 * The budget part of `status`: each limit with what is spent against it (yellow from 80 %, red
 * when reached), then — for a run a budget paused — the breach and how to go on.
 */
export function budgetSection(output: Output, view: BudgetView | null, runId: string): string[] {
  if (!view) return [];
  const lines = [
    '',
    paint(output, 'bold', 'budget'),
    ...view.lines.map((line) => `  ${budgetLine(output, line)}`),
  ];
  const hint = raiseHint(view);
  if (view.pausedBy && hint)
    lines.push(
      paint(output, 'yellow', `  paused by ${describeBreach(view.pausedBy)}`),
      `  continue with: gaffer resume ${runId} ${hint}`,
    );
  return lines;
}

function budgetLine(output: Output, line: BudgetLine): string {
  const who = line.scope === 'run' ? 'run' : `task ${line.taskId ?? ''}`;
  const share = line.max > 0 ? line.spent / line.max : 1;
  const text = `${who} ${line.limit}: ${formatFigure(line.limit, line.spent)} of ${formatFigure(line.limit, line.max)} (${Math.round(share * 100)}%)`;
  if (line.limit === 'attempts' ? line.spent >= line.max : share >= 1) return paint(output, 'red', text);
  return share >= 0.8 ? paint(output, 'yellow', text) : text;
}
