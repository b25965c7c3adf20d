import type { RunRecord } from '../domain/index.js';
import { isTerminalRun } from '../domain/index.js';
import type { AttemptView, Engine } from '../engine/index.js';
import { endedRunError } from '../engine/index.js';
import { conflict, notFound } from './api-error.js';
import type { BackgroundDrives } from './background-drives.js';

// Checks made before an action, through the engine's reads, so that a refused request changes
// nothing and says precisely why: an id that names nothing (404) or a state that forbids it (409).

/** The run an attempt, approval or question id belongs to: ids start with their run's (`<run>.…`). */
export const runIdOf = (id: string) => id.split('.')[0] ?? '';

/** The attempt `attemptId` names, with its evaluation; 404 when there is none. */
export async function mustFindAttempt(engine: Engine, attemptId: string): Promise<AttemptView> {
  const runId = runIdOf(attemptId);
  const attempt = (await engine.attempts(runId)).find((a) => a.id === attemptId);
  if (!attempt)
    throw notFound(`no attempt "${attemptId}"`, 'a run lists its attempts at /api/runs/<run>/attempts');
  return attempt;
}

/** The run, refused with 409 once it has ended: nothing can steer it any more. */
export async function mustGetLiveRun(engine: Engine, runId: string): Promise<RunRecord> {
  const run = await engine.getRun(runId);
  if (isTerminalRun(run.status)) {
    const ended = endedRunError(run);
    throw conflict(ended.message, ended.hint);
  }
  return run;
}

/** The live run, refused with 409 while an engine (this server or another process) drives it. */
export async function mustGetIdleRun(
  engine: Engine,
  drives: BackgroundDrives,
  runId: string,
): Promise<RunRecord> {
  const run = await mustGetLiveRun(engine, runId);
  if (drives.isDriving(runId) || (await engine.isDriven(runId)))
    throw conflict(`run ${runId} is being driven right now`, `pause it first: POST /api/runs/${runId}/pause`);
  return run;
}
