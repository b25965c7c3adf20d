/**
 * Merges of one drive, one at a time, each with its health check: a check that fails must be
 * pinned on the merge it ran after, so the next merge waits until the verdict is recorded (and
 * a failed merge taken back out). Agents and evaluations go on meanwhile; only merges queue.
 */
export class MergeLane {
  private tail: Promise<unknown> = Promise.resolve();
  /** Whether this drive made the health checkout (a checkout left by an earlier drive is made again). */
  checkoutMade = false;

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
