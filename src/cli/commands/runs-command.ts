import type { Command } from 'commander';
import { relative } from 'node:path';
import type { RunSummary } from '../../engine/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor, isNoStoreError, workDir } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer runs`: every run of the workspace, newest first. */
export function registerRunsCommand(program: Command, output: Output, act: Act): void {
  program
    .command('runs')
    .description('list the runs of this workspace, newest first: status, tasks passed, cost')
    .option('--json', 'print the runs as a JSON array')
    .action((opts: { json?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global, { readOnly: true });
        let runs: RunSummary[];
        try {
          runs = await engine.listRuns();
        } catch (error) {
          if (!isNoStoreError(error)) throw error;
          runs = [];
        } finally {
          await engine.close();
        }
        if (opts.json) output.out(JSON.stringify(runs, null, 2) + '\n');
        else if (runs.length === 0)
          output.out('no runs in this workspace yet; start one with `gaffer run plan.yaml`\n');
        else output.out(runsTable(output, runs, workDir(global)).join('\n') + '\n');
        return EXIT.ok;
      }),
    );
}

const STATUS_COLOR = { completed: 'green', failed: 'red', cancelled: 'gray', paused: 'yellow' } as const;

function runsTable(output: Output, runs: readonly RunSummary[], cwd: string): string[] {
  const rows = runs.map((run) => [
    run.id,
    run.status,
    `${run.passed}/${run.tasks}`,
    String(run.attempts),
    `$${run.usage.costUsd.toFixed(4)}`,
    run.createdAt.slice(0, 19).replace('T', ' '),
    displayPath(run.planPath, cwd),
  ]);
  const header = ['RUN', 'STATUS', 'PASSED', 'ATTEMPTS', 'COST', 'CREATED (UTC)', 'PLAN'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    paint(output, 'bold', line(header)),
    ...rows.map((row, i) => {
      const text = line(row);
      const status = runs[i]?.status ?? 'running';
      const color = status in STATUS_COLOR ? STATUS_COLOR[status as keyof typeof STATUS_COLOR] : 'blue';
      const at = (widths[0] ?? 0) + 2;
      return text.slice(0, at) + paint(output, color, status) + text.slice(at + status.length);
    }),
  ];
}

/** A plan inside the directory the command runs in is shown relative to it. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}
