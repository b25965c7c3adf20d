import { createHash } from 'node:crypto';
import { chmod, lstat, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { listRefs } from './ref-listing.js';
import type { Repo } from './repo.js';

/** Bytes kept per file so it can be put back; a larger file (a hook, rarely) is only hashed. */
export const SNAPSHOT_FILE_CAP = 1024 * 1024;

/** One file of the git common dir as it was: its hash and mode, and its bytes when small enough. */
export interface FileState {
  sha256: string;
  mode: number;
  /** Base64; absent over {@link SNAPSHOT_FILE_CAP}. */
  bytes?: string;
  /** The link's target when the file is a symlink. */
  link?: string;
}

/** What of a repository an agent could bend to reach the user or the merged result. */
export interface RepoSnapshot {
  commonDir: string;
  /** Every ref (`for-each-ref`: branches, tags, remotes, refs/stash, refs/replace, notes) → object id. */
  refs: Record<string, string>;
  /**
   * Files relative to the common dir: the main checkout's `HEAD`, `config`, `config.worktree`,
   * `worktrees/<name>/config.worktree`, `info/attributes`, `info/exclude`, `info/grafts`,
   * `shallow`, `objects/info/alternates` and everything under `hooks/`.
   */
  files: Record<string, FileState>;
  /** Names under `worktrees/`, so that a worktree Gaffer removed is not a removed config. */
  worktreeEntries: string[];
}

/** One difference between two snapshots. */
export interface RepoChange {
  kind:
    | 'ref-created'
    | 'ref-moved'
    | 'ref-deleted'
    | 'replace-ref-added'
    | 'head-changed'
    | 'config-changed'
    | 'hook-added'
    | 'hook-changed'
    | 'hook-removed'
    | 'file-changed';
  /** The ref, or the path relative to the git common dir. */
  name: string;
  /** Object id of a ref, or the first 12 hex digits of a file's hash (HEAD: its text). */
  before?: string;
  after?: string;
}

const FIXED_FILES = [
  'HEAD',
  'config',
  'config.worktree',
  'info/attributes',
  'info/exclude',
  'info/grafts',
  'shallow',
  'objects/info/alternates',
];

/** Records the refs and the files of the common dir that no agent should change; `repo.commonDir` is required. */
export async function snapshotRepository(repo: Repo): Promise<RepoSnapshot> {
  const commonDir = repo.commonDir;
  if (commonDir === undefined) throw new Error('snapshotRepository needs a Repo with its common dir');
  const refs = await listRefs(repo);
  const worktreeEntries = (await readdir(join(commonDir, 'worktrees')).catch(() => [])).sort();
  const paths = [
    ...FIXED_FILES,
    ...worktreeEntries.map((name) => `worktrees/${name}/config.worktree`),
    ...(await listFiles(commonDir, 'hooks')),
  ];
  const files: Record<string, FileState> = {};
  for (const path of paths) {
    const state = await readState(join(commonDir, path));
    if (state) files[path] = state;
  }
  return { commonDir, refs, files, worktreeEntries };
}

/**
 * The differences from `before` to `after`, refs in name order then files. `ignoreRef` leaves
 * out refs whose moves are not this comparison's business (another task's branch, another run's).
 * A `worktrees/<name>/config.worktree` that went away with its entry is a worktree Gaffer removed.
 */
export function compareSnapshots(
  before: RepoSnapshot,
  after: RepoSnapshot,
  options: { ignoreRef?: (ref: string) => boolean } = {},
): RepoChange[] {
  const changes: RepoChange[] = [];
  const refNames = [...new Set([...Object.keys(before.refs), ...Object.keys(after.refs)])].sort();
  for (const name of refNames) {
    if (options.ignoreRef?.(name)) continue;
    const [was, now] = [before.refs[name], after.refs[name]];
    if (was === now) continue;
    if (was === undefined)
      changes.push({
        kind: name.startsWith('refs/replace/') ? 'replace-ref-added' : 'ref-created',
        name,
        after: now,
      });
    else if (now === undefined) changes.push({ kind: 'ref-deleted', name, before: was });
    else changes.push({ kind: 'ref-moved', name, before: was, after: now });
  }
  const gone = new Set(before.worktreeEntries.filter((e) => !after.worktreeEntries.includes(e)));
  const paths = [...new Set([...Object.keys(before.files), ...Object.keys(after.files)])].sort();
  for (const name of paths) {
    const [was, now] = [before.files[name], after.files[name]];
    if (was?.sha256 === now?.sha256 && was?.mode === now?.mode) continue;
    const entry = /^worktrees\/([^/]+)\//.exec(name)?.[1];
    if (entry !== undefined && now === undefined && gone.has(entry)) continue;
    changes.push({ kind: fileKind(name, was, now), name, ...describe(name, was, now) });
  }
  return changes;
}

/** The outcome of {@link restoreSnapshot}: what was undone, and what could not be (with why). */
export interface RestoreResult {
  undone: RepoChange[];
  failed: { change: RepoChange; reason: string }[];
}

/**
 * Undoes `changes` (from {@link compareSnapshots}) back to `before`: files first, byte for byte
 * with their mode (or deleted when they are new), then refs, each moved back only if it is still
 * where the compare saw it. Call under the repository lock, so no Gaffer merge moves a ref meanwhile.
 */
export async function restoreSnapshot(
  repo: Repo,
  before: RepoSnapshot,
  changes: readonly RepoChange[],
): Promise<RestoreResult> {
  const result: RestoreResult = { undone: [], failed: [] };
  const ordered = [...changes.filter((c) => !isRefChange(c)), ...changes.filter(isRefChange)];
  for (const change of ordered) {
    try {
      if (isRefChange(change)) await restoreRef(repo, change);
      else await restoreFile(join(before.commonDir, change.name), before.files[change.name]);
      result.undone.push(change);
    } catch (error) {
      result.failed.push({ change, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

const isRefChange = (c: RepoChange) =>
  c.kind === 'ref-created' ||
  c.kind === 'ref-moved' ||
  c.kind === 'ref-deleted' ||
  c.kind === 'replace-ref-added';

async function restoreRef(repo: Repo, change: RepoChange): Promise<void> {
  const zero = '0'.repeat((change.before ?? change.after ?? '').length || 40);
  // One transaction per ref, compare-and-swap against what the compare saw; -z keeps any name literal.
  const line =
    change.before === undefined
      ? `delete ${change.name}\0${change.after ?? ''}\0`
      : `update ${change.name}\0${change.before}\0${change.after ?? zero}\0`;
  await repo.git(['update-ref', '-m', 'gaffer: undo a change made during an attempt', '--stdin', '-z'], {
    input: line,
  });
}

async function restoreFile(path: string, was: FileState | undefined): Promise<void> {
  if (was === undefined) {
    await rm(path, { force: true });
    return;
  }
  const temp = join(dirname(path), `.gaffer-restore-${process.pid}-${Date.now()}`);
  if (was.link !== undefined) {
    await symlink(was.link, temp);
  } else {
    if (was.bytes === undefined)
      throw new Error(`${path} is over ${SNAPSHOT_FILE_CAP} bytes: not kept, cannot put it back`);
    await writeFile(temp, Buffer.from(was.bytes, 'base64'));
    await chmod(temp, was.mode & 0o7777);
  }
  await rename(temp, path);
}

async function readState(path: string): Promise<FileState | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return undefined;
  if (info.isSymbolicLink()) {
    const link = await readlink(path);
    return { sha256: sha256(Buffer.from(`link:${link}`)), mode: info.mode, link };
  }
  if (!info.isFile()) return undefined;
  const bytes = await readFile(path);
  return {
    sha256: sha256(bytes),
    mode: info.mode,
    ...(bytes.length <= SNAPSHOT_FILE_CAP ? { bytes: bytes.toString('base64') } : {}),
  };
}

/** Every file and symlink below `dir` (relative to `root`), sorted. */
async function listFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else out.push(path);
  }
  return out.sort();
}

function fileKind(name: string, was: FileState | undefined, now: FileState | undefined): RepoChange['kind'] {
  if (name.startsWith('hooks/'))
    return was === undefined ? 'hook-added' : now === undefined ? 'hook-removed' : 'hook-changed';
  if (name === 'HEAD') return 'head-changed';
  if (name === 'config' || name.endsWith('config.worktree')) return 'config-changed';
  return 'file-changed';
}

function describe(
  name: string,
  was: FileState | undefined,
  now: FileState | undefined,
): Pick<RepoChange, 'before' | 'after'> {
  const show = (s: FileState | undefined) => {
    if (s === undefined) return undefined;
    if (name === 'HEAD' && s.bytes !== undefined)
      return Buffer.from(s.bytes, 'base64').toString('utf8').trim();
    return s.sha256.slice(0, 12);
  };
  const [before, after] = [show(was), show(now)];
  return { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
