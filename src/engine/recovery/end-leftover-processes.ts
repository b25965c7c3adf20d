import type { AttemptRecord } from '../../domain/index.js';
import { GafferError } from '../../domain/index.js';
import { endProcesses } from '../../process/end-processes.js';
import type { RecordedGroup } from '../../process/end-processes.js';
import { redactSecrets } from '../redact.js';
import type { RunContext } from '../run-context.js';

/** SIGTERM to SIGKILL for what a dead owner left behind: its agents had their chance to stop. */
const GRACE_MS = 2000;

interface Worktree {
  path: string;
  /** The newest attempt that used it: the one the event is recorded on. */
  attempt: AttemptRecord;
  groups: RecordedGroup[];
}

/** One entry per worktree: a task's attempts share one, and its processes are ended once. */
function byWorktree(attempts: readonly AttemptRecord[]): Worktree[] {
  const found = new Map<string, Worktree>();
  for (const attempt of attempts) {
    const known = found.get(attempt.worktreePath);
    const groups = [...(known?.groups ?? []), ...(attempt.processes ?? [])];
    const newest = known === undefined || attempt.number > known.attempt.number ? attempt : known.attempt;
    found.set(attempt.worktreePath, { path: attempt.worktreePath, attempt: newest, groups });
  }
  return [...found.values()];
}

/**
 * Before another attempt works in the worktrees of `attempts`, ends every process a previous
 * engine left there: the process groups the attempts recorded (agent, its commands, checks), and
 * anything else whose working directory is inside the worktree (a daemon that left its group).
 * Waits until they are gone, logs them and records `attempt.processes-ended`. Throws when one
 * survives SIGKILL: two agents in one worktree is worse than a resume that stops.
 */
export async function endLeftoverProcesses(
  ctx: Pick<RunContext, 'store' | 'logger'>,
  attempts: readonly AttemptRecord[],
): Promise<void> {
  const log = ctx.logger.child('recovery');
  for (const worktree of byWorktree(attempts)) {
    const { attempt } = worktree;
    const outcome = await endProcesses({ groups: worktree.groups, dirs: [worktree.path], graceMs: GRACE_MS });
    if (outcome === undefined) {
      log.warn('cannot look for processes the previous engine left running (no /proc on this system)', {
        attemptId: attempt.id,
        worktree: worktree.path,
      });
      return;
    }
    for (const group of outcome.elsewhere) {
      log.warn('a process group of this attempt runs on another host and cannot be ended from here', {
        attemptId: attempt.id,
        host: group.host,
        pgid: group.pgid,
        command: group.command,
      });
    }
    if (outcome.ended.length > 0) {
      const pids = outcome.ended.map((p) => p.pid);
      // Command lines can hold a prompt or a credential: redacted and cut before they are kept.
      const commands = outcome.ended.map((p) => redactSecrets(p.command).slice(0, 200));
      log.info('ended processes the previous engine left running', { attemptId: attempt.id, pids, commands });
      await ctx.store.transaction((tx) =>
        tx.appendEvent({
          type: 'attempt.processes-ended',
          runId: attempt.runId,
          taskId: attempt.taskId,
          attemptId: attempt.id,
          data: { pids, commands },
        }),
      );
    }
    if (outcome.left.length > 0) {
      const list = outcome.left.map((p) => `${p.pid} (${redactSecrets(p.command).slice(0, 200)})`).join(', ');
      throw new GafferError(
        'GAFFER_PROCESSES_LEFT',
        `processes of task ${attempt.taskId}'s previous attempt still run in ${worktree.path} after SIGKILL: ${list}`,
        {
          userError: true,
          hint: `end them (kill -9 ${outcome.left.map((p) => p.pid).join(' ')}) and run \`gaffer resume ${attempt.runId}\` again`,
          details: { attemptId: attempt.id, pids: outcome.left.map((p) => p.pid) },
        },
      );
    }
  }
}
