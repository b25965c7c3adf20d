import { autonomyOf, isTerminalRun } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

/** A result that waited (or waits) for a person, and what they decided. */
export interface Approval {
  /** `task`: one result before its merge; `final`: the whole run before it completes (no task, attempt 0). */
  kind: 'task' | 'final';
  /** The evaluation it is about (`<run>.<task>.<attempt>.eval…`), or `<run>.final.<commit>`. */
  approvalId: string;
  runId: string;
  taskId: string;
  attemptId: string;
  attempt: number;
  confidence: string;
  score: number;
  /** Why it was not merged at once (the run's autonomy and the confidence). */
  why: string;
  requestedAt: string;
  /** Still waiting: no decision yet, and the task still waits (a cancelled run asks nothing). */
  open: boolean;
  decision?: { decision: 'approved' | 'denied'; reason: string | null; by: string; at: string };
}

/** Every approval a run asked for, oldest first: one indexed read by event type and the task list. */
export async function listApprovals(store: Store, runId: string): Promise<Approval[]> {
  const [events, tasks, run] = await Promise.all([
    store.readEvents({ runId, types: ['task.awaiting-approval', 'approval.decided', 'run.final-review'] }),
    store.listTasks(runId),
    store.getRun(runId),
  ]);
  const waiting = new Set(tasks.filter((t) => t.status === 'awaiting_approval').map((t) => t.taskId));
  const approvals = new Map<string, Approval>();
  for (const event of events) {
    if (event.type === 'task.awaiting-approval' && !approvals.has(event.data.approvalId)) {
      approvals.set(event.data.approvalId, {
        kind: 'task',
        approvalId: event.data.approvalId,
        runId,
        taskId: event.taskId ?? '',
        attemptId: event.attemptId ?? '',
        attempt: event.data.attempt,
        confidence: event.data.confidence,
        score: event.data.score,
        why: event.data.why,
        requestedAt: event.at,
        open: false,
      });
    }
    if (event.type === 'run.final-review' && run && autonomyOf(run.plan.settings) !== 'full_auto') {
      const { review } = event.data;
      const met = review.criteria.filter((c) => c.verdict === 'met').length;
      approvals.set(event.data.approvalId, {
        kind: 'final',
        approvalId: event.data.approvalId,
        runId,
        taskId: '',
        attemptId: '',
        attempt: 0,
        confidence: 'final',
        score: review.criteria.length ? met / review.criteria.length : 1,
        why: `the whole run before it completes (autonomy ${autonomyOf(run.plan.settings)}): ${review.summary.split('\n')[0] ?? ''}`,
        requestedAt: event.at,
        open: false,
      });
    }
    if (event.type === 'approval.decided') {
      const approval = approvals.get(event.data.approvalId);
      if (approval) {
        const { decision, reason, by } = event.data;
        approval.decision = { decision, reason, by, at: event.at };
      }
    }
  }
  // Only a task's newest request can still be open: an older one was replaced by a new result.
  // The newest final review of a run that has not ended waits too (the run paused for it).
  const newest = new Map(
    [...approvals.values()].map((a) => [a.kind === 'final' ? '' : a.taskId, a.approvalId]),
  );
  const live = run !== undefined && !isTerminalRun(run.status);
  for (const approval of approvals.values())
    approval.open =
      approval.decision === undefined &&
      (approval.kind === 'final' ? live : waiting.has(approval.taskId)) &&
      newest.get(approval.kind === 'final' ? '' : approval.taskId) === approval.approvalId;
  return [...approvals.values()];
}
