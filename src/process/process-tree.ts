import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessInfo } from './process-table.js';
import { listProcesses, startMarkOf } from './process-table.js';

/**
 * The processes one command started, as far as /proc shows them: noted while the command still
 * runs, signalled by pid, and awaited until they are gone. A process group alone does not hold a
 * tree: a sandboxed command runs in its own session and PID namespace below bwrap, and dies only
 * a moment after bwrap does, when the kernel tears the namespace down.
 */
export interface ProcessTree {
  /**
   * Adds what runs now: the members of the root's group and, with `descendants`, every process
   * below the root or below a member noted earlier, whatever its group or session. Only a live
   * parent links a child to the tree, so descendants are noted before the root is killed.
   */
  note(options: { descendants: boolean }): Promise<void>;
  /** Sends `signal` to every noted member still alive; one that is gone or not ours to signal is dropped. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once every noted member has exited (a zombie has), or after `maxMs` for one stuck in the kernel. */
  gone(maxMs: number): Promise<void>;
}

/** The first poll of {@link ProcessTree.gone} comes soon (SIGKILL takes milliseconds), later ones less often. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;

/** Creates the {@link ProcessTree} of `root`, the leader of its own group, whose start mark was `rootMark`. */
export function watchProcessTree(root: number, rootMark: string | undefined): ProcessTree {
  // pid → start mark: a pid that comes back as somebody else's is not ours.
  const members = new Map<number, string>();
  const alive = (pid: number, mark: string) => startMarkOf(pid) === mark;
  const prune = () => {
    for (const [pid, mark] of members) if (!alive(pid, mark)) members.delete(pid);
  };
  return {
    async note({ descendants }) {
      const processes = await listProcesses();
      if (processes === undefined) return;
      const isOurs = (p: ProcessInfo) =>
        p.pgid === root ||
        members.get(p.pid) === p.startMark ||
        (p.pid === root && (rootMark === undefined || p.startMark === rootMark));
      const found = new Set(processes.filter(isOurs));
      if (descendants) {
        const children = new Map<number, ProcessInfo[]>();
        for (const p of processes) {
          const siblings = children.get(p.ppid);
          if (siblings) siblings.push(p);
          else children.set(p.ppid, [p]);
        }
        // A Set visits what is added while it is iterated: the whole tree, level by level.
        for (const parent of found) for (const child of children.get(parent.pid) ?? []) found.add(child);
      }
      for (const p of found) if (p.pid !== process.pid) members.set(p.pid, p.startMark);
    },
    signal(signal) {
      prune();
      for (const pid of members.keys()) {
        try {
          process.kill(pid, signal);
        } catch {
          // Gone meanwhile, or another user's (a setuid helper): nothing to wait for either way.
          members.delete(pid);
        }
      }
    },
    async gone(maxMs) {
      const deadline = Date.now() + maxMs;
      for (let pollMs = FIRST_POLL_MS; ; pollMs = Math.min(pollMs * 2, MAX_POLL_MS)) {
        prune();
        if (members.size === 0 || Date.now() >= deadline) return;
        await sleep(pollMs);
      }
    },
  };
}
