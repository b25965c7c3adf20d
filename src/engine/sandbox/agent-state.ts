import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StateSeed } from '../../domain/index.js';
import { gafferDir } from '../run-context.js';

/**
 * Where a task keeps its private copy of an agent CLI's state: under `.gaffer/`, which no
 * agent can see, one per run, task and backend, so every attempt of the task (and a resume
 * after a crash) finds the sessions the ones before it recorded.
 */
export const agentStateDir = (repoRoot: string, runId: string, taskId: string, agent: string) =>
  join(gafferDir(repoRoot), 'agent-state', runId, taskId, agent);

/**
 * Makes the task's state directory when it does not exist yet, with copies of the user's
 * login and settings files (`seed`) and nothing else. An existing directory is left as the
 * attempts before made it: seeding again would undo a token the CLI refreshed there.
 */
export function prepareAgentState(dir: string, seed: readonly StateSeed[]): string {
  if (existsSync(dir)) return dir;
  // Whole or not at all: a crash mid-copy leaves `.making`, which the next attempt starts over.
  const making = `${dir}.making`;
  rmSync(making, { recursive: true, force: true });
  mkdirSync(making, { recursive: true, mode: 0o700 });
  for (const { from, to } of seed) {
    if (!isFile(from)) continue;
    const target = join(making, to);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    copyFileSync(from, target);
  }
  renameSync(making, dir);
  return dir;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
