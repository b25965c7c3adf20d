import type { RunRecord } from '../domain/index.js';
import { userError } from '../domain/index.js';
import type { Engine } from '../engine/index.js';

/** The run a tool is about: the one named, else the newest. */
export async function pickRun(engine: Engine, runId: string | undefined): Promise<RunRecord> {
  if (runId !== undefined) return engine.getRun(runId);
  const latest = await engine.latestRun();
  if (!latest)
    throw userError(
      'GAFFER_RUN_NOT_FOUND',
      'there are no runs in this repository yet',
      'check a plan with check_plan, then start it with start_run',
    );
  return latest;
}
