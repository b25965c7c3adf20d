import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, lstat, mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlanTask, VerifierResult, WorktreeSettings } from '../../domain/index.js';
import { DEFAULT_SETUP_TIMEOUT_S, defaultKeep, taskBlocked } from '../../domain/index.js';
import { worktreeEntryDir } from '../../git/index.js';
import type { VerifierCommand } from '../../verify/index.js';
import { formatArgv, runVerifier, usefulTail } from '../../verify/index.js';
import { verifierEnv } from '../child-env.js';
import { redactSecrets } from '../redact.js';
import type { RunContext } from '../run-context.js';
import { gafferDir, taskOf } from '../run-context.js';
import { openSandbox } from '../sandbox/open-sandbox.js';
import { packageCaches, setupSandboxRequest } from '../sandbox/requests.js';
import { knownSecretValues } from '../secrets.js';

type Deps = Pick<RunContext, 'repo' | 'run' | 'env' | 'store'>;

/** How a worktree's preparation ended: ready for the agent, blocked (recorded), or stopped by a pause or cancel. */
export type WorktreeReady = { type: 'ready' } | { type: 'blocked'; reason: string } | { type: 'stopped' };

/** Lines of the setup's output kept in its event, as for the baseline's checks. */
const EVENT_TAIL = { maxLines: 40, maxChars: 4000 };

/** What a reused worktree keeps, for `repo.addWorktree` (see {@link defaultKeep}). */
export const keptPaths = (ctx: Pick<RunContext, 'run'>): string[] =>
  defaultKeep(ctx.run.plan.settings.worktree);

/**
 * Makes a task's worktree ready before its agent starts, as the plan's `worktree:` block says:
 * copies and links from the main checkout (always, so a reused or reworked worktree gets them
 * fresh), then the setup command when it is due ({@link setupDue}). A failure is the
 * repository's state, not the agent's: the task is blocked with the reason, its setup's result
 * recorded as `task.setup-completed`, and no attempt starts. Without a `worktree:` block nothing happens.
 */
export async function prepareWorktreeFiles(
  ctx: Deps,
  worktree: string,
  taskId: string,
  signal: AbortSignal,
): Promise<WorktreeReady> {
  const settings = ctx.run.plan.settings.worktree;
  if (settings === undefined) return { type: 'ready' };
  const placed = await placeFiles(ctx.repo.root, worktree, settings).catch((error: unknown) =>
    error instanceof Error ? error.message : String(error),
  );
  if (typeof placed === 'string') return block(ctx, taskId, `worktree copy/link failed: ${placed}`);
  const committed = await wouldBeCommitted(ctx, worktree, [...settings.copy, ...settings.link]);
  if (committed.length > 0) {
    await Promise.all(committed.map((p) => rm(path.join(worktree, p), { recursive: true, force: true })));
    return block(ctx, taskId, unignoredMessage(committed));
  }
  if (settings.setup === undefined) return { type: 'ready' };
  return runSetupIfDue(ctx, worktree, taskOf(ctx.run, taskId), settings, signal);
}

/**
 * The same preparation for the baseline's checkout of the base commit, made afresh for each
 * baseline (no stamp, no event): copies, links and the setup, so the base's checks see what a
 * task's checks will. Undefined without a `setup` (or with nothing to do); otherwise the setup's
 * result, failed — with the reason as its output — when the copies or links could not be made.
 */
export async function setupCheckout(
  ctx: Omit<Deps, 'store'>,
  checkout: string,
  signal?: AbortSignal,
): Promise<VerifierResult | undefined> {
  const settings = ctx.run.plan.settings.worktree;
  if (settings === undefined) return undefined;
  const placed = await placeFiles(ctx.repo.root, checkout, settings).catch((error: unknown) =>
    error instanceof Error ? error.message : String(error),
  );
  if (typeof placed === 'string')
    return { ...setupFailure('worktree copy/link'), output: `worktree copy/link failed: ${placed}` };
  if (settings.setup === undefined) return undefined;
  return runSetup(ctx, checkout, undefined, settings, signal);
}

