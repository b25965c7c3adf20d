import path from 'node:path';

/** What a sandboxed process may reach on the network. */
export type NetworkPolicy =
  /** A network namespace of its own with only loopback: nothing outside. */
  | { mode: 'none' }
  /** The host's network, unfiltered (checks by default: tests often need local services). */
  | { mode: 'host' }
  /** Only these hosts, through Gaffer's per-session egress proxy on a unix socket. */
  | { mode: 'proxy'; allow: readonly string[]; socketPath: string };

/**
 * One sandbox's policy, with every path resolved on the host. Writable: `worktree` (not its
 * `.git` file), `tmpDir` and `writable`. Hidden: `masked` (the home directories, the main
 * checkout with `.gaffer/` and sibling worktrees), except what is re-exposed read-only in
 * `readable` (toolchains on PATH, the repository's installed dependencies) and the repository's
 * git directory, read-only, which git inside needs to read objects. Everything else of the
 * system is read-only.
 */
export interface SandboxPolicy {
  worktree: string;
  /** The repository's git directory (its common dir): readable, never writable. */
  gitDir: string | undefined;
  tmpDir: string;
  masked: readonly string[];
  readable: readonly string[];
  writable: readonly string[];
  network: NetworkPolicy;
}

/** The host facts a policy is built from. */
export interface PolicyFacts {
  worktree: string;
  repoRoot: string;
  gitDir: string | undefined;
  home: string | undefined;
  tmpDir: string;
  /** PATH of the sandboxed command: its entries under a masked directory stay readable. */
  pathDirs: readonly string[];
  /** Files Gaffer itself runs inside (its network bridge, the node binary). */
  gafferFiles: readonly string[];
}

/** Widenings: the plan's, the agent's, the task's, and the backend's own needs. */
export interface PolicyWidening {
  writable: readonly string[];
  readable: readonly string[];
  network: NetworkPolicy;
}

/** Where people keep installed dependencies next to the code: readable for the checks, never written. */
const DEPENDENCY_DIRS = ['node_modules', '.venv', 'venv'];

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/**
 * The default policy plus the widenings, as a pure function of host facts. Directories of other
 * people's homes go too (`/home`, `/root`): credentials live there.
 */
export function buildPolicy(facts: PolicyFacts, widening: PolicyWidening): SandboxPolicy {
  const masked = unique([
    ...['/root', '/home', facts.home].filter((dir): dir is string => dir !== undefined && dir !== '/'),
    facts.repoRoot,
  ]);
  // /tmp and /run get a tmpfs of their own in every sandbox: what lives there is hidden too.
  const hidden = [...masked, '/tmp', '/run'];
  const underMask = (p: string) => hidden.some((m) => inside(p, m));
  // What sits under a mask but must stay readable: toolchains on PATH, dependencies, Gaffer's own files.
  const reexposed = [
    // A `node_modules/.bin` entry holds symlinks into its node_modules: that is what must be readable.
    ...facts.pathDirs
      .filter((dir) => path.isAbsolute(dir) && underMask(dir))
      .map((dir) =>
        path.basename(dir) === '.bin' && path.basename(path.dirname(dir)) === 'node_modules'
          ? path.dirname(dir)
          : dir,
      ),
    ...DEPENDENCY_DIRS.map((dir) => path.join(facts.repoRoot, dir)),
    ...facts.gafferFiles.filter(underMask),
  ].filter(
    (p) =>
      !inside(p, facts.worktree) &&
      (facts.gitDir === undefined || !inside(p, facts.gitDir)) &&
      !isGafferState(p, facts.repoRoot),
  );
  return {
    worktree: facts.worktree,
    gitDir: facts.gitDir,
    tmpDir: facts.tmpDir,
    masked,
    readable: unique([...reexposed, ...widening.readable]),
    writable: unique([...widening.writable]),
    network: widening.network,
  };
}

/** `.gaffer/` holds the store, transcripts and every other worktree: never re-exposed by a PATH entry. */
function isGafferState(p: string, repoRoot: string): boolean {
  return inside(p, path.join(repoRoot, '.gaffer'));
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items.map((p) => path.resolve(p)))];
}

/**
 * What must be readable for the command itself to start when it lives in a hidden place (a
 * `node_modules` under /tmp or a home): its whole `node_modules` (a CLI's package and its
 * vendored binary), else its own directory. Never the worktree's part, nothing that contains
 * the worktree, nothing of `.gaffer/`.
 */
export function commandReadable(policy: SandboxPolicy, command: string): string | undefined {
  const parts = command.split(path.sep);
  const modules = parts.lastIndexOf('node_modules');
  const dir = modules > 0 ? parts.slice(0, modules + 1).join(path.sep) : path.dirname(command);
  if (inside(dir, policy.worktree) || inside(policy.worktree, dir) || dir.split(path.sep).includes('.gaffer'))
    return undefined;
  if (policy.gitDir !== undefined && inside(dir, policy.gitDir)) return undefined;
  return dir;
}
