import type { RunRecord } from '../domain/index.js';
import { isTerminalRun, userError } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { isDriven, mustGetRun } from './control/index.js';
import type { Approval } from './queries/index.js';
import { listApprovals } from './queries/index.js';

/** A person's decision on a waiting result: by its approval id, or by its task's id when only one waits. */
export interface DecisionInput {
  id: string;
  decision: 'approved' | 'denied';
  /** Required to deny: it is what the rework is told. */
  reason?: string;
  /** Where to look for a task id; absent: the run named by an approval id, or every live run. */
  runId?: string;
  by?: string;
}

export interface DecisionResult {
  approval: Approval;
  run: RunRecord;
  /** An engine drives the run now and acts on the decision at once; otherwise `gaffer resume` does. */
  driven: boolean;
}

const LISTED = '`gaffer approvals` lists the results that wait';

/**
 * Records a decision on a result that waits for a person. Refuses (a user error, nothing
 * written) an unknown id, a decided approval, one whose task no longer waits, and a denial
 * without a reason. A driven run's engine sees the decision in its log and merges or reworks.
 */
export async function recordDecision(store: Store, input: DecisionInput): Promise<DecisionResult> {
  const reason = input.reason?.trim() ?? '';
  if (input.decision === 'denied' && reason === '')
    throw userError(
      'GAFFER_BAD_INPUT',
      'a denial needs a reason: it is what the agent is told to change',
      `gaffer deny ${input.id} --reason "what to change"`,
    );
  const approval = await findApproval(store, input);
  const run = await mustGetRun(store, approval.runId);
  await store.transaction((tx) =>
    tx.appendEvent({
      type: 'approval.decided',
      runId: approval.runId,
      // The final review is the run's, not a task's.
      ...(approval.kind === 'final' ? {} : { taskId: approval.taskId, attemptId: approval.attemptId }),
      data: {
        approvalId: approval.approvalId,
        decision: input.decision,
        reason: reason === '' ? null : reason,
        by: input.by ?? 'person',
      },
    }),
  );
  return { approval, run, driven: await isDriven(store, approval.runId) };
}

async function findApproval(store: Store, input: DecisionInput): Promise<Approval> {
  const { id } = input;
  const runIds = await runsToSearch(store, input);
  const approvals = (await Promise.all(runIds.map((runId) => listApprovals(store, runId)))).flat();
  const exact = approvals.find((a) => a.approvalId === id);
  if (exact) {
    if (exact.open) return exact;
    throw userError(
      'GAFFER_BAD_INPUT',
      exact.decision
        ? `approval ${id} was already ${exact.decision.decision} by ${exact.decision.by} at ${exact.decision.at}`
        : `approval ${id} no longer waits: task ${exact.taskId} has moved on since`,
      LISTED,
    );
  }
  const byTask = approvals.filter((a) => a.open && a.taskId === id);
  if (byTask.length === 1 && byTask[0]) return byTask[0];
  if (byTask.length > 1)
    throw userError(
      'GAFFER_BAD_INPUT',
      `task ${id} waits for approval in ${byTask.length} runs: ${byTask.map((a) => a.runId).join(', ')}`,
      `name the approval: ${byTask.map((a) => a.approvalId).join(' or ')}`,
    );
  throw userError('GAFFER_BAD_INPUT', `no result waits for approval as "${id}"`, LISTED);
}

/** The run an approval id names (its first part), the run asked for, or every run not ended. */
async function runsToSearch(store: Store, input: DecisionInput): Promise<string[]> {
  if (input.runId !== undefined) return [(await mustGetRun(store, input.runId)).id];
  const named = input.id.includes('.') ? await store.getRun(input.id.split('.')[0] ?? '') : undefined;
  if (named) return [named.id];
  return (await store.listRuns()).filter((r) => !isTerminalRun(r.status)).map((r) => r.id);
}
