import { GafferError } from '../domain/index.js';
import type { Engine, Logger } from '../engine/index.js';
import { errorMessage } from '../engine/logger.js';

/** How the server's last drive of a run ended, when it ended with an error. */
export interface DriveFailure {
  code: string;
  message: string;
  hint?: string;
  at: string;
}

/**
 * Runs started or resumed over the API are driven here, in the server process, without the
 * request waiting. A drive that throws is logged and kept as the run's `driveError`, so a client
 * that polls the run sees why it stopped. Closing aborts every drive, which pauses its run
 * cleanly (`gaffer resume` or the API continues it later).
 */
export class BackgroundDrives {
  private readonly active = new Map<string, { done: Promise<void>; abort: AbortController }>();
  private readonly failures = new Map<string, DriveFailure>();

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
  ) {}

  /** Whether this server drives `runId` now. */
  isDriving(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Why this server's last drive of `runId` failed, if it did (cleared when a new drive starts). */
  failureOf(runId: string): DriveFailure | null {
    return this.failures.get(runId) ?? null;
  }

  /** Starts driving `runId`; resolves at once, not when the run stops. */
  start(runId: string): void {
    if (this.active.has(runId)) return;
    this.failures.delete(runId);
    const abort = new AbortController();
    const done = this.engine
      .driveRun(runId, { signal: abort.signal })
      .then(
        (run) => this.logger.info(`run ${runId} is ${run.status}`, { runId, status: run.status }),
        (error: unknown) => {
          const failure = failureOf(error);
          this.failures.set(runId, failure);
          this.logger.error(`run ${runId} stopped: ${failure.message}`, { runId, code: failure.code });
        },
      )
      .finally(() => this.active.delete(runId));
    this.active.set(runId, { done, abort });
  }

  /** Waits for `runId`'s drive (if any) to end; tests and shutdown use it. */
  async settled(runId: string): Promise<void> {
    await this.active.get(runId)?.done;
  }

  /** Pauses every run this server drives and waits until each has stopped. */
  async close(): Promise<void> {
    const drives = [...this.active.values()];
    for (const drive of drives) drive.abort.abort('the server is shutting down');
    await Promise.all(drives.map((d) => d.done));
  }
}

function failureOf(error: unknown): DriveFailure {
  const at = new Date().toISOString();
  if (GafferError.isInstance(error))
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), at };
  return { code: 'GAFFER_INTERNAL', message: errorMessage(error), at };
}
