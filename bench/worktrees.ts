/**
 * What it costs to get a task a worktree, per task, on generated repositories of 10, 2,000 and
 * 20,000 files (and real repositories given by path), against plain git doing the same in the
 * same run:
 *
 * - **Gaffer prepare**: what the engine does before an attempt (attempt-step.ts prepareWorktree):
 *   resolve the integration head and the task branch, then `repo.addWorktree(path, branch,
 *   commit)` at `.gaffer/worktrees/<run>/<task>` — ÷ a bare `git worktree add -b <branch> <path>
 *   <commit>` of the same commit.
 * - **Gaffer remove**: what the merge step does once the task has passed, `repo.removeWorktree`
 *   — ÷ a bare `git worktree remove --force`.
 * - **Bare reuse**: in a worktree another task used (its untracked and ignored leftovers still
 *   there), `git checkout -B <branch> <commit>` + `git clean -ffdx` to a commit whose tree differs
 *   in a few files: the physical limit of a worktree pool.
 * - **Pooled prepare**, when the Repo has a pool (see {@link pooledPrepare}) — ÷ the bare reuse.
 *
 * Repetitions are interleaved (Gaffer then bare, the order swapped every repetition, after one
 * discarded warm-up below 5,000 files) so disk writeback and cache state hit both sides alike; cells give the
 * median and the min–max, ratios are the median of the per-repetition ratios. Where Gaffer's
 * prepare spends its time is read from outside (bench/lib/git-probe.ts): each git process it
 * starts, and how long it holds the repository lock.
 *
 *   npm run bench:worktrees [-- --sizes 10,2000,20000] [--repo <path>]… [--reps N | N,N,…] [--keep]
 *
 * A `--repo` is never touched: it is cloned (`git clone --local`) into a temporary directory first.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { integrationBranchName, openRepo, taskBranchName, type Repo } from '../src/git/index.js';
import { generateRepo } from './lib/generated-repo.js';
import { startGitProbe, subcommandOf, type GitCall, type GitProbe } from './lib/git-probe.js';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,2000,20000' },
    repo: { type: 'string', multiple: true, default: [] },
    /** One number for every repository, or one per repository in order (sizes, then --repo). */
    reps: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

/**
 * Repetitions per size when `--reps` is not given: the default run stays within about 5 minutes
 * on a 2-core machine with a slow disk, where one 20,000-file checkout takes 20–40 s. Large
 * repositories also skip the warm-up repetition: a cold cache is noise next to such a checkout.
 */
const DEFAULT_REPS = (files: number) => (files <= 100 ? 15 : files <= 5000 ? 5 : 2);
const WARM_UP_BELOW_FILES = 5000;
const RUN_SLUG = 'bench';

/** A repository under test and the two commits tasks start from (their trees differ in a few files). */
interface Target {
  label: string;
  root: string;
  files: number;
  commits: [string, string];
  cleanup: string;
}

/** One repetition's timings, ms. */
interface Rep {
  gafferPrepare: number;
  bareAdd: number;
  gafferRemove: number;
  bareRemove: number;
  bareReuse: number;
  pooled?: number;
  pooledRelease?: number;
  /** The git processes of Gaffer's prepare and the lock holds inside it. */
  prepareCalls: GitCall[];
  prepareLockMs: number;
  removeCalls: GitCall[];
}

const git = async (cwd: string, ...args: string[]): Promise<string> =>
  (await run('git', args, { cwd, maxBuffer: 1 << 26 })).stdout;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

// ---------------------------------------------------------------------------------------------
// The paths measured

/** The engine's prepareWorktree for a first attempt: integration head, task branch, addWorktree. */
async function gafferPrepare(repo: Repo, path: string, branch: string): Promise<void> {
  const head = await repo.resolveCommit(`refs/heads/${integrationBranchName(RUN_SLUG)}`);
  const base = (await repo.resolveCommit(`refs/heads/${branch}`)) ?? head!;
  await repo.addWorktree(path, branch, base);
}

/** The plain-git equivalent: one `git worktree add` of the same commit. */
async function bareAdd(root: string, path: string, branch: string, commit: string): Promise<void> {
  await git(root, 'worktree', 'add', '--quiet', '-b', branch, path, commit);
}

