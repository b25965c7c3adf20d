import { hostname } from 'node:os';
import type { AttemptRecord } from '../../domain/index.js';
import { startMarkOf } from '../../process/process-table.js';
import type { Store } from '../../store/index.js';

type RecordedProcess = NonNullable<AttemptRecord['processes']>[number];

/** Whether a recorded group's leader may still run: it is on another host, or the same process is alive here. */
function mayStillRun(recorded: RecordedProcess, here: string): boolean {
  if (recorded.host !== here) return true;
  const mark = startMarkOf(recorded.pid);
  return recorded.startMark === null ? mark !== undefined : mark === recorded.startMark;
}

/**
 * Records a process group the attempt just started (its agent, a command the agent ran, a check)
 * on the attempt row, so an engine that takes over after a crash can end it. The start mark is
 * read now, while the process surely exists, to tell it later from a recycled pid. Groups whose
 * leader is gone are dropped on the way: an agent that runs a thousand commands keeps a short list.
 */
export async function recordAttemptProcess(
  store: Store,
  attemptId: string,
  spawned: { pid: number; pgid: number; command: string },
): Promise<void> {
  const here = hostname();
  const entry: RecordedProcess = {
    pid: spawned.pid,
    pgid: spawned.pgid,
    host: here,
    command: spawned.command,
    startMark: startMarkOf(spawned.pid) ?? null,
  };
  await store.transaction(async (tx) => {
    const current = (await tx.getAttempt(attemptId))?.processes ?? [];
    const kept = current.filter((p) => p.pid !== entry.pid && mayStillRun(p, here));
    await tx.updateAttempt(attemptId, { processes: [...kept, entry] });
  });
}
