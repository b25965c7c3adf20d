import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitContext } from './git-context.js';
import { isPlainRefName, parseLooseRef, parsePackedRefs, usesReftable, type LooseRef } from './ref-files.js';

/** Every ref and the object id it names, as `git for-each-ref --format='%(objectname) %(refname)'` lists them. */
export type RefList = Record<string, string>;

/**
 * Every ref below `refs/` (branches, tags, remotes, the stash, notes, replace refs) → object id,
 * a symbolic ref → its target's id. Read from git's files when they hold nothing odd (see
 * {@link readRefFiles}): a tamper check takes this before and after every agent, and a git
 * process costs more than the few files a repository's refs are. Otherwise `for-each-ref` says.
 */
export async function listRefs(ctx: Pick<GitContext, 'git' | 'commonDir'>): Promise<RefList> {
  const fromFiles = ctx.commonDir === undefined ? undefined : await readRefFiles(ctx.commonDir);
  return fromFiles ?? listRefsWithGit(ctx);
}

/** {@link listRefs} asked of git. */
export async function listRefsWithGit(ctx: Pick<GitContext, 'git'>): Promise<RefList> {
  const listed = await ctx.git(['for-each-ref', '--format=%(objectname) %(refname)']);
  const refs: RefList = {};
  for (const line of listed.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) refs[line.slice(space + 1)] = line.slice(0, space);
  }
  return refs;
}

/**
 * The refs of the files backend, read as git reads them: the loose ref files below the common
 * dir's `refs/` first, then `packed-refs` — pack-refs writes the packed file before it deletes the
 * loose ones it absorbed, so a ref moving from one to the other is seen in at least one — a loose
 * ref winning over a packed one of the same name, a symbolic ref resolved to its target's id.
 * Git's `*.lock` files are passed over, like git does. Undefined, so that git is asked, for
 * anything git might read otherwise or leave out: a reftable repository, a symlink or an odd
 * file anywhere below `refs/`, a name outside {@link isPlainRefName}, a ref file that is neither
 * `<id>` nor `ref: refs/…`, a dangling symbolic ref or a chain deeper than git follows. An agent
 * may write here, so this may see more than git (a ref to a missing object, which git skips) but
 * never less.
 */
export async function readRefFiles(commonDir: string): Promise<RefList | undefined> {
  if (await usesReftable(commonDir)) return undefined;
  const loose = await readLooseRefs(commonDir);
  if (loose === undefined) return undefined;
  const packed = await readPackedRefs(commonDir);
  if (packed === undefined) return undefined;
  return resolveRefs(loose, packed);
}

/**
 * Loose and packed refs combined: the loose value wins, a symbolic ref takes its target's id.
 * Undefined when a symbolic ref leads nowhere or deeper than git follows (git skips or refuses it).
 */
export function resolveRefs(
  loose: ReadonlyMap<string, LooseRef>,
  packed: ReadonlyMap<string, string>,
): RefList | undefined {
  const refs: RefList = {};
  for (const [name, id] of packed) refs[name] = id;
  for (const name of loose.keys()) {
    const id = resolveLoose(name, loose, packed);
    if (id === undefined) return undefined;
    refs[name] = id;
  }
  return refs;
}

/** Reads git makes resolving one ref (refs.h SYMREF_MAXDEPTH): a ref and at most four symbolic hops. */
const SYMREF_MAX_READS = 5;

function resolveLoose(
  name: string,
  loose: ReadonlyMap<string, LooseRef>,
  packed: ReadonlyMap<string, string>,
): string | undefined {
  let at = name;
  for (let read = 0; read < SYMREF_MAX_READS; read++) {
    const value = loose.get(at);
    // Packed refs are never symbolic; a name in neither is a dangling target.
    if (value === undefined) return packed.get(at);
    if ('id' in value) return value.id;
    at = value.target;
  }
  return undefined;
}

/** Files read at once: enough to overlap the reads, few enough for a repository of many loose refs. */
const PARALLEL_READS = 16;

/** Every loose ref file below `refs/`, parsed; undefined when anything there is odd. */
async function readLooseRefs(commonDir: string): Promise<Map<string, LooseRef> | undefined> {
  const names = await looseRefNames(commonDir);
  if (names === undefined) return undefined;
  const refs = new Map<string, LooseRef>();
  for (let start = 0; start < names.length; start += PARALLEL_READS) {
    const batch = names.slice(start, start + PARALLEL_READS);
    const values = await Promise.all(batch.map((name) => readLooseRef(join(commonDir, name))));
    for (const [i, value] of values.entries()) {
      if (value === 'odd') return undefined;
      // Gone since the listing: deleted, or packed (then packed-refs, read next, has it).
      if (value !== 'gone') refs.set(batch[i] ?? '', value);
    }
  }
  return refs;
}

/** The names of the regular files below `refs/`, `*.lock` left out; undefined on a symlink, an odd entry or name. */
async function looseRefNames(commonDir: string): Promise<string[] | undefined> {
  if (!(await lstat(join(commonDir, 'refs')).catch(() => undefined))?.isDirectory()) return undefined;
  const names: string[] = [];
  const pending = ['refs'];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries;
    try {
      entries = await readdir(join(commonDir, dir), { withFileTypes: true });
    } catch (error) {
      // A folder pack-refs emptied and removed meanwhile holds no refs; anything else is odd.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return undefined;
    }
    for (const entry of entries) {
      // A ref being written (or the lock of one being deleted): git's lock files are never refs.
      if (entry.name.endsWith('.lock')) continue;
      const name = `${dir}/${entry.name}`;
      if (!isPlainRefName(name)) return undefined;
      if (entry.isDirectory()) pending.push(name);
      else if (entry.isFile()) names.push(name);
      // A symlink (git would follow it anywhere), a FIFO, a socket: only git should say.
      else return undefined;
    }
  }
  return names;
}

/** A ref file holds one line; more than this is not one git wrote. */
const LOOSE_REF_MAX_BYTES = 256;

/**
 * One loose ref file: what it says, 'gone' when it vanished, 'odd' when it is not a ref as git
 * writes one. No symlink is followed and no FIFO waited on, even one swapped in since the listing.
 */
async function readLooseRef(path: string): Promise<LooseRef | 'gone' | 'odd'> {
  let file;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'odd';
  }
  try {
    const buffer = Buffer.alloc(LOOSE_REF_MAX_BYTES);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    if (bytesRead === buffer.length) return 'odd';
    return parseLooseRef(buffer.toString('utf8', 0, bytesRead)) ?? 'odd';
  } catch {
    return 'odd';
  } finally {
    await file.close();
  }
}

/** `packed-refs` as name → id (empty when there is none); undefined when it is odd or holds an odd name. */
async function readPackedRefs(commonDir: string): Promise<Map<string, string> | undefined> {
  let file;
  try {
    file = await open(
      join(commonDir, 'packed-refs'),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? new Map() : undefined;
  }
  try {
    if (!(await file.stat()).isFile()) return undefined;
    const refs = parsePackedRefs(await file.readFile('utf8'));
    if (refs === undefined || [...refs.keys()].some((name) => !isPlainRefName(name))) return undefined;
    return refs;
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}
