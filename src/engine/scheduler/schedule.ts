import { Draft } from './draft.js';
import type { SchedEvent, SchedulerState, ScheduleResult } from './types.js';

const CANCELLED_REASON = 'run cancelled';

/**
 * The scheduler: a pure reducer from one state and one engine event to the next state and the
 * actions the engine must perform, in order. No clock, no I/O, no randomness.
 *
 * Control events (`start`, `pause`, `cancel`) after a final `finish` (completed, failed,
 * cancelled) change nothing. After `finish paused`, `start` resumes and `cancel` cancels.
 */
export function schedule(state: SchedulerState, event: SchedEvent): ScheduleResult {
  const final = state.outcome !== null && state.outcome !== 'paused';
  const control = event.type === 'start' || event.type === 'pause' || event.type === 'cancel';
  if (final && control) return { state, actions: [] };

  const draft = new Draft(state);
  if (!draft.reconciled) reconcile(draft, state);
  apply(draft, event);
  draft.dispatch();
  maybeFinish(draft, state);
  return { state: draft.freeze(), actions: draft.actions };
}

function apply(draft: Draft, event: SchedEvent): void {
  switch (event.type) {
    case 'start':
      draft.started = true;
      if (draft.halted === 'pausing') {
        draft.halted = 'none';
        draft.outcome = null;
      }
      return;
    case 'pause':
      if (draft.halted === 'none') draft.halted = 'pausing';
      return;
    case 'cancel':
      if (draft.halted === 'none' || draft.halted === 'pausing') {
        draft.halted = 'cancelling';
        draft.outcome = null;
        draft.cancelUnstarted(CANCELLED_REASON);
      }
      return;
    case 'task-passed':
      // A resumed task may be settled by the engine before it is dispatched again.
      draft.expect(event.taskId, ['running', 'ready'], 'passed');
      draft.leave(event.taskId);
      draft.pass(event.taskId);
      return;
    case 'task-blocked':
      draft.expect(event.taskId, ['running', 'ready'], 'blocked');
      draft.leave(event.taskId);
      onBlocked(draft, event.taskId, event.reason);
      return;
    case 'task-interrupted':
      draft.expect(event.taskId, ['running'], 'ready');
      draft.leave(event.taskId);
      if (draft.halted === 'cancelling' || draft.halted === 'failing') {
        draft.cancel(event.taskId, draft.halted === 'failing' ? failingReason(draft) : CANCELLED_REASON);
      } else {
        draft.markReady(event.taskId);
      }
      return;
    case 'task-awaiting':
      draft.expect(event.taskId, ['running'], 'awaiting');
      draft.leave(event.taskId);
      // A run that is failing or cancelling ends: nobody will be asked, like a task not started.
      if (draft.halted === 'cancelling' || draft.halted === 'failing')
        draft.cancel(event.taskId, draft.halted === 'failing' ? failingReason(draft) : CANCELLED_REASON);
      else draft.await(event.taskId);
      return;
    case 'task-decided':
      // A decision may be reported twice (the watch and the pipeline's own look): once counts.
      if (draft.statusOf(event.taskId) !== 'awaiting') return;
      if (draft.halted === 'cancelling' || draft.halted === 'failing') return;
      draft.markReady(event.taskId);
      return;
  }
}

function onBlocked(draft: Draft, id: string, reason: string): void {
  draft.block(id, reason);
  // Cancelling or failing has already cancelled every task that had not started.
  if (draft.halted === 'cancelling' || draft.halted === 'failing') return;
  if (draft.config.keepGoing) {
    draft.skipDependents(id, `dependency ${id} is blocked`);
  } else {
    draft.halted = 'failing';
    draft.cancelUnstarted(failingReason(draft));
  }
}

function failingReason(draft: Draft): string {
  const first = draft.firstBlock();
  return first ? `run failed: task ${first.taskId} is blocked` : 'run failed';
}

/**
 * The first event of a state announces what the constructor could not: dependents of tasks
 * stored as skipped or cancelled (`skip`), stored blocked tasks (skip their dependents, or
 * fail without keep-going), then tasks that became ready with nobody recording it
 * (`mark-ready`: every root of a fresh run, and the resumed ones).
 */
function reconcile(draft: Draft, state: SchedulerState): void {
  draft.reconciled = true;
  for (const id of state.graph.order) {
    const status = draft.statusOf(id);
    if (status === 'skipped' || status === 'cancelled') {
      draft.skipDependents(id, `dependency ${id} is ${status}`);
    }
  }
  const blocked = draft.blockedIds();
  if (blocked.length > 0 && state.config.keepGoing) {
    for (const id of blocked) draft.skipDependents(id, `dependency ${id} is blocked`);
  } else if (blocked.length > 0) {
    draft.halted = 'failing';
    draft.cancelUnstarted(failingReason(draft));
  }
  for (const id of state.pendingMarks) {
    if (draft.statusOf(id) === 'ready') draft.actions.push({ type: 'mark-ready', taskId: id });
  }
}

function maybeFinish(draft: Draft, state: SchedulerState): void {
  if (draft.isRunning() || draft.outcome !== null) return;
  switch (draft.halted) {
    case 'pausing':
      // A pause that arrives while the last tasks run changes nothing: the run is complete.
      if (draft.count('waiting') + draft.count('ready') > 0) {
        draft.finish('paused');
        return;
      }
      break;
    case 'cancelling':
      draft.finish('cancelled');
      return;
    case 'failing':
      draft.finish('failed', draft.firstBlock()?.reason ?? 'a task is blocked');
      return;
    case 'none':
      break;
  }
  if (draft.halted === 'none' && (!draft.started || draft.hasReady())) return;
  const awaiting = draft.awaitingIds();
  if (awaiting.length > 0) {
    // Nothing else can move until a person decides: the run pauses, and goes on after.
    draft.finish('paused', `waiting for approval: ${awaiting.join(', ')}`, awaiting);
    return;
  }
  const open = draft.count('waiting');
  if (open > 0) {
    // Unreachable for a DAG whose blocked roots were skipped; finish rather than hang.
    const stuck = state.graph.order.filter((id) => draft.statusOf(id) === 'waiting');
    draft.finish('failed', `${stuck.length} task(s) can never become ready: ${stuck.join(', ')}`);
    return;
  }
  const blocked = draft.blockedIds();
  if (blocked.length === 0) draft.finish('completed');
  else draft.finish('failed', `${blocked.length} task(s) blocked: ${blocked.join(', ')}`);
}
