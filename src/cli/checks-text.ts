import type { ChecksReport } from '../engine/index.js';
import type { Output } from './output.js';
import { paint } from './output.js';

const table = (rows: string[][]) => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((cells) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
};

/**
 * The checks Gaffer will run and why each — shared by `gaffer checks` and `gaffer plan check`,
 * so what a run verifies is never a guess.
 */
export function checksText(output: Output, report: ChecksReport): string[] {
  const where = report.planPath ? `with ${report.planPath}` : 'found in its files';
  const lines = [paint(output, 'bold', `checks in ${report.root} (${where}):`)];
  if (report.checks.length === 0) {
    lines.push(
      `  ${paint(output, 'yellow', 'none')}: no check would verify the agents' work`,
      '  hint: add test/lint scripts to the repository (package.json, Makefile, pyproject.toml, …) or name commands under verifiers.commands in the plan',
    );
  } else {
    const rows = [['NAME', 'COMMAND', 'WHY'], ...report.checks.map((c) => [c.name, c.command, c.source])];
    lines.push(...table(rows).map((line, i) => `  ${i === 0 ? paint(output, 'bold', line) : line}`));
  }
  if (report.skipped.length > 0) {
    lines.push('not run:');
    const rows = report.skipped.map((c) => [c.name, c.command, `${c.why} (found in ${c.source})`]);
    lines.push(...table(rows).map((line) => `  ${paint(output, 'gray', line)}`));
  }
  for (const task of report.tasks) {
    const checks = task.checks.length ? task.checks.join(', ') : 'no checks';
    lines.push(`task ${task.taskId} runs: ${checks} (its own verifiers settings)`);
  }
  lines.push(
    paint(
      output,
      'gray',
      `each check may take ${report.timeoutS} s (verifiers.timeout_s); every task's deliverables and protected paths are checked too`,
    ),
  );
  return lines;
}