/**
 * The same preparation for the checkout the health checks run in, kept for the whole drive and
 * moved from merge to merge: copies and links when it is new, then the setup when it is due
 * ({@link setupDue}: new, or a merge changed a `setup_when_changed` file). Undefined when nothing
 * ran; otherwise the setup's result, which the caller counts as one of the checks: a merge that
 * breaks the install breaks the integration branch.
 */
export async function setupHealthCheckout(
  ctx: Deps,
  checkout: string,
  fresh: boolean,
  signal: AbortSignal,
): Promise<VerifierResult | undefined> {
  const settings = ctx.run.plan.settings.worktree;
  if (settings === undefined) return undefined;
  if (fresh) {
    const placed = await placeFiles(ctx.repo.root, checkout, settings).catch((error: unknown) =>
      error instanceof Error ? error.message : String(error),
    );
    if (typeof placed === 'string')
      return { ...setupFailure('worktree copy/link'), output: `worktree copy/link failed: ${placed}` };
  }
  if (settings.setup === undefined) return undefined;
  const due = await assessSetup(ctx, checkout, settings);
  if (due.why === undefined) return undefined;
  await rm(due.stampFile, { force: true });
  const result = await runSetup(ctx, checkout, undefined, settings, signal);
  if (!signal.aborted) await writeStamp(due, checkout, settings, { failed: !result.passed });
  return result;
}

const setupFailure = (command: string): VerifierResult => ({
  name: 'setup',
  command,
  passed: false,
  exitCode: null,
  durationMs: 0,
  timedOut: false,
  output: '',
});

// ---------------------------------------------------------------------------------------------
// Copies and links

/**
 * Copies (overwriting) and links each path from the main checkout into the worktree. A linked
 * folder becomes a real folder of links to its entries, so git ignores it as it ignores the
 * folder itself (`node_modules/` matches folders only, not a link) and tools may still write
 * their caches in it; entries the worktree already has (installed by its setup) are left.
 * Nothing is written through a symbolic link an agent left in the worktree.
 */
async function placeFiles(root: string, worktree: string, settings: WorktreeSettings): Promise<void> {
  for (const relative of settings.copy) {
    const target = await safeTarget(worktree, relative);
    await rm(target, { recursive: true, force: true });
    await cp(path.join(root, relative), target, { recursive: true, dereference: true, force: true });
  }
  for (const relative of settings.link) {
    const source = path.join(root, relative);
    const target = await safeTarget(worktree, relative);
    if (!(await stat(source)).isDirectory()) {
      await rm(target, { recursive: true, force: true });
      await symlink(source, target);
      continue;
    }
    const here = await lstat(target).catch(() => undefined);
    if (here !== undefined && !here.isDirectory()) await rm(target, { recursive: true, force: true });
    await mkdir(target, { recursive: true });
    for (const name of await readdir(source)) {
      const entry = path.join(target, name);
      const existing = await lstat(entry).catch(() => undefined);
      if (existing !== undefined && !existing.isSymbolicLink()) continue;
      // Replaced atomically: a link from an earlier attempt may point at what the checkout renamed.
      const fresh = `${entry}.gaffer-link`;
      await rm(fresh, { force: true });
      await symlink(path.join(source, name), fresh);
      await rename(fresh, entry);
    }
  }
}

/** `worktree/relative`, with every folder on the way a real one (created when missing). */
async function safeTarget(worktree: string, relative: string): Promise<string> {
  const parts = path.posix.normalize(relative).split('/');
  let dir = worktree;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const info = await lstat(dir).catch(() => undefined);
    if (info === undefined) await mkdir(dir);
    else if (!info.isDirectory())
      throw new Error(`${path.relative(worktree, dir)} is not a folder in the worktree (a link or a file)`);
  }
  return path.join(dir, parts.at(-1) ?? '');
}