/** The physical limit of a pool: switch a used worktree to another branch and clean it. */
async function bareReuse(worktree: string, branch: string, commit: string): Promise<void> {
  await git(worktree, 'checkout', '--quiet', '-B', branch, commit);
  await git(worktree, 'clean', '-ffdx', '--quiet');
}

/** What an agent and its checks leave in a worktree: new files, build output, an ignored cache. */
function leaveLeftovers(worktree: string, rep: number): void {
  mkdirSync(join(worktree, 'dist'), { recursive: true });
  mkdirSync(join(worktree, 'node_modules', '.cache'), { recursive: true });
  writeFileSync(join(worktree, `notes-${rep}.md`), 'scratch\n');
  writeFileSync(join(worktree, 'dist', 'bundle.js'), 'x'.repeat(20_000));
  writeFileSync(join(worktree, 'node_modules', '.cache', `c${rep}`), 'cache\n');
  writeFileSync(join(worktree, 'debug.log'), 'log\n');
}

/** A worktree pool of the Repo's, as far as this benchmark can find one. */
type Pool =
  | {
      kind: 'claimWorktree';
      claim(input: { branch: string; fromCommit: string; owner: string }): Promise<{ path: string }>;
      release(path: string, owner: string): Promise<void>;
    }
  | { kind: 'retireWorktree'; retire(path: string, poolSize: number): Promise<void> };

/**
 * Which pool the Repo offers: the engine's pool API (`claimWorktree({ branch, fromCommit, owner })`
 * → `{ path }`, `releaseWorktree(path, owner)`, in src/git/worktree-pool.ts), or a pool inside
 * `addWorktree` that passed tasks' worktrees enter through `retireWorktree(path, poolSize)`.
 */
function poolOf(repo: Repo): Pool | undefined {
  const r = repo as unknown as Record<string, unknown>;
  if (typeof r.claimWorktree === 'function' && typeof r.releaseWorktree === 'function') {
    return {
      kind: 'claimWorktree',
      claim: (input) => (r.claimWorktree as (i: typeof input) => Promise<{ path: string }>).call(repo, input),
      release: (path, owner) =>
        (r.releaseWorktree as (p: string, o: string) => Promise<void>).call(repo, path, owner),
    };
  }
  if (typeof r.retireWorktree === 'function') {
    return {
      kind: 'retireWorktree',
      retire: (path, size) =>
        (r.retireWorktree as (p: string, s: number) => Promise<void>).call(repo, path, size),
    };
  }
  return undefined;
}

/**
 * The engine's pooled preparation of a task's worktree, measured here when the Repo has a pool:
 * `repo.claimWorktree({ branch, fromCommit, owner })` (src/git/worktree-pool.ts) when present —
 * detected at run time with `typeof (repo as any).claimWorktree === 'function'` — else
 * `repo.addWorktree` while a passed task's worktree waits in a `retireWorktree` pool. Either
 * way it starts from a worktree another task used and left leftovers in, like the bare reuse.
 * Returns the path the task works in.
 */
async function pooledPrepare(
  repo: Repo,
  pool: Pool,
  task: { path: string; branch: string; fromCommit: string; owner: string },
): Promise<string> {
  if (pool.kind === 'claimWorktree') {
    return (await pool.claim({ branch: task.branch, fromCommit: task.fromCommit, owner: task.owner })).path;
  }
  await repo.addWorktree(task.path, task.branch, task.fromCommit);
  return task.path;
}

/** Gives a pooled worktree back, the way the engine does once its task has passed. */
async function pooledRelease(pool: Pool, path: string, owner: string): Promise<void> {
  if (pool.kind === 'claimWorktree') await pool.release(path, owner);
  else await pool.retire(path, 1);
}

// ---------------------------------------------------------------------------------------------
// Repositories

async function generatedTarget(files: number): Promise<Target> {
  const generated = generateRepo({ files, commits: 4, changesPerCommit: 5 });
  const [prev, last] = generated.commits.slice(-2) as [string, string];
  return {
    label: `generated, ${files.toLocaleString('en')} files`,
    root: generated.root,
    files: generated.files,
    commits: [last, prev],
    cleanup: generated.root,
  };
}

