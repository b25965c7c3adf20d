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
 * with `usage`, token and cost columns too. The note says why a task ended where it did, or,
 * from `notes` (the read model's activities), what it is doing now.
 */
export function renderTaskTable(
  output: Output,
  tasks: TaskRecord[],
  now = Date.now(),
  usage?: ReadonlyMap<string, Usage>,
  notes?: ReadonlyMap<string, string>,
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
      : (notes?.get(task.taskId) ?? ''),
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
  const maxWidth = Math.max(40, output.columns - 1);
  // Lines are clipped as plain text so a live redraw never wraps; colour goes on afterwards.
  const line = (cells: string[], colorize: boolean) => {
    const plain = cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
      .replace(/\s+/g, (gap) => (gap.includes('\n') ? ' ' : gap));
    const clipped = plain.length <= maxWidth ? plain : plain.slice(0, maxWidth - 1) + '…';
    const status = cells[1] ?? '';
    const at = (widths[0] ?? 0) + 2;
    if (!colorize || clipped.length < at + status.length) return clipped;
    const painted = paint(output, STATUS_COLOR[status as TaskStatus], status);
    return clipped.slice(0, at) + painted + clipped.slice(at + status.length);
  };
  return [paint(output, 'bold', line(header, false)), ...rows.map((r) => line(r, true))];
}
