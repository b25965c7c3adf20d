import { GafferError } from '../domain/index.js';

export function runNotFound(runId: string): GafferError {
  return new GafferError('GAFFER_RUN_NOT_FOUND', `run ${runId} not found`, {
    hint: 'list runs with `gaffer status`',
    details: { runId },
  });
}

export function taskNotFound(runId: string, taskId: string): GafferError {
  return new GafferError('GAFFER_STORE', `task ${taskId} of run ${runId} not found`, {
    details: { runId, taskId },
  });
}

export function attemptNotFound(attemptId: string): GafferError {
  return new GafferError('GAFFER_STORE', `attempt ${attemptId} not found`, { details: { attemptId } });
}

/**
 * A compare-and-set matched no row although the row's status allows the move. Unreachable
 * while writers are serialised (BEGIN IMMEDIATE, the PostgreSQL write lock); kept so a future
 * change there cannot silently drop a transition.
 */
export function lostRace(subject: string): GafferError {
  return new GafferError('GAFFER_STORE', `${subject} changed concurrently`, { hint: 'retry the operation' });
}

/** A write under a lease that is no longer ours (taken over, expired and retaken): refused. */
export function leaseLost(runId: string, ownerId: string, token: number): GafferError {
  return new GafferError(
    'GAFFER_LEASE_HELD',
    `run ${runId} is no longer driven by ${ownerId} (lease token ${token} is stale): the write was refused`,
    {
      hint: 'another engine took the run over; this one stops without writing',
      details: { runId, ownerId, token },
    },
  );
}
