import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execGit, gitEnv, subcommandIndex } from './exec-git.js';
import { gitdirOf } from './paths.js';

/** One config entry as `git config --list --show-scope` reports it. */
export interface ConfigEntry {
  scope: string;
  key: string;
  value: string;
}

/**
 * Keys that name a program git runs on content (checkout, add, status, merge, diff), with the value
 * that makes it harmless. Their names carry a driver chosen by `.gitattributes`, so they cannot be
 * listed in advance like the fixed options of exec-git.ts. An empty filter command means "no
 * filter"; an empty merge driver fails the merge, so the driver is git's own three-way text merge.
 */
const PROGRAM_KEYS: readonly { pattern: RegExp; neutral: string }[] = [
  { pattern: /^filter\..+\.(clean|smudge|process)$/, neutral: '' },
  { pattern: /^merge\..+\.driver$/, neutral: 'git merge-file --marker-size=%L %A %O %B' },
  { pattern: /^diff\..+\.textconv$/, neutral: 'cat' },
  { pattern: /^remote\..+\.uploadpack$/, neutral: 'git-upload-pack' },
  { pattern: /^remote\..+\.receivepack$/, neutral: 'git-receive-pack' },
];

/** Scopes an agent can write: the repository's own config files (and what they include). */
const REPOSITORY_SCOPES: ReadonlySet<string> = new Set(['local', 'worktree']);

/**
 * Subcommands that never read or write a working tree's content, so no filter or driver can run:
 * they skip the config read. Anything not listed is guarded (an unknown subcommand fails safe).
 */
const PLUMBING: ReadonlySet<string> = new Set([
  'rev-parse',
  'rev-list',
  'for-each-ref',
  'show-ref',
  'symbolic-ref',
  'update-ref',
  'cat-file',
  'commit-tree',
  'merge-base',
  'config',
  'branch',
  'ls-tree',
  'worktree-list',
  'worktree-prune',
]);

/**
 * Keeps the program-running config the user had when the repository was opened, and neutralises
 * any that appears later in the repository's own config (an agent wrote it): before a call that
 * can run a filter or driver, the current config is read and every untrusted program key gets a
 * `-c` override. Global config (the user's home) is always honoured; the system config is off.
 */
export class ConfigGuard {
  /** Keys neutralised so far, for reports. */
  readonly neutralised = new Set<string>();

  /**
   * The config last read, by the fingerprint of the files it came from: worktrees without a
   * `config.worktree` of their own read the very same files, so they share one entry.
   */
  private readonly cache = new Map<string, ConfigEntry[]>();

  private constructor(
    private readonly trusted: ReadonlySet<string>,
    private readonly env: Record<string, string>,
    private readonly commonDir: string | undefined,
  ) {}

  /** Reads the repository's program keys as they are now: these stay trusted. */
  static async open(cwd: string, env: Record<string, string>, commonDir?: string): Promise<ConfigGuard> {
    const entries = await readConfig(cwd, env);
    return new ConfigGuard(new Set(untrustedKeys(entries, new Set()).map(entryId)), env, commonDir);
  }

  /** `-c` overrides for one call; none for plumbing that touches no content. */
  async overridesFor(args: readonly string[], cwd: string): Promise<string[]> {
    if (isPlumbing(args)) return [];
    const untrusted = untrustedKeys(await this.entriesAt(cwd), this.trusted);
    const overrides: string[] = [];
    for (const entry of untrusted) {
      this.neutralised.add(entry.key);
      overrides.push('-c', `${entry.key}=${neutralValue(entry.key)}`);
    }
    return overrides;
  }

  /**
   * The config as git would read it in `cwd`. One `git config --list` per call would be most of a
   * task's git processes, so it is kept while the files it came from are unchanged (see
   * {@link configFingerprint}). A repository config that includes other files is read every time
   * (an included file can change on its own).
   */
  async entriesAt(cwd: string): Promise<ConfigEntry[]> {
    const fingerprint =
      this.commonDir === undefined
        ? undefined
        : configFingerprint(cwd, this.commonDir, { ...gitEnv(), ...this.env });
    const cached = fingerprint === undefined ? undefined : this.cache.get(fingerprint);
    if (cached !== undefined) return cached;
    const entries = await readConfig(cwd, this.env);
    // Only the repository's includes: the global ones are the user's, changed by no agent.
    const includes = entries.some(
      (e) => REPOSITORY_SCOPES.has(e.scope) && /^include(if\..+)?\.path$/.test(e.key),
    );
    if (fingerprint !== undefined && !includes) this.cache.set(fingerprint, entries);
    return entries;
  }
}

