import type { RunRecord } from '../domain/index.js';
import { userError } from '../domain/index.js';
import type { Engine } from '../engine/index.js';

/** The run a read command is about: the one named, else the newest. */
export async function pickRun(engine: Engine, runId: string | undefined): Promise<RunRecord> {
  if (runId) return engine.getRun(runId);
  const latest = await engine.latestRun();
  if (!latest)
    throw userError(
      'GAFFER_RUN_NOT_FOUND',
      'there are no runs in this workspace yet',
      'start one with `gaffer run plan.yaml` (or `gaffer demo` to see one)',
    );
  return latest;
}
