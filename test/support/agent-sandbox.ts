import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSandbox, prepareAgentState } from '../../src/engine/sandbox/index.js';
import type { AgentAdapter, SessionInput } from '../../src/domain/index.js';

/** A session input that runs inside a real Gaffer sandbox, and the cleanup after the session. */
export interface AgentSandbox {
  input: SessionInput;
  dispose(): Promise<void>;
}

export interface AgentSandboxOptions {
  /** The repository the session's cwd belongs to (default: the cwd itself). Made a git repository when it is not one. */
  repoRoot?: string;
  /** The parent environment the engine would hold (HOME, PATH, the adapter's variables); default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Where the private CLI state directory is kept, as the engine keeps one per task: sessions
   * given the same root share it (a resume finds its session) and it outlives `dispose()`.
   * Default: a fresh directory of its own, removed by `dispose()`.
   */
  stateRoot?: string;
}

/** The repository's absolute common git directory, after `git init` and an empty first commit when there is none. */
function commonDirOf(root: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let inside = false;
  try {
    inside = git('rev-parse', '--show-toplevel') === root;
  } catch {
    // not a repository
  }
  if (!inside) {
    git('init', '-q', '-b', 'main');
    git(
      '-c',
      'user.name=Test',
      '-c',
      'user.email=test@example.invalid',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'initial',
    );
  }
  return path.resolve(root, git('rev-parse', '--git-common-dir'));
}

/**
 * Opens the sandbox the engine would open for this session (`agentSandboxRequest`: the
 * adapter's own writable and created directories, a private state directory seeded like the
 * engine's, its hosts through the egress proxy, nothing else widened) and returns the input
 * carrying it. Fails, like the engine, where bubblewrap cannot run. `dispose()` after the
 * session has ended.
 */
export async function sandboxFor(
  adapter: AgentAdapter,
  input: SessionInput,
  options: AgentSandboxOptions = {},
): Promise<AgentSandbox> {
  const root = options.repoRoot ?? input.cwd;
  const env = options.env ?? process.env;
  const needs = adapter.sandboxNeeds?.(input.config, env) ?? { writable: [], network: [] };
  const ownRoot =
    needs.state === undefined || options.stateRoot !== undefined
      ? undefined
      : mkdtempSync(path.join(os.tmpdir(), 'gaffer-state-'));
  const stateRoot = options.stateRoot ?? ownRoot;
  const stateDir =
    needs.state === undefined || stateRoot === undefined
      ? undefined
      : prepareAgentState(path.join(stateRoot, adapter.name), needs.state.seed);
  const opened = await openSandbox({
    repo: { root, commonDir: commonDirOf(root) },
    worktree: input.cwd,
    env,
    off: false,
    writable: [...needs.writable, ...(stateDir === undefined ? [] : [stateDir])],
    readable: [],
    network: { hosts: needs.network },
  });
  return {
    input: { ...input, sandbox: opened.sandbox, ...(stateDir === undefined ? {} : { stateDir }) },
    dispose: async () => {
      await opened.dispose();
      if (ownRoot !== undefined) rmSync(ownRoot, { recursive: true, force: true });
    },
  };
}
