import type { PauseCause, RunRecord } from '../../domain/index.js';
import {
  attemptAborted,
  isSettledTask,
  isTerminalAttempt,
  isTerminalRun,
  runCancelled,
  runPaused,
  taskCancelled,
  userError,
} from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { isDriven } from './liveness.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { endLeftoverProcesses } from '../recovery/end-leftover-processes.js';

/** A pause or cancel asked of a run, by a person, a signal or a breaker. */
export type ControlRequest =
  { kind: 'pause'; reason: string; by: PauseCause } | { kind: 'cancel'; reason: string };

/** The run, or the user error every command gives for an unknown run id. */
export async function mustGetRun(store: Store, runId: string): Promise<RunRecord> {
  const run = await store.getRun(runId);
  if (!run) {
    throw userError('GAFFER_RUN_NOT_FOUND', `no run named "${runId}"`, 'list runs with `gaffer status`');
  }
  return run;
}

/**
 * Pause or cancel a run: the one control path for the CLI, the server and the engine itself.
 * A driven run gets a request event that its engine watches for (it stops its attempts
 * cleanly and records the outcome); a run nobody drives is changed here, directly.
 */
export async function requestStop(
  store: Store,
  runId: string,
  request: ControlRequest,
  logger: Logger = silentLogger,
): Promise<RunRecord> {
  const run = await mustGetRun(store, runId);
  if (isTerminalRun(run.status)) {
    throw userError('GAFFER_BAD_INPUT', `run ${runId} has already ended (${run.status})`);
  }
  if (await isDriven(store, runId)) {
    await store.transaction((tx) =>
      tx.appendEvent(
        request.kind === 'pause'
          ? { type: 'run.pause-requested', runId, data: { reason: request.reason, by: request.by } }
          : { type: 'run.cancel-requested', runId, data: { reason: request.reason } },
      ),
    );
    return run;
  }
  if (request.kind === 'pause') {
    if (run.status === 'paused') return run;
    return store.transaction((tx) => tx.apply(runPaused(runId, request.reason, request.by)));
  }
  return cancelUndriven(store, runId, request.reason, logger);
}

/** Cancels what an engine would have cancelled: live attempts, unsettled tasks, the run. */
async function cancelUndriven(
  store: Store,
  runId: string,
  reason: string,
  logger: Logger,
): Promise<RunRecord> {
  const attempts = (await store.listAttempts(runId)).filter((a) => !isTerminalAttempt(a.status));
  // An engine killed with -9 leaves its agents running in their own process groups: end them
  // before the run is recorded as cancelled, so nothing keeps writing in its worktrees.
  await endLeftoverProcesses({ store, logger }, attempts);
  const tasks = (await store.listTasks(runId)).filter((t) => !isSettledTask(t.status));
  return store.transaction(async (tx) => {
    for (const attempt of attempts) await tx.apply(attemptAborted(attempt, reason));
    for (const task of tasks) await tx.apply(taskCancelled(runId, task.taskId, reason));
    return tx.apply(runCancelled(runId, reason));
  });
}
