import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { isTerminalRun, userError } from '../../domain/index.js';
import type { LimitRequest } from '../../engine/index.js';
import { endedRunError, formatFigure, limitOwner } from '../../engine/index.js';
import { specRunPlan } from '../../engine/spec/index.js';
import { DEFAULT_PORT } from '../../server/index.js';
import { driveWithDashboard } from '../drive-with-dashboard.js';
import { portNumber } from '../dashboard-server.js';
import { driveAndShow } from '../drive-and-show.js';
import type { Output } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor, workDir } from '../workspace.js';
import { EXIT } from '../exit-codes.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `tokens=200000` or `parse-args.cost_usd=3` (task ids may hold dots: the last one splits). */
export function parseRaise(text: string): LimitRequest {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  const raw = eq < 0 ? '' : text.slice(eq + 1).trim();
  const value = Number(raw);
  if (key === '' || raw === '' || !Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError(
      `--raise ${text}: expected <limit>=<positive number>, e.g. tokens=200000 or parse-args.cost_usd=3`,
    );
  const dot = key.lastIndexOf('.');
  return dot < 0 ? { limit: key, value } : { taskId: key.slice(0, dot), limit: key.slice(dot + 1), value };
}

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer run`, `resume`, `pause`, `cancel`: starting and steering runs. */
export function registerRunCommands(program: Command, output: Output, act: Act): void {
  program
    .command('run')
    .description('run a plan: every task in its own worktree and agent session, verified and merged')
    .argument('[plan]', 'the plan file (plan.yaml); or --spec <id>')
    .option('--spec <id>', 'run the plan a spec produced (.gaffer/specs/<id>/plan.yaml), once it is approved')
    .option(
      '--allow-gaps',
      "a spec's plan (--spec, or its plan.yaml): run even when some acceptance criteria are covered by no task",
    )
    .option('--agent <name>', 'run every task on this agent backend')
    .option('--concurrency <n>', 'how many tasks run at once', positiveInt)
    .option('--keep-going', 'when a task is blocked, finish every task that does not depend on it')
    .option('--schedule <mode>', 'critical-path (default) or waves (level by level, for comparison)')
    .option('--json', 'print events as NDJSON')
    .option(
      '--serve [port]',
      'open the live dashboard on 127.0.0.1 (default port 4477; 0 picks a free one) and keep it until Ctrl-C',
      portNumber,
    )
    .option('--no-open', 'with --serve: do not open a browser')
    .action(
      (
        plan: string | undefined,
        opts: {
          spec?: string;
          allowGaps?: boolean;
          agent?: string;
          concurrency?: number;
          keepGoing?: boolean;
          schedule?: string;
          json?: boolean;
          serve?: number | true;
          open: boolean;
        },
      ) =>
        act(async (global) => {
          if (opts.schedule && opts.schedule !== 'critical-path' && opts.schedule !== 'waves') {
            output.err(`error: --schedule must be critical-path or waves, got "${opts.schedule}"\n`);
            return EXIT.badInput;
          }
          if ((plan === undefined) === (opts.spec === undefined))
            throw userError(
              'GAFFER_BAD_INPUT',
              plan === undefined
                ? 'give a plan file or --spec <id>'
                : 'give a plan file or --spec <id>, not both',
              'e.g. `gaffer run plan.yaml`, or `gaffer run --spec login` for the plan of a spec',
            );
          // A spec's plan (by --spec, or by its path with --allow-gaps) is checked before the engine
          // opens anything, so a plan not fit to run creates nothing and the gaps are told first;
          // createRun checks it again as it loads it, as it does for every caller.
          const target: { spec: string } | { planPath: string } =
            opts.spec === undefined
              ? { planPath: resolve(workDir(global), plan ?? '') }
              : { spec: opts.spec };
          const fromSpec =
            'spec' in target || opts.allowGaps
              ? await specRunPlan(workDir(global), target, { allowGaps: Boolean(opts.allowGaps) })
              : undefined;
          if (fromSpec && fromSpec.gaps.length > 0)
            output.err(`warning: no task covers ${fromSpec.gaps.join(', ')} (--allow-gaps)\n`);
          const engine = engineFor(global);
          // A plan file with --allow-gaps: createRun refuses it unless the file is a spec's plan.
          const run = await engine.createRun({
            // A spec named by its id is there (specRunPlan would have refused it otherwise).
            planPath: 'planPath' in target ? target.planPath : (fromSpec?.planPath ?? ''),
            ...(opts.allowGaps ? { allowGaps: true } : {}),
            cwd: workDir(global),
            ...(opts.agent ? { agent: opts.agent } : {}),
            ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
            keepGoing: Boolean(opts.keepGoing),
            ...(opts.schedule ? { schedule: opts.schedule as 'critical-path' | 'waves' } : {}),
          });
          if (!opts.json) {
            output.out(
              `run ${run.id}: ${run.plan.tasks.length} tasks, ${run.baseBranch} → ${run.integrationBranch}${opts.spec === undefined ? '' : ` (spec ${opts.spec})`}\n`,
            );
          }
          if (opts.serve === undefined) return driveAndShow(engine, run.id, output, Boolean(opts.json));
          return driveWithDashboard(engine, run.id, output, {
            cwd: workDir(global),
            port: opts.serve === true ? DEFAULT_PORT : opts.serve,
            open: opts.open,
            json: Boolean(opts.json),
            debug: Boolean(global.debug),
          });
        }),
    );

  program
    .command('resume')
    .description('continue a paused or interrupted run; passed tasks are not redone')
    .argument('<run>', 'run id')
    .option(
      '--raise <limit=value...>',
      'raise limits first: tokens=200000, cost_usd=20, wall_time_s=3600, attempts=30, or <task>.<limit>=<value>',
      (value: string, previous: LimitRequest[] = []) => [...previous, parseRaise(value)],
    )
    .option('--json', 'print events as NDJSON')
    .action((runId: string, opts: { json?: boolean; raise?: LimitRequest[] }) =>
      act(async (global) => {
        const requests = opts.raise ?? [];
        const engine = engineFor(global);
        const run = await engine.getRun(runId);
        if (isTerminalRun(run.status)) throw endedRunError(run);
        if (requests.length > 0) {
          const raised = await engine.raiseLimits(runId, requests);
          if (!opts.json)
            for (const r of raised)
              output.out(
                `raised ${limitOwner(r.scope, r.limit, r.taskId)} limit: ${formatFigure(r.limit, r.from)} → ${formatFigure(r.limit, r.to)}\n`,
              );
        }
        return driveAndShow(engine, runId, output, Boolean(opts.json));
      }),
    );

  program
    .command('retry')
    .description('reopen the blocked, skipped or cancelled tasks of an ended run and drive it again')
    .argument('<run>', 'run id')
    .option('--task <id...>', 'only these tasks (and the tasks that depend on them)')
    .option('--continue', 'continue from each task’s last attempt instead of starting it over')
    .option('--json', 'print events as NDJSON')
    .action((runId: string, opts: { task?: string[]; continue?: boolean; json?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global);
        const run = await engine.retryRun(runId, {
          ...(opts.task ? { tasks: opts.task } : {}),
          keepWork: Boolean(opts.continue),
        });
        if (!opts.json)
          output.out(`run ${run.id}: retrying with a fresh rework budget; passed tasks are kept\n`);
        return driveAndShow(engine, runId, output, Boolean(opts.json));
      }),
    );

  for (const kind of ['pause', 'cancel'] as const) {
    program
      .command(kind)
      .description(
        kind === 'pause' ? 'pause a run: running attempts stop and resume later' : 'cancel a run for good',
      )
      .argument('<run>', 'run id')
      .option('--reason <text>', 'recorded with the run')
      .action((runId: string, opts: { reason?: string }) =>
        act(async (global) => {
          const engine = engineFor(global);
          const reason = opts.reason ?? `${kind === 'pause' ? 'paused' : 'cancelled'} with gaffer ${kind}`;
          const run =
            kind === 'pause'
              ? await engine.requestPause(runId, reason)
              : await engine.requestCancel(runId, reason);
          const pending = run.status === 'running' || run.status === 'pending';
          output.out(
            pending
              ? `asked the engine driving ${runId} to ${kind}; it stops its running attempts shortly\n`
              : `run ${runId} is ${run.status}\n`,
          );
          return EXIT.ok;
        }),
      );
  }
}
