import type { TaskRecord, TaskStatus, Usage } from '../domain/index.js';
import type { Color, Output } from './output.js';
import { paint } from './output.js';

const STATUS_COLOR: Record<TaskStatus, Color> = {
  pending: 'gray',
  ready: 'cyan',
  running: 'blue',
  evaluating: 'magenta',
  awaiting_approval: 'yellow',
  rework: 'yellow',
  passed: 'green',
  blocked: 'red',
  skipped: 'gray',
  cancelled: 'gray',
  superseded: 'gray',
};

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const elapsedOf = (task: TaskRecord, now: number) =>
  task.startedAt
    ? formatDuration((task.finishedAt ? Date.parse(task.finishedAt) : now) - Date.parse(task.startedAt))
    : '-';

export const formatTokens = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n));

/**
 * The task table shared by the live view and `gaffer status`: one row per task, plan order;
 * with `usage`, token and cost columns too.
 */
export function renderTaskTable(
  output: Output,
  tasks: TaskRecord[],
  now = Date.now(),
  usage?: ReadonlyMap<string, Usage>,
): string[] {
  const usageCells = (task: TaskRecord) => {
    const u = usage?.get(task.taskId);
    if (!usage) return [];
    if (!u || u.inputTokens + u.outputTokens === 0) return ['-', '-'];
    return [formatTokens(u.inputTokens + u.outputTokens), `$${u.costUsd.toFixed(2)}`];
  };
  const rows = tasks.map((task) => [
    task.taskId,
    task.status,
    task.attempts === 0 ? '-' : String(task.attempts) + (task.reworks ? ` (${task.reworks} rework)` : ''),
    elapsedOf(task, now),
    task.filesChanged ? String(task.filesChanged) : '-',
    ...usageCells(task),
    task.status === 'blocked' || task.status === 'skipped' || task.status === 'cancelled'
      ? (task.reason ?? '')
      : '',
  ]);
  const header = [
    'TASK',
    'STATUS',
    'ATTEMPT',
    'ELAPSED',
    'FILES',
    ...(usage ? ['TOKENS', 'COST'] : []),
    'NOTE',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], colorize: boolean) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        return colorize && i === 1 ? paint(output, STATUS_COLOR[cell as TaskStatus], padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const maxWidth = Math.max(40, output.columns - 1);
  const clip = (text: string) =>
    output.color || text.length <= maxWidth ? text : text.slice(0, maxWidth - 1) + '…';
  return [paint(output, 'bold', line(header, false)), ...rows.map((r) => clip(line(r, true)))];
}
