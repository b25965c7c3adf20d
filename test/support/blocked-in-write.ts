import { readFileSync } from 'node:fs';

/** The number of write(2) on the architectures whose /proc/<pid>/syscall we know how to read. */
const WRITE_SYSCALL: Partial<Record<string, string>> = { x64: '1', arm64: '64' };

/** Whether {@link blockedInWrite} can tell on this machine (Linux, a known architecture). */
export const canSeeBlockedWrites =
  process.platform === 'linux' &&
  WRITE_SYSCALL[process.arch] !== undefined &&
  (() => {
    try {
      readFileSync(`/proc/${process.pid}/syscall`, 'utf8');
      return true;
    } catch {
      return false;
    }
  })();

/**
 * Whether the main thread of `pid` is inside write(2) on `fd` right now: for a child whose
 * output nobody reads, that is where it sleeps once its pipe is full. A positive signal, so a
 * test can wait for it instead of sleeping and hoping the pipe filled meanwhile.
 */
export function blockedInWrite(pid: number, fd = 1): boolean {
  try {
    const [number, first] = readFileSync(`/proc/${pid}/syscall`, 'utf8').trim().split(' ');
    return number === WRITE_SYSCALL[process.arch] && Number(first) === fd;
  } catch {
    return false;
  }
}
