import type { RunStatus } from '../domain/index.js';

/** 0 completed, 1 run failed or cancelled, 2 bad input, 3 paused. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, paused: 3 } as const;

export function exitCodeFor(status: RunStatus): number {
  switch (status) {
    case 'completed':
      return EXIT.ok;
    case 'paused':
    case 'pending':
    case 'running':
      return EXIT.paused;
    case 'failed':
    case 'cancelled':
      return EXIT.failed;
  }
}
