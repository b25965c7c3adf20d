import type { Store } from '../../store/index.js';

/** A result that waited (or waits) for a person, and what they decided. */
export interface Approval {
  /** The evaluation it is about: `<run>.<task>.<attempt>.eval…`. */
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
  const [events, tasks] = await Promise.all([
    store.readEvents({ runId, types: ['task.awaiting-approval', 'approval.decided'] }),
    store.listTasks(runId),
  ]);
  const waiting = new Set(tasks.filter((t) => t.status === 'awaiting_approval').map((t) => t.taskId));
  const approvals = new Map<string, Approval>();
  for (const event of events) {
    if (event.type === 'task.awaiting-approval' && !approvals.has(event.data.approvalId)) {
      approvals.set(event.data.approvalId, {
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
    if (event.type === 'approval.decided') {
      const approval = approvals.get(event.data.approvalId);
      if (approval) {
        const { decision, reason, by } = event.data;
        approval.decision = { decision, reason, by, at: event.at };
      }
    }
  }
  // Only a task's newest request can still be open: an older one was replaced by a new result.
  const newest = new Map([...approvals.values()].map((a) => [a.taskId, a.approvalId]));
  for (const approval of approvals.values())
    approval.open =
      approval.decision === undefined &&
      waiting.has(approval.taskId) &&
      newest.get(approval.taskId) === approval.approvalId;
  return [...approvals.values()];
}