/** Of `paths`, those git would commit with the task's changes: tracked and changed, or untracked and not ignored. */
async function wouldBeCommitted(ctx: Deps, worktree: string, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const { stdout } = await ctx.repo.git(
    ['--literal-pathspecs', 'status', '--porcelain=v1', '-z', '--untracked-files=normal', '--', ...paths],
    { cwd: worktree },
  );
  const listed = stdout
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(3).replace(/\/$/, ''));
  return paths.filter((p) => {
    const normal = path.posix.normalize(p).replace(/\/$/, '');
    return listed.some((l) => l === normal || l.startsWith(`${normal}/`));
  });
}

function unignoredMessage(paths: readonly string[]): string {
  return `worktree copies and links would be committed with the task's changes: ${paths.join(', ')} — git does not ignore them (or they are tracked); add them to .gitignore`;
}

// ---------------------------------------------------------------------------------------------
// The setup command and its stamp

/** What the last setup of a worktree was, kept under `.gaffer/` where no agent writes. */
export interface SetupStamp {
  /** The worktree's git entry as it was created (see {@link worktreeIdentity}). */
  identity: string;
  /** The setup command as the plan wrote it. */
  command: string;
  /** The hash of `setup_when_changed`'s files then; null without any. */
  hash: string | null;
  /** Where the worktree was: a move means it came from the pool, cleaned of what it did not keep. */
  worktree: string;
  /** The `keep` paths that existed after the setup: a reused worktree must still have them. */
  kept: string[];
  /**
   * The setup failed after an agent changed the files it depends on ({@link setupAfterAgent}):
   * nothing it installed is valid, and it is not run again on the same files before the next agent.
   */
  failed?: boolean;
}

/** The stamp's view of a worktree now. */
export interface SetupState {
  identity: string;
  command: string;
  hash: string | null;
  worktree: string;
  /** Of the stamp's `kept`, those present now. */
  present: readonly string[];
}

/** Why the setup is due when only its last run failed, after an agent's change. */
const LAST_FAILED = 'the last setup failed';

/**
 * Why the setup must run (undefined: it need not): a new or re-created worktree, another
 * command, changed `setup_when_changed` files, a last run that failed, or a worktree from the
 * pool whose clean removed what the setup had installed (nothing of it was kept). Pure.
 */
export function setupDue(stamp: SetupStamp | undefined, now: SetupState): string | undefined {
  if (stamp === undefined || stamp.identity !== now.identity) return 'new worktree';
  if (stamp.command !== now.command) return 'the setup command changed';
  if (stamp.hash !== now.hash) return 'setup_when_changed files changed';
  if (stamp.failed === true) return LAST_FAILED;
  if (stamp.worktree !== now.worktree) {
    if (stamp.kept.length === 0) return 'reused worktree: nothing of the setup was kept';
    const gone = stamp.kept.filter((p) => !now.present.includes(p));
    if (gone.length > 0) return `reused worktree: ${gone.join(', ')} gone`;
  }
  return undefined;
}

async function runSetupIfDue(
  ctx: Deps,
  worktree: string,
  task: PlanTask,
  settings: WorktreeSettings,
  signal: AbortSignal,
): Promise<WorktreeReady> {
  const due = await assessSetup(ctx, worktree, settings);
  if (due.why === undefined) return { type: 'ready' };
  // An agent's change broke it, on these very files: running it again would block the task for
  // the agent's mistake. The rework's agent is told so; its evaluation runs the setup again.
  if (due.why === LAST_FAILED) return { type: 'ready' };
  // Not valid while it runs: a crash midway must run it again.
  await rm(due.stampFile, { force: true });
  const result = await runSetup(ctx, worktree, task, settings, signal);
  if (signal.aborted) return { type: 'stopped' };
  const event = {
    type: 'task.setup-completed' as const,
    runId: ctx.run.id,
    taskId: task.id,
    data: { result, worktree, why: due.why },
  };
  if (!result.passed) {
    const reason = failureReason(result);
    await ctx.store.transaction(async (tx) => {
      await tx.appendEvent(event);
      await tx.apply(taskBlocked(ctx.run.id, task.id, reason));
    });
    return { type: 'blocked', reason };
  }
  await ctx.store.transaction((tx) => tx.appendEvent(event));
  await writeStamp(due, worktree, settings, { failed: false });
  return { type: 'ready' };
}