/** Program entries from repository scopes whose key and value were not there at open. */
export function untrustedKeys(entries: readonly ConfigEntry[], trusted: ReadonlySet<string>): ConfigEntry[] {
  return entries.filter(
    (e) => REPOSITORY_SCOPES.has(e.scope) && isProgramKey(e.key) && !trusted.has(entryId(e)),
  );
}

/** Parses `git config --list -z --show-scope`: `scope NUL key LF value NUL`, the value absent for a bare key. */
export function parseConfigList(stdout: string): ConfigEntry[] {
  const fields = stdout.split('\0');
  const entries: ConfigEntry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i] ?? '';
    const pair = fields[i + 1] ?? '';
    const newline = pair.indexOf('\n');
    const key = (newline === -1 ? pair : pair.slice(0, newline)).toLowerCase();
    entries.push({ scope, key, value: newline === -1 ? '' : pair.slice(newline + 1) });
  }
  return entries;
}

const entryId = (e: ConfigEntry) => `${e.key}\n${e.value}`;
const isProgramKey = (key: string) => PROGRAM_KEYS.some((k) => k.pattern.test(key));
const neutralValue = (key: string) => PROGRAM_KEYS.find((k) => k.pattern.test(key))?.neutral ?? '';

function isPlumbing(args: readonly string[]): boolean {
  const at = subcommandIndex(args);
  if (at === undefined) return true;
  const sub = args[at] ?? '';
  if (sub === 'worktree') return PLUMBING.has(`worktree-${args[at + 1] ?? ''}`);
  return PLUMBING.has(sub);
}

async function readConfig(cwd: string, env: Record<string, string>): Promise<ConfigEntry[]> {
  const result = await execGit(['config', '--list', '-z', '--show-scope'], { cwd, env, allowFail: true });
  return result.code === 0 ? parseConfigList(result.stdout) : [];
}

/**
 * Identifies the config files git reads in `cwd` as they are now — the repository's `config`, the
 * worktree's `config.worktree` and the user's global files (by inode, size and nanosecond times;
 * the system config is off, see exec-git.ts) — or undefined when `cwd` is not the top of a
 * working tree (then nothing is cached). Two worktrees of one repository without a
 * `config.worktree` of their own have the same fingerprint: git reads the same files in both.
 */
export function configFingerprint(
  cwd: string,
  commonDir: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const dotGit = join(cwd, '.git');
  let gitDir: string;
  try {
    const info = statSync(dotGit);
    if (info.isDirectory()) gitDir = dotGit;
    else {
      const named = gitdirOf(readFileSync(dotGit, 'utf8'));
      if (named === undefined) return undefined;
      gitDir = resolve(cwd, named);
    }
  } catch {
    return undefined;
  }
  const worktreeConfig = join(gitDir, 'config.worktree');
  const ownConfig =
    statSync(worktreeConfig, { throwIfNoEntry: false }) === undefined ? 'none' : worktreeConfig;
  return [
    commonDir,
    fileStamp(join(commonDir, 'config')),
    ownConfig,
    fileStamp(worktreeConfig),
    ...globalConfigFiles(env).map(fileStamp),
  ].join('|');
}

/** The user's global config files as git finds them (`git help config`, FILES). */
function globalConfigFiles(env: Record<string, string | undefined>): string[] {
  if (env.GIT_CONFIG_GLOBAL !== undefined) return [env.GIT_CONFIG_GLOBAL];
  const files: string[] = [];
  const xdg = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  if (xdg !== undefined) files.push(join(xdg, 'git', 'config'));
  if (env.HOME) files.push(join(env.HOME, '.gitconfig'));
  return files;
}

function fileStamp(path: string): string {
  try {
    const info = statSync(path, { bigint: true });
    return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return 'absent';
  }
}
