import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { RUN_STATUSES, TASK_STATUSES } from '../../domain/index.js';
import type { RunView } from '../../engine/index.js';
import { describeBreach } from '../../engine/index.js';
import { pickRun } from '../pick-run.js';
import type { ToolContext } from '../tool-context.js';
import { guarded, toolResult } from '../tool-result.js';

const runStatusOutput = {
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  reason: z.string().nullable().describe('why the run paused or failed'),
  driven: z.boolean().describe('whether an engine drives the run right now'),
  liveness: z
    .enum(['driven', 'owner-gone', 'idle'])
    .describe('owner-gone: it says running but its engine died'),
  planPath: z.string(),
  baseBranch: z.string(),
  integrationBranch: z.string().describe('where passed tasks are merged'),
  tasks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: z.enum(TASK_STATUSES),
      agent: z.string(),
      attempts: z.number(),
      reworks: z.number(),
      reason: z.string().nullable(),
      costUsd: z.number(),
    }),
  ),
  usage: z.object({
    inputTokens: z.number(),
    cachedInputTokens: z.number(),
    outputTokens: z.number(),
    costUsd: z.number(),
  }),
  budgets: z
    .array(
      z.object({
        scope: z.enum(['run', 'task']),
        taskId: z.string().nullable(),
        limit: z.string(),
        spent: z.number(),
        max: z.number(),
      }),
    )
    .describe("the run's and its tasks' limits with what is spent; empty when the plan sets none"),
  pausedByBudget: z.string().nullable().describe('the limit that paused the run, while it does'),
  openApprovals: z.number().describe('results waiting for approve or deny (see list_approvals)'),
  openQuestions: z.number().describe("agents' questions waiting for an answer (see list_questions)"),
  driveError: z
    .string()
    .nullable()
    .describe('why the last drive of the run by this server failed, if it did'),
};

type RunStatusOutput = z.infer<z.ZodObject<typeof runStatusOutput>>;

/** `run_status`: what `gaffer status` shows, as facts a model can act on. */
export function registerStatusTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'run_status',
    {
      title: 'Run status',
      description:
        'Show a Gaffer run (default: the newest): its status and why it paused, each task with its status, ' +
        'token usage and cost, budgets, and how many approvals and questions wait for a person. Call it again ' +
        'to follow a run started with start_run or resume_run. Changes nothing.',
      inputSchema: { run: z.string().min(1).optional().describe('the run id (default: the newest run)') },
      outputSchema: runStatusOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(context.logger, async ({ run }: { run?: string }) => {
      const view = await context.engine.runView((await pickRun(context.engine, run)).id);
      const status = statusOf(view, context);
      return toolResult(statusSummary(status), status);
    }),
  );
}

function statusOf(view: RunView, context: ToolContext): RunStatusOutput {
  const { run } = view;
  // A drive started here holds no lease for a moment yet: it is driven all the same.
  const driven = view.driven || context.drives.isDriving(run.id);
  return {
    runId: run.id,
    status: run.status,
    reason: run.reason,
    driven,
    liveness: driven ? 'driven' : view.liveness,
    planPath: run.planPath,
    baseBranch: run.baseBranch,
    integrationBranch: run.integrationBranch,
    tasks: view.tasks.map((t) => ({
      id: t.taskId,
      title: t.title,
      status: t.status,
      agent: t.agent,
      attempts: t.attempts,
      reworks: t.reworks,
      reason: t.reason,
      costUsd: t.usage.costUsd,
    })),
    usage: { ...view.usage },
    budgets: (view.budget?.lines ?? []).map((l) => ({
      scope: l.scope,
      taskId: l.taskId ?? null,
      limit: l.limit,
      spent: l.spent,
      max: l.max,
    })),
    pausedByBudget: view.budget?.pausedBy ? describeBreach(view.budget.pausedBy) : null,
    openApprovals: view.openApprovals.length,
    openQuestions: view.openQuestions.length,
    driveError: context.drives.failure(run.id),
  };
}

function statusSummary(s: RunStatusOutput): string {
  const lines = [
    `run ${s.runId}: ${s.status}${s.reason ? ` — ${s.reason.split('\n')[0]}` : ''}${s.driven ? ' (driven)' : ''}`,
    ...s.tasks.map((t) => `  ${t.id}: ${t.status}${t.reason ? ` — ${t.reason.split('\n')[0]}` : ''}`),
    `usage: ${s.usage.inputTokens + s.usage.outputTokens} tokens, $${s.usage.costUsd.toFixed(4)}`,
  ];
  if (s.pausedByBudget) lines.push(`paused by ${s.pausedByBudget}: resume_run with a raise continues it`);
  if (s.openApprovals > 0)
    lines.push(`${s.openApprovals} result(s) wait for approval: list_approvals, then approve or deny`);
  if (s.openQuestions > 0)
    lines.push(`${s.openQuestions} question(s) wait for an answer: list_questions, then answer_question`);
  if (s.driveError) lines.push(`the last drive failed: ${s.driveError}`);
  if (s.liveness === 'owner-gone') lines.push(`its engine is gone: resume_run continues it`);
  else if (s.status === 'paused' && !s.driven) lines.push('continue with resume_run');
  return lines.join('\n');
}