/**
 * How the setup after an agent ended: not due (nothing ran), ran with its result, or stopped by a
 * pause or cancel. `settle` is called once the evaluation holding the result is recorded.
 */
export type SetupAfterAgent =
  | { type: 'not-due' }
  | { type: 'ran'; result: VerifierResult; settle: () => Promise<void> }
  | { type: 'stopped' };

/**
 * The setup again in an attempt's worktree before its checks, when it is due for what the agent
 * left there ({@link setupDue}: the agent changed a `setup_when_changed` file), so the checks test
 * the dependencies the change names. Its result is the evaluation's to record, as a check named
 * `setup`; a failure is the agent's change's fault, not the repository's: nothing is blocked, and
 * the stamp says so at once, so the setup before the rework's agent does not fail the same way.
 * Safe to repeat: it records nothing itself, and a passed setup is stamped only by `settle`, so
 * an evaluation stopped or crashed before its verdict runs the setup again with its checks.
 */
export async function setupAfterAgent(
  ctx: Deps,
  worktree: string,
  taskId: string,
  signal: AbortSignal,
  onStart: (command: string) => Promise<void>,
): Promise<SetupAfterAgent> {
  const settings = ctx.run.plan.settings.worktree;
  if (settings?.setup === undefined) return { type: 'not-due' };
  const due = await assessSetup(ctx, worktree, settings);
  if (due.why === undefined) return { type: 'not-due' };
  await rm(due.stampFile, { force: true });
  await onStart(setupCommandText(settings.setup));
  const result = await runSetup(ctx, worktree, taskOf(ctx.run, taskId), settings, signal);
  if (signal.aborted) return { type: 'stopped' };
  const settle = () => writeStamp(due, worktree, settings, { failed: !result.passed });
  // A failure is stamped at once: whatever stops the evaluation, the next agent must not block on it.
  if (!result.passed) await settle();
  return { type: 'ran', result, settle };
}

/** The stamp's file for a worktree, what it says, the worktree now, and why the setup is due. */
interface SetupAssessment {
  stampFile: string;
  state: SetupState;
  why: string | undefined;
}

async function assessSetup(
  ctx: Deps,
  worktree: string,
  settings: WorktreeSettings,
): Promise<SetupAssessment> {
  const entry = await gitEntry(worktree);
  const stampFile = path.join(gafferDir(ctx.repo.root), 'worktree-setup', `${path.basename(entry)}.json`);
  const stamp = await readStamp(stampFile);
  const state: SetupState = {
    identity: await worktreeIdentity(entry),
    command: JSON.stringify(settings.setup),
    hash: await hashFiles(worktree, settings.setup_when_changed),
    worktree,
    present: await existing(worktree, stamp?.kept ?? []),
  };
  return { stampFile, state, why: setupDue(stamp, state) };
}

/**
 * The stamp after a setup ran, with the hash it saw before it ran: a setup that rewrites its lock
 * file runs again next time. A failed one keeps nothing (what it left is no install to reuse).
 */
async function writeStamp(
  { stampFile, state }: SetupAssessment,
  worktree: string,
  settings: WorktreeSettings,
  { failed }: { failed: boolean },
): Promise<void> {
  const { present: _, ...rest } = state;
  const written: SetupStamp = failed
    ? { ...rest, kept: [], failed: true }
    : { ...rest, kept: await existing(worktree, defaultKeep(settings).filter(isLiteral)) };
  await mkdir(path.dirname(stampFile), { recursive: true });
  await writeFile(stampFile, JSON.stringify(written) + '\n');
}

const setupCommandText = (setup: string | readonly string[]): string =>
  typeof setup === 'string' ? setup : formatArgv(setup);

