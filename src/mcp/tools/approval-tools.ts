import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isTerminalRun } from '../../domain/index.js';
import type { Approval, DecisionResult, Engine } from '../../engine/index.js';
import type { ToolContext } from '../tool-context.js';
import { guarded, toolResult } from '../tool-result.js';

const approvalSchema = z.object({
  approvalId: z.string().describe('what approve and deny take'),
  kind: z
    .enum(['task', 'final'])
    .describe("task: one task's result before its merge; final: the whole run before it completes"),
  runId: z.string(),
  taskId: z.string().nullable(),
  attempt: z.number(),
  confidence: z.string().describe('how sure the checks are: green, yellow, red (final: the final review)'),
  score: z.number(),
  why: z.string().describe('why it was not merged at once'),
  requestedAt: z.string(),
});

const decisionOutput = {
  approval: approvalSchema,
  decision: z.enum(['approved', 'denied']),
  runId: z.string(),
  runDriven: z.boolean().describe('true: the run acts on it now; false: when resume_run continues the run'),
};

const approvalOf = (a: Approval): z.infer<typeof approvalSchema> => ({
  approvalId: a.approvalId,
  kind: a.kind,
  runId: a.runId,
  taskId: a.kind === 'final' ? null : a.taskId,
  attempt: a.attempt,
  confidence: a.confidence,
  score: a.score,
  why: a.why,
  requestedAt: a.requestedAt,
});

const subjectOf = (a: Approval) =>
  a.kind === 'final' ? `the final review of run ${a.runId}` : `task ${a.taskId}, attempt ${a.attempt}`;

/** `list_approvals`, `approve`, `deny`: the results that wait for a person, and the decisions. */
export function registerApprovalTools(server: McpServer, context: ToolContext): void {
  const { engine, logger } = context;
  const approvalId = z
    .string()
    .min(1)
    .describe('the approval id from list_approvals (or the task id, when only one result of it waits)');

  server.registerTool(
    'list_approvals',
    {
      title: 'List approvals',
      description:
        'List the results that wait for a person to approve or deny them before they merge (of one run, or of ' +
        'every run not ended), with the checks’ confidence and why each waits. Changes nothing.',
      inputSchema: {
        run: z.string().min(1).optional().describe('the run id (default: every run not ended)'),
      },
      outputSchema: { approvals: z.array(approvalSchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(logger, async ({ run }: { run?: string }) => {
      const approvals = (await approvalsOf(engine, run)).filter((a) => a.open);
      const summary =
        approvals.length === 0
          ? 'nothing waits for approval'
          : [
              `${approvals.length} result(s) wait for approval:`,
              ...approvals.map((a) => `  ${a.approvalId}: ${subjectOf(a)}, ${a.confidence}; ${a.why}`),
              'decide with approve {approval} or deny {approval, reason}',
            ].join('\n');
      return toolResult(summary, { approvals: approvals.map(approvalOf) });
    }),
  );

  const decided = (result: DecisionResult, decision: 'approved' | 'denied', then: string) => {
    const { approval, run, driven } = result;
    const next = driven
      ? `run ${run.id} is running: ${then} now`
      : `${then} when the run continues: resume_run {run: "${run.id}"}`;
    return toolResult(`${decision} ${approval.approvalId} (${subjectOf(approval)}); ${next}`, {
      approval: approvalOf(approval),
      decision,
      runId: run.id,
      runDriven: driven,
    });
  };

  server.registerTool(
    'approve',
    {
      title: 'Approve a result',
      description:
        'Approve a result that waits for a person (see list_approvals): the task’s work merges into the run’s ' +
        'integration branch (a final review: the run completes).',
      inputSchema: { approval: approvalId },
      outputSchema: decisionOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    guarded(logger, async ({ approval }: { approval: string }) =>
      decided(await engine.decide({ id: approval, decision: 'approved' }), 'approved', 'it merges'),
    ),
  );

  server.registerTool(
    'deny',
    {
      title: 'Deny a result',
      description:
        'Deny a result that waits for a person (see list_approvals): the task goes back for rework and its ' +
        'agent is told the reason (a denied final review ends the run failed).',
      inputSchema: {
        approval: approvalId,
        reason: z.string().min(1).describe('what to change: the agent is told this'),
      },
      outputSchema: decisionOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    },
    guarded(logger, async ({ approval, reason }: { approval: string; reason: string }) => {
      const result = await engine.decide({ id: approval, decision: 'denied', reason });
      return decided(
        result,
        'denied',
        result.approval.kind === 'final' ? 'the run ends failed' : 'the task goes back for rework',
      );
    }),
  );
}

async function approvalsOf(engine: Engine, runId: string | undefined): Promise<Approval[]> {
  if (runId !== undefined) return engine.approvals(runId);
  const runs = (await engine.listRuns()).filter((r) => !isTerminalRun(r.status));
  return (await Promise.all(runs.map((r) => engine.approvals(r.id)))).flat();
}
