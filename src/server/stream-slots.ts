/**
 * A fixed number of slots for long-lived responses (event streams). Each open stream holds a
 * database tail and a socket until its run ends, so without a cap one client could open
 * thousands and starve everyone else; a request past the cap is refused instead (503).
 */
export class StreamSlots {
  private taken = 0;

  constructor(readonly capacity: number) {}

  /** Streams open now. */
  get open(): number {
    return this.taken;
  }

  /**
   * Takes a slot: the function that gives it back (calling it again does nothing, so every way a
   * stream can end may call it), or undefined when every slot is taken.
   */
  take(): (() => void) | undefined {
    if (this.taken >= this.capacity) return undefined;
    this.taken += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.taken -= 1;
    };
  }
}