/** Runs the setup in the sandbox with the checks' environment and the package caches; never throws. */
async function runSetup(
  ctx: Omit<Deps, 'store'>,
  worktree: string,
  task: PlanTask | undefined,
  settings: WorktreeSettings,
  signal: AbortSignal | undefined,
): Promise<VerifierResult> {
  const caches = packageCaches(ctx.repo.root);
  await Promise.all(caches.dirs.map((dir) => mkdir(dir, { recursive: true })));
  const setup = settings.setup ?? [];
  const command: VerifierCommand = {
    name: 'setup',
    argv: typeof setup === 'string' ? ['sh', '-c', setup] : setup,
    source: 'plan worktree.setup',
  };
  const opened = await openSandbox(setupSandboxRequest(ctx, worktree, task));
  const result = await runVerifier(command, {
    sandbox: opened.sandbox,
    cwd: worktree,
    env: { ...verifierEnv(ctx.env), ...caches.env },
    timeoutMs: (settings.setup_timeout_s ?? DEFAULT_SETUP_TIMEOUT_S) * 1000,
    ...(signal ? { signal } : {}),
  }).finally(() => opened.dispose());
  const output = redactSecrets(result.output, knownSecretValues(ctx.env)).replace(
    'raise verifiers.timeout_s',
    'raise worktree.setup_timeout_s',
  );
  return {
    ...result,
    command: setupCommandText(setup),
    output: usefulTail(output, EVENT_TAIL),
  };
}

function failureReason(result: VerifierResult): string {
  const how = result.timedOut
    ? 'timed out'
    : result.exitCode === null
      ? 'could not run'
      : `exit ${result.exitCode}`;
  const last = result.output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .at(-1);
  return `worktree setup failed (${how}): ${result.command}${last ? ` — ${last.trim()}` : ''}; fix the repository or worktree.setup, then gaffer retry`;
}

/** The worktree's entry in git's directory (`.git/worktrees/<name>`), named by its `.git` file. */
async function gitEntry(worktree: string): Promise<string> {
  const entry = await worktreeEntryDir(worktree);
  if (entry === undefined) throw new Error(`${worktree}/.git does not name a git directory`);
  return entry;
}

/**
 * Which creation of the entry this is: git writes `commondir` once when it adds a worktree and
 * never again (a `worktree move` rewrites only `gitdir`), so a worktree keeps it through the
 * pool, and a re-created one under a reused name gets another.
 */
async function worktreeIdentity(entry: string): Promise<string> {
  const info = await stat(path.join(entry, 'commondir'), { bigint: true }).catch(() => undefined);
  return info === undefined ? `unknown-${Date.now()}` : `${info.ino}-${info.mtimeNs}`;
}

async function readStamp(file: string): Promise<SetupStamp | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<SetupStamp>;
    return typeof value.identity === 'string' && Array.isArray(value.kept)
      ? (value as SetupStamp)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One hash of the files, by path and content; a missing path or one that is not a regular file
 * (a link an agent planted at /dev/zero) counts by its kind alone. Null for no files.
 */
async function hashFiles(worktree: string, files: readonly string[]): Promise<string | null> {
  if (files.length === 0) return null;
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(`${file}\0`);
    const info = await lstat(path.join(worktree, file)).catch(() => undefined);
    if (info?.isFile()) {
      for await (const chunk of createReadStream(path.join(worktree, file))) hash.update(chunk as Buffer);
    } else hash.update(info === undefined ? 'missing' : 'not a file');
    hash.update('\0');
  }
  return hash.digest('hex');
}

const isLiteral = (pattern: string) => !/[*?[\\!]/.test(pattern);

async function existing(worktree: string, paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths)
    if ((await lstat(path.join(worktree, p.replace(/^\//, ''))).catch(() => undefined)) !== undefined)
      found.push(p);
  return found;
}

async function block(ctx: Deps, taskId: string, reason: string): Promise<WorktreeReady> {
  await ctx.store.transaction((tx) => tx.apply(taskBlocked(ctx.run.id, taskId, reason)));
  return { type: 'blocked', reason };
}
