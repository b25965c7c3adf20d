import type { RunRecord } from '../domain/index.js';
import type { Engine } from '../engine/index.js';
import type { Output } from './output.js';
import { paint } from './output.js';
import { formatDuration } from './task-table.js';

/** The closing lines of a run: outcome, reworks, integration branch and what to do next. */
export async function renderSummary(engine: Engine, run: RunRecord, output: Output): Promise<string[]> {
  const { tasks, attempts, usage } = await engine.runView(run.id);
  const by = (status: string) => tasks.filter((t) => t.status === status);
  const elapsed = formatDuration(
    (run.finishedAt ? Date.parse(run.finishedAt) : Date.now()) - Date.parse(run.createdAt),
  );
  const color = run.status === 'completed' ? 'green' : run.status === 'paused' ? 'yellow' : 'red';
  const lines = [
    paint(output, color, paint(output, 'bold', `run ${run.id} ${run.status}`)) +
      ` in ${elapsed}: ${by('passed').length}/${tasks.length} tasks passed, ${attempts.length} attempts` +
      (usage.inputTokens + usage.outputTokens > 0
        ? `, ${usage.inputTokens + usage.outputTokens} tokens, $${usage.costUsd.toFixed(4)}`
        : ''),
  ];
  for (const task of tasks.filter((t) => t.reworks > 0 && t.status === 'passed')) {
    lines.push(`  ${task.taskId}: passed after ${task.reworks} rework${task.reworks > 1 ? 's' : ''}`);
  }
  for (const task of [...by('blocked'), ...by('skipped'), ...by('cancelled')]) {
    lines.push(`  ${task.taskId}: ${task.status}${task.reason ? ` — ${task.reason.split('\n')[0]}` : ''}`);
  }
  if (by('blocked').length) {
    lines.push(
      `  worktrees of blocked tasks are kept for inspection under .gaffer/worktrees/${run.slug}/ (remove with gaffer clean)`,
    );
  }
  lines.push(
    `integration branch: ${run.integrationBranch} (from ${run.baseBranch} at ${run.baseCommit.slice(0, 8)})`,
  );
  if (run.status === 'completed') {
    lines.push(`review it with: git log --oneline --graph ${run.baseBranch}..${run.integrationBranch}`);
  }
  return lines;
}
