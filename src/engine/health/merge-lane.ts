/**
 * Merges of one drive, one at a time, each with its health check: a check that fails must be
 * pinned on the merge it ran after, so the next merge waits until the verdict is recorded (and
 * a failed merge taken back out). Agents and evaluations go on meanwhile; only merges queue.
 */
export class MergeLane {
  private tail: Promise<unknown> = Promise.resolve();
  /**
   * The health checkout of this drive: not made yet (one left by an earlier drive is made again),
   * ready to be moved to the next merge, or to be made afresh (a failed merge's code ran in it).
   */
  checkout: 'none' | 'ready' | 'stale' = 'none';

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
