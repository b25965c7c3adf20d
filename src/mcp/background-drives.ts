import type { Engine, Logger } from '../engine/index.js';

/**
 * The runs this MCP server drives in its own process. A tool call only starts a drive and
 * returns: a run lasts far longer than a model waits for one answer, and `run_status` shows it.
 */
export interface BackgroundDrives {
  /** Starts driving `runId` here without waiting for it. */
  start(runId: string): void;
  /** Reserves `runId` for a drive about to start here; false when one is claimed or running already. */
  claim(runId: string): boolean;
  /** Gives a claim back without starting a drive. */
  release(runId: string): void;
  /** Whether a drive of `runId` started here has not settled yet (it may not hold the lease yet). */
  isDriving(runId: string): boolean;
  /** Why the last drive of `runId` started here failed, if it did. */
  failure(runId: string): string | null;
  /** Pauses every run driven here (their attempts resume later) and waits until each has stopped. */
  stop(): Promise<void>;
}

/** Why a drive was interrupted, recorded as the run's pause reason. */
export const STOPPED_REASON = 'the gaffer MCP server stopped';

export function createBackgroundDrives(engine: Engine, logger: Logger): BackgroundDrives {
  const controller = new AbortController();
  const running = new Map<string, Promise<void>>();
  const failures = new Map<string, string>();
  const claimed = new Set<string>();
  return {
    claim(runId) {
      if (claimed.has(runId) || running.has(runId)) return false;
      claimed.add(runId);
      return true;
    },
    release: (runId) => void claimed.delete(runId),
    start(runId) {
      claimed.delete(runId);
      if (running.has(runId)) return;
      failures.delete(runId);
      const drive = engine
        .driveRun(runId, { signal: controller.signal })
        .then(
          (run) => logger.info(`run ${runId} stopped driving: ${run.status}`),
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            failures.set(runId, message);
            logger.error(`run ${runId} stopped: ${message}`);
          },
        )
        .finally(() => {
          if (running.get(runId) === drive) running.delete(runId);
        });
      running.set(runId, drive);
    },
    isDriving: (runId) => running.has(runId) || claimed.has(runId),
    failure: (runId) => failures.get(runId) ?? null,
    async stop() {
      controller.abort(STOPPED_REASON);
      await Promise.all(running.values());
    },
  };
}