/** A real repository, cloned so the user's own is only read. */
async function clonedTarget(source: string): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'gaffer-bench-clone-'));
  const root = join(dir, basename(resolve(source)));
  await run('git', ['clone', '--quiet', '--local', '--no-hardlinks', resolve(source), root], {
    maxBuffer: 1 << 26,
  });
  const last = (await git(root, 'rev-parse', 'HEAD')).trim();
  const prev = (await git(root, 'rev-parse', '--verify', '--quiet', 'HEAD~1').catch(() => last)).trim();
  const files = (await git(root, 'ls-files', '-z')).split('\0').filter(Boolean).length;
  return {
    label: `${basename(resolve(source))} (clone), ${files.toLocaleString('en')} files`,
    root,
    files,
    commits: [last, prev],
    cleanup: dir,
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** How long the repository lock was held since the probe's last reset. */
const lockMs = (probe: GitProbe) => probe.holds.reduce((sum, h) => sum + (h.end - h.start), 0);

async function measure(
  target: Target,
  reps: number,
): Promise<{ reps: Rep[]; openMs: number; pool?: Pool['kind'] }> {
  const { root } = target;
  const [openMs, repo] = await timed(() => openRepo(root));
  await repo.ignoreGafferDir();
  const integration = integrationBranchName(RUN_SLUG);
  await git(root, 'branch', '--force', integration, target.commits[0]);
  const worktrees = join(root, '.gaffer', 'worktrees');
  const reuse = join(worktrees, 'bench-reuse', 'slot');
  await git(root, 'worktree', 'add', '--quiet', '--detach', reuse, target.commits[1]);
  const pool = poolOf(repo);
  const owner = `bench-${process.pid}`;
  let pooledPath: string | undefined;
  if (pool) {
    // One worktree in the pool to begin with, as a passed task leaves it.
    pooledPath = await pooledPrepare(repo, pool, {
      path: join(worktrees, RUN_SLUG, 'pool-0'),
      branch: taskBranchName(RUN_SLUG, 'pool-0'),
      fromCommit: target.commits[1],
      owner,
    });
    leaveLeftovers(pooledPath, 0);
    await pooledRelease(pool, pooledPath, owner);
  }
  const probe = startGitProbe();
  const results: Rep[] = [];
  try {
    // Repetition 0 is a warm-up and is discarded (skipped on large repositories).
    for (let i = target.files < WARM_UP_BELOW_FILES ? 0 : 1; i <= reps; i++) {
      const commit = target.commits[i % 2]!;
      await git(root, 'update-ref', `refs/heads/${integration}`, commit);
      const task = `t${i}`;
      const gafferPath = join(worktrees, RUN_SLUG, task);
      const barePath = join(worktrees, 'bare', task);
      const gafferBranch = taskBranchName(RUN_SLUG, task);
      const bareBranch = `bare/${task}`;

      // The pool is emptied first, so the fresh Gaffer add below can find nothing in it.
      let pooled: number | undefined;
      if (pool) {
        [pooled, pooledPath] = await timed(() =>
          pooledPrepare(repo, pool, {
            path: join(worktrees, RUN_SLUG, `pool-${i + 1}`),
            branch: taskBranchName(RUN_SLUG, `pool-${i + 1}`),
            fromCommit: commit,
            owner,
          }),
        );
      }

      let gafferPrepareMs = 0;
      let bareAddMs = 0;
      let prepareCalls: GitCall[] = [];
      let prepareLockMs = 0;
      const measureGaffer = async () => {
        probe.reset();
        [gafferPrepareMs] = await timed(() => gafferPrepare(repo, gafferPath, gafferBranch));
        prepareCalls = [...probe.calls];
        prepareLockMs = lockMs(probe);
      };
      const measureBare = async () => {
        [bareAddMs] = await timed(() => bareAdd(root, barePath, bareBranch, commit));
      };
      for (const step of i % 2 === 0 ? [measureGaffer, measureBare] : [measureBare, measureGaffer]) {
        await step();
      }

      leaveLeftovers(reuse, i);
      const [bareReuseMs] = await timed(() => bareReuse(reuse, `reuse/${task}`, commit));

      probe.reset();
      const [gafferRemoveMs] = await timed(() => repo.removeWorktree(gafferPath));
      const removeCalls = [...probe.calls];
      const [bareRemoveMs] = await timed(() => git(root, 'worktree', 'remove', '--force', barePath));

      let pooledReleaseMs: number | undefined;
      if (pool && pooledPath !== undefined) {
        leaveLeftovers(pooledPath, i + 1);
        const path = pooledPath;
        [pooledReleaseMs] = await timed(() => pooledRelease(pool, path, owner));
      }

      if (i === 0) continue;
      results.push({
        gafferPrepare: gafferPrepareMs,
        bareAdd: bareAddMs,
        gafferRemove: gafferRemoveMs,
        bareRemove: bareRemoveMs,
        bareReuse: bareReuseMs,
        ...(pooled !== undefined ? { pooled } : {}),
        ...(pooledReleaseMs !== undefined ? { pooledRelease: pooledReleaseMs } : {}),
        prepareCalls,
        prepareLockMs,
        removeCalls,
      });
      process.stderr.write(
        `  ${target.label} rep ${i}/${reps}: prepare ${gafferPrepareMs.toFixed(0)} ms, add ${bareAddMs.toFixed(0)} ms, reuse ${bareReuseMs.toFixed(0)} ms${pooled !== undefined ? `, pooled ${pooled.toFixed(0)} ms` : ''}\n`,
      );
    }
  } finally {
    probe.stop();
  }
  return { reps: results, openMs, ...(pool ? { pool: pool.kind } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Reporting

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const cell = (xs: readonly number[]) => `${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`;
const ratio = (a: readonly number[], b: readonly number[]) => {
  const r = a.map((x, i) => x / b[i]!);
  return `**${median(r).toFixed(2)}×** (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})`;
};

/** Where Gaffer's prepare goes: the median per repetition of each git subcommand's time, the rest outside git. */
function breakdown(reps: readonly Rep[], pick: (r: Rep) => GitCall[], total: (r: Rep) => number): string {
  const labels = new Set(reps.flatMap((r) => pick(r).map(subcommandOf)));
  const parts = [...labels].map((label) => {
    const per = reps.map((r) =>
      pick(r)
        .filter((c) => subcommandOf(c) === label)
        .reduce((sum, c) => sum + (c.end - c.start), 0),
    );
    const count = Math.round(
      median(reps.map((r) => pick(r).filter((c) => subcommandOf(c) === label).length)),
    );
    return { label, count, ms: median(per) };
  });
  parts.sort((a, b) => b.ms - a.ms);
  const outside = median(reps.map((r) => total(r) - pick(r).reduce((sum, c) => sum + (c.end - c.start), 0)));
  const processes = median(reps.map((r) => pick(r).length));
  return [
    ...parts.map((p) => `${p.label} ×${p.count} ${ms(p.ms)}`),
    `outside git ${ms(outside)}`,
    `(${processes} git processes)`,
  ].join('; ');
}

async function main(): Promise<void> {
  const sizes = values.sizes
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  const given = (values.reps ?? '').split(',').filter(Boolean).map(Number);
  const repsFor = (files: number, index: number) =>
    given.length === 0
      ? DEFAULT_REPS(files)
      : (given[Math.min(index, given.length - 1)] ?? DEFAULT_REPS(files));
  const began = performance.now();
  const rows: { target: Target; reps: Rep[]; openMs: number; pool?: Pool['kind'] }[] = [];
  const targets: (() => Promise<Target>)[] = [
    ...sizes.map((n) => () => generatedTarget(n)),
    ...(values.repo ?? []).map((path) => () => clonedTarget(path)),
  ];
  for (const [index, make] of targets.entries()) {
    const [setupMs, target] = await timed(make);
    process.stderr.write(`${target.label}: set up in ${(setupMs / 1000).toFixed(1)} s\n`);
    try {
      rows.push({ target, ...(await measure(target, repsFor(target.files, index))) });
    } finally {
      if (!values.keep) rmSync(target.cleanup, { recursive: true, force: true });
      else process.stderr.write(`  kept ${target.root}\n`);
    }
  }
  const pool = rows.find((r) => r.pool)?.pool;
  const lines = [
    `## bench:worktrees — per task, Gaffer's worktree preparation ÷ plain git, ${new Date().toISOString().slice(0, 10)}`,
    '',
    'Measured side by side in one run, interleaved (order swapped each repetition; below 5,000 files one warm-up discarded); ' +
      'cells are median ms (min–max), ratios the median of per-repetition ratios (min–max).',
    '',
    '- **Gaffer prepare**: what the engine runs before an attempt (attempt-step.ts `prepareWorktree`): resolve the ' +
      'integration head and the task branch, `repo.addWorktree(path, branch, commit)` at `.gaffer/worktrees/<run>/<task>`.',
    "- **bare add**: `git worktree add -b <branch> <path> <commit>`, same commit. **Gaffer remove**: the merge step's " +
      '`repo.removeWorktree(path)` after a pass; **bare remove**: `git worktree remove --force`.',
    '- **bare reuse**: in a worktree another task used (untracked + ignored leftovers), `git checkout -B <branch> <commit>` ' +
      '+ `git clean -ffdx` to a commit whose tree differs in 6 files — the physical limit of a worktree pool.',
    pool
      ? `- **pooled**: the Repo's pool (${pool === 'claimWorktree' ? '`repo.claimWorktree` / `releaseWorktree`' : '`repo.addWorktree` taking a worktree that `repo.retireWorktree` left in the pool'}), from a worktree another task used.`
      : '- **pooled**: not measured — this Repo has no `claimWorktree` (src/git/worktree-pool.ts) yet.',
    '',
    `| repository | reps | Gaffer prepare | bare add | **prepare ÷ add** | Gaffer remove | bare remove | remove ÷ remove | bare reuse | **reuse ÷ add** |${pool ? ' pooled | **pooled ÷ reuse** | **pooled ÷ add** |' : ''}`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${pool ? '---:|---:|---:|' : ''}`,
    ...rows.map(({ target, reps }) => {
      const col = (key: keyof Rep) => reps.map((r) => r[key] as number);
      const pooledCells =
        pool && reps.every((r) => r.pooled !== undefined)
          ? ` ${cell(col('pooled'))} | ${ratio(col('pooled'), col('bareReuse'))} | ${ratio(col('pooled'), col('bareAdd'))} |`
          : pool
            ? ' – | – | – |'
            : '';
      return (
        `| ${target.label} | ${reps.length} | ${cell(col('gafferPrepare'))} | ${cell(col('bareAdd'))} | ${ratio(col('gafferPrepare'), col('bareAdd'))} ` +
        `| ${cell(col('gafferRemove'))} | ${cell(col('bareRemove'))} | ${ratio(col('gafferRemove'), col('bareRemove'))} ` +
        `| ${cell(col('bareReuse'))} | ${ratio(col('bareReuse'), col('bareAdd'))} |${pooledCells}`
      );
    }),
    '',
    'Where Gaffer\'s time goes (median ms per repetition, from outside: each git process it starts; "outside git" is ' +
      'its own JS, file checks and lock file; lock = time it held the repository lock):',
    '',
    '| repository | openRepo (once) | prepare: git processes, lock | remove: git processes |',
    '|---|---:|---|---|',
    ...rows.map(
      ({ target, reps, openMs }) =>
        `| ${target.label} | ${ms(openMs)} | ${breakdown(
          reps,
          (r) => r.prepareCalls,
          (r) => r.gafferPrepare,
        )}; lock held ${ms(median(reps.map((r) => r.prepareLockMs)))} | ${breakdown(
          reps,
          (r) => r.removeCalls,
          (r) => r.gafferRemove,
        )} |`,
    ),
    '',
    `(${((performance.now() - began) / 1000).toFixed(0)} s in all, on ${process.platform} with ${(await git(tmpdir(), '--version')).trim()})`,
  ];
  console.log(lines.join('\n'));
}

await main();
