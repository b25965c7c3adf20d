import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { BudgetRaise } from '../../domain/index.js';
import { isTerminalRun, RUN_STATUSES, userError } from '../../domain/index.js';
import type { LimitRequest } from '../../engine/index.js';
import { endedRunError, formatFigure, limitOwner, planPathInside } from '../../engine/index.js';
import type { ToolContext } from '../tool-context.js';
import { guarded, toolResult } from '../tool-result.js';

const runId = z.string().min(1).describe('the run id (start_run returns it; run_status shows it)');

const startRunOutput = {
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  tasks: z.array(z.string()).describe('task ids in plan order'),
  baseBranch: z.string(),
  integrationBranch: z.string().describe('where passed tasks are merged'),
};

const pauseRunOutput = {
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  pausing: z.boolean().describe('true: its engine was asked to pause and stops its attempts shortly'),
};

const resumeRunOutput = {
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  raised: z.array(
    z.object({
      limit: z.string(),
      scope: z.enum(['run', 'task']),
      taskId: z.string().nullable(),
      from: z.number(),
      to: z.number(),
    }),
  ),
};

const raiseSchema = z
  .object({
    tokens: z.number().positive().optional(),
    cost_usd: z.number().positive().optional(),
    wall_time_s: z.number().positive().optional(),
  })
  .strict()
  .describe(
    "new, higher limits for the run's budget (each must be a limit the plan sets, above what is spent)",
  );

/** `start_run`, `pause_run`, `resume_run`: runs driven in this server's process, steered from the model. */
export function registerRunTools(server: McpServer, context: ToolContext): void {
  const { engine, drives, logger } = context;

  server.registerTool(
    'start_run',
    {
      title: 'Start a run',
      description:
        'Start running a Gaffer plan: every task in its own git worktree and agent session, verified and merged ' +
        'into an integration branch. Returns at once with the run id while the run goes on in the background; ' +
        'follow it with run_status. Check the plan with check_plan first.',
      inputSchema: {
        plan: z
          .string()
          .min(1)
          .describe('path of the plan file, relative to the repository root, e.g. plan.yaml'),
        concurrency: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('how many tasks run at once (default: the plan’s)'),
        agent: z
          .string()
          .min(1)
          .optional()
          .describe('run every task on this agent backend, overriding the plan'),
      },
      outputSchema: startRunOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    guarded(logger, async (args: { plan: string; concurrency?: number; agent?: string }) => {
      const run = await engine.createRun({
        planPath: await planPathInside(context.repoRoot, args.plan),
        cwd: context.repoRoot,
        ...(args.agent === undefined ? {} : { agent: args.agent }),
        ...(args.concurrency === undefined ? {} : { concurrency: args.concurrency }),
      });
      drives.start(run.id);
      const tasks = run.plan.tasks.map((t) => t.id);
      return toolResult(
        `run ${run.id} started in the background: ${tasks.length} tasks, ${run.baseBranch} → ${run.integrationBranch}; follow it with run_status`,
        {
          runId: run.id,
          status: run.status,
          tasks,
          baseBranch: run.baseBranch,
          integrationBranch: run.integrationBranch,
        },
      );
    }),
  );

  server.registerTool(
    'pause_run',
    {
      title: 'Pause a run',
      description:
        'Pause a Gaffer run: its running agent attempts stop and are resumed later by resume_run; passed tasks ' +
        'stay merged. Works on a run driven by this server or by any other Gaffer process.',
      inputSchema: { run: runId, reason: z.string().min(1).optional().describe('recorded with the run') },
      outputSchema: pauseRunOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    guarded(logger, async (args: { run: string; reason?: string }) => {
      const run = await engine.requestPause(args.run, args.reason ?? 'paused over MCP');
      const pausing = run.status === 'running' || run.status === 'pending';
      return toolResult(
        pausing
          ? `asked the engine driving ${run.id} to pause; it stops its running attempts shortly (run_status shows when)`
          : `run ${run.id} is ${run.status}`,
        { runId: run.id, status: run.status, pausing },
      );
    }),
  );

  server.registerTool(
    'resume_run',
    {
      title: 'Resume a run',
      description:
        'Continue a paused or interrupted Gaffer run in the background (passed tasks are not redone), after ' +
        'approvals were decided, questions answered, or a budget raised with `raise`. Returns at once; follow ' +
        'it with run_status. An ended run cannot be resumed.',
      inputSchema: { run: runId, raise: raiseSchema.optional() },
      outputSchema: resumeRunOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    guarded(logger, async (args: { run: string; raise?: z.infer<typeof raiseSchema> }) => {
      const run = await engine.getRun(args.run);
      if (isTerminalRun(run.status)) throw endedRunError(run);
      const busy = () =>
        userError(
          'GAFFER_BAD_INPUT',
          `run ${run.id} is being driven already`,
          'follow it with run_status; to stop it first, pause_run and wait until run_status shows it paused and not driven',
        );
      // Claimed before anything is awaited: two resume_run calls at once start one drive.
      if (!drives.claim(run.id)) throw busy();
      let raised: BudgetRaise[];
      try {
        if (await engine.isDriven(run.id)) throw busy();
        const requests = raiseRequests(args.raise);
        // Raised first: a refused raise (a limit the plan does not set, one not above what is spent) starts nothing.
        raised = requests.length > 0 ? await engine.raiseLimits(run.id, requests) : [];
      } catch (error) {
        drives.release(run.id);
        throw error;
      }
      drives.start(run.id);
      const lines = raised.map(
        (r) =>
          `raised ${limitOwner(r.scope, r.limit, r.taskId)} limit: ${formatFigure(r.limit, r.from)} → ${formatFigure(r.limit, r.to)}`,
      );
      return toolResult(
        [...lines, `run ${run.id} continues in the background; follow it with run_status`].join('\n'),
        {
          runId: run.id,
          status: (await engine.getRun(run.id)).status,
          raised: raised.map((r) => ({
            limit: r.limit,
            scope: r.scope,
            taskId: r.taskId ?? null,
            from: r.from,
            to: r.to,
          })),
        },
      );
    }),
  );
}

function raiseRequests(raise: z.infer<typeof raiseSchema> | undefined): LimitRequest[] {
  if (!raise) return [];
  return Object.entries(raise).flatMap(([limit, value]) => (value === undefined ? [] : [{ limit, value }]));
}
