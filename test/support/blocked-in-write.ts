import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from './wait-for.js';

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

/**
 * A Node program (for `node -e`) that prints `lines` lines (`line 0`, `line 1`, …) in 60 KB
 * batches — far more than any session's mark and every buffer on the way — and leaves in its
 * cwd its pid (`pid`), the last line of the batch it is writing (`progress`) and, at the end, `done`.
 */
export function chattyChildCode(lines: number): string {
  return `
const fs = require('node:fs');
fs.writeFileSync('pid', String(process.pid));
let batch = '';
for (let i = 0; i < ${lines}; i++) {
  batch += 'line ' + i + '\\n';
  if (batch.length > 60000 || i === ${lines} - 1) {
    fs.writeFileSync('progress', String(i));
    fs.writeSync(1, batch);
    batch = '';
  }
}
fs.writeFileSync('done', '');
`;
}

/**
 * Waits until the {@link chattyChildCode} child in `cwd` is stuck in write(2) at the same batch
 * on two polls (nobody reads its output), or has finished; says whether it finished.
 */
export async function waitUntilBlockedOrDone(cwd: string, what: string): Promise<boolean> {
  const exists = (file: string) => readFile(path.join(cwd, file), 'utf8').catch(() => undefined);
  let last: string | undefined;
  await waitFor(async () => {
    if ((await exists('done')) !== undefined) return true;
    const pid = Number(await exists('pid'));
    if (!(pid > 0) || !blockedInWrite(pid)) return false;
    const now = await exists('progress');
    const stalled = now === last;
    last = now;
    return stalled;
  }, what);
  return (await exists('done')) !== undefined;
}

/** What a queue held at most while it was read to its end, and everything read. */
export async function drainNotingLargest<T>(
  channel: AsyncIterable<T> & { readonly size: number },
): Promise<{ events: T[]; largest: number }> {
  const events: T[] = [];
  let largest = 0;
  for await (const event of channel) {
    events.push(event);
    largest = Math.max(largest, channel.size);
  }
  return { events, largest };
}
