import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { GafferError, userError } from '../domain/index.js';
import type { LeaseRecord } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** `host:pid:nonce`, so a take-over can tell a dead local owner from a live remote one. */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** True when `ownerId` names a process on this host that no longer exists. */
export function ownerIsDead(ownerId: string): boolean {
  const [host, pidText] = ownerId.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface LeaseKeeperOptions {
  ttlMs: number;
  heartbeatMs: number;
  /** Called once when the lease is lost (taken over, or the store is unreachable past the TTL). */
  onLost: (why: string) => void;
}

/**
 * Holds a run's lease: takes it (or takes over from a dead local owner or an expired one) and
 * renews it on a heartbeat until released.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private lease: LeaseRecord | undefined;
  private lastRenewed = 0;

  constructor(
    private readonly store: Store,
    readonly runId: string,
    readonly ownerId: string,
    private readonly options: LeaseKeeperOptions,
  ) {}

  async acquire(): Promise<LeaseRecord> {
    let lease = await this.store.acquireLease(this.runId, this.ownerId, this.options.ttlMs);
    if (!lease) {
      const holder = await this.store.getLease(this.runId);
      if (holder && ownerIsDead(holder.ownerId)) {
        lease = await this.store.acquireLease(this.runId, this.ownerId, this.options.ttlMs, {
          takeOverFrom: holder.ownerId,
        });
      }
      if (!lease) {
        throw userError(
          'GAFFER_LEASE_HELD',
          `run ${this.runId} is being driven by ${holder?.ownerId ?? 'another process'} (lease until ${holder?.expiresAt ?? '?'})`,
          'wait for it to finish, or stop that process; a dead owner’s lease expires on its own',
        );
      }
    }
    this.lease = lease;
    this.lastRenewed = Date.now();
    this.timer = setInterval(() => void this.renew(), this.options.heartbeatMs);
    this.timer.unref();
    return lease;
  }

  private async renew(): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    try {
      const ok = await this.store.renewLease(this.runId, this.ownerId, lease.token, this.options.ttlMs);
      if (ok) {
        this.lastRenewed = Date.now();
        return;
      }
      this.lost('the lease was taken over by another process');
    } catch (error) {
      if (Date.now() - this.lastRenewed > this.options.ttlMs) {
        this.lost(`the store was unreachable for longer than the lease: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Throws unless the lease was renewed within its TTL, by this process's own clock: an engine
   * frozen past its lease (SIGSTOP, a suspended machine) and then continued must not touch git
   * before its heartbeat has had a chance to find out that another engine took over.
   */
  assertFresh(): void {
    if (this.lease && Date.now() - this.lastRenewed <= this.options.ttlMs) return;
    throw new GafferError(
      'GAFFER_LEASE_HELD',
      `the lease of run ${this.runId} is not known to be held any more: git writes are refused`,
      { hint: 'another engine may have taken the run over; this one stops without writing' },
    );
  }

  private lost(why: string): void {
    this.stopTimer();
    this.lease = undefined;
    this.options.onLost(why);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async release(): Promise<void> {
    this.stopTimer();
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await this.store.releaseLease(this.runId, this.ownerId, lease.token);
  }
}
