import { join } from 'node:path';
import type { CommandSandbox, RunRecord, VerifierResult } from '../../domain/index.js';
import { isTerminalRun, runFailed } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';
import { addDetachedWorktree } from '../../git/index.js';
import type { Store } from '../../store/index.js';
import type { BaselineCheck, SetupFacts } from '../../verify/index.js';
import {
  baselineChecks,
  classifyBaselineResult,
  detectVerifiers,
  inspectSetup,
  recordedFailures,
  runVerifier,
  usefulTail,
} from '../../verify/index.js';
import { endProcesses } from '../../process/end-processes.js';
import { verifierEnv } from '../child-env.js';
import { checkSandboxRequest, openSandbox } from '../sandbox/index.js';
import type { Logger } from '../logger.js';
import { errorMessage } from '../logger.js';
import { redactSecrets } from '../redact.js';
import { knownSecretValues } from '../secrets.js';
import { gafferDir } from '../run-context.js';
import { setupCheckout } from '../workspace/worktree-setup.js';
import { baselineCachePath, readCachedBaseline, writeCachedBaseline } from './baseline-cache.js';
import { baselineFailedError, baselineReason } from './baseline-report.js';
import type { BaselineCheckResult, BaselinePolicy } from './baseline-types.js';

/** What the baseline needs of the drive that holds the run's lease. */
export interface BaselineDeps {
  store: Store;
  repo: Repo;
  run: RunRecord;
  /** The parent environment; checks get `verifierEnv` of it, exactly as a task's checks do. */
  env: Record<string, string | undefined>;
  logger: Logger;
  signal?: AbortSignal;
  /** Read results cached for this commit and check set; default true. */
  useCache?: boolean;
}

/** Lines of each check's output kept in the event (and the cache). */
const EVENT_TAIL = { maxLines: 40, maxChars: 4000 };

/**
 * Runs the run's checks once on its base commit, before any agent starts, and records what it
 * found (`run.baseline-completed`, or `run.no-checks`). A check that fails or cannot run there is
 * the repository's state: under `verifiers.baseline: require_green` (the default) the run is
 * recorded as failed and a user error with the report is thrown; under `allow_preexisting` the run
 * goes on and evaluations compare against the recorded results. An abort returns quietly, having
 * recorded nothing: the caller's drive then pauses the run before any task starts.
 */
export async function runBaseline(deps: BaselineDeps): Promise<void> {
  const { run } = deps;
  const checkout = join(gafferDir(deps.repo.root), 'baseline', 'worktrees', run.slug);
  // A dead owner's checks may still run in the checkout that is about to be replaced.
  await endProcesses({ groups: [], dirs: [checkout] });
  await addDetachedWorktree(deps.repo, checkout, run.baseCommit);
  let found: { checks: BaselineCheckResult[]; cached: boolean } | undefined;
  let count = 0;
  try {
    const checks = baselineChecks(await detectVerifiers(checkout), run.plan.settings, run.plan.tasks);
    count = checks.length;
    if (count > 0) found = await checkBase(deps, checkout, checks);
  } finally {
    await deps.repo.removeWorktree(checkout).catch((error: unknown) =>
      deps.logger.warn('could not remove the baseline worktree', {
        path: checkout,
        error: errorMessage(error),
      }),
    );
  }
  if (deps.signal?.aborted) return;
  if (count === 0) return recordNoChecks(deps);
  if (found) await recordBaseline(deps, found.checks, found.cached);
}

/** The checks' results on the base: from the cache, or run now (and cached when they say something stable). */
async function checkBase(
  deps: BaselineDeps,
  checkout: string,
  checks: readonly BaselineCheck[],
): Promise<{ checks: BaselineCheckResult[]; cached: boolean } | undefined> {
  const cachePath = baselineCachePath(deps.repo.root, deps.run.baseCommit, checks);
  const cached =
    deps.useCache === false ? undefined : await readCachedBaseline(cachePath, deps.run.baseCommit);
  if (cached) return { checks: cached, cached: true };
  // The plan's worktree setup first (copies, links, installed dependencies), as every task's worktree gets it.
  const setup = await setupCheckout(deps, checkout, deps.signal);
  if (deps.signal?.aborted) return undefined;
  if (setup && !setup.passed) return { checks: [setupFailed(setup)], cached: false };
  const facts = await inspectSetup(deps.repo.root, checkout);
  const results: BaselineCheckResult[] = [];
  const opened = await openSandbox(checkSandboxRequest(deps, checkout));
  try {
    for (const check of checks) {
      if (deps.signal?.aborted) return undefined;
      results.push(await runCheck(deps, checkout, check, facts, opened.sandbox));
    }
  } finally {
    await opened.dispose();
  }
  if (deps.signal?.aborted) return undefined;
  // Only what the commit decides is cached. A check that could not run or timed out says
  // more about this machine (a tool to install, `npm ci` to run, a busy CPU) than about the
  // commit, and the next run, after the fix, must see the fix.
  if (results.every((r) => !r.cannotRun && !r.timedOut))
    await writeCachedBaseline(cachePath, deps.run.baseCommit, results);
  return { checks: results, cached: false };
}

/** A setup that fails on the base: nothing can be checked there, and no task's setup would succeed. */
function setupFailed(setup: VerifierResult): BaselineCheckResult {
  return {
    name: setup.name,
    command: setup.command,
    passed: false,
    exitCode: setup.exitCode,
    durationMs: setup.durationMs,
    timedOut: setup.timedOut,
    cannotRun: true,
    tail: setup.output,
    fix: 'make worktree.setup in the plan succeed on the base commit (run it in a fresh clone to see why it fails)',
  };
}

async function runCheck(
  deps: BaselineDeps,
  checkout: string,
  check: BaselineCheck,
  facts: SetupFacts,
  sandbox: CommandSandbox,
): Promise<BaselineCheckResult> {
  const result = await runVerifier(check.verifier, {
    sandbox,
    cwd: checkout,
    env: verifierEnv(deps.env),
    timeoutMs: check.timeoutMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const verdict = classifyBaselineResult(result, check.verifier.argv, facts);
  return {
    name: result.name,
    command: result.command,
    passed: result.passed,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    timedOut: result.timedOut,
    cannotRun: verdict.kind === 'cannot-run',
    tail: usefulTail(redactSecrets(result.output, knownSecretValues(deps.env)), EVENT_TAIL),
    // What a task's run of a failed check is compared with; the task's output is redacted too.
    ...(result.passed
      ? {}
      : recordedFailures(redactSecrets(result.output, knownSecretValues(deps.env)), { roots: [checkout] })),
    ...(verdict.kind === 'passed'
      ? {}
      : { fix: verdict.kind === 'cannot-run' ? `${verdict.cause}: ${verdict.fix}` : verdict.fix }),
  };
}

/** The event, then, when the policy says so, the stop: the run failed, and the report as a user error. */
async function recordBaseline(
  deps: BaselineDeps,
  checks: BaselineCheckResult[],
  cached: boolean,
): Promise<void> {
  const { run, store } = deps;
  const policy: BaselinePolicy = run.plan.settings.verifiers?.baseline ?? 'require_green';
  const bad = checks.filter((c) => !c.passed);
  const stop = bad.length > 0 && policy === 'require_green';
  const stopped = await store.transaction(async (tx) => {
    await tx.appendEvent({
      type: 'run.baseline-completed',
      runId: run.id,
      data: { commit: run.baseCommit, checks, cached, policy },
    });
    if (!stop) return false;
    // A run that ended meanwhile stays as it is; the report is still owed.
    const status = (await tx.getRun(run.id))?.status;
    if (status !== undefined && !isTerminalRun(status))
      await tx.apply(runFailed(run.id, baselineReason(run, bad)));
    return true;
  });
  if (stopped) throw baselineFailedError(run, bad);
}

/** Nothing checks this repository: said once at the start; every evaluation says it again, yellow. */
async function recordNoChecks(deps: BaselineDeps): Promise<void> {
  const { run, store } = deps;
  await store.transaction(async (tx) => {
    await tx.appendEvent({
      type: 'run.no-checks',
      runId: run.id,
      data: {
        commit: run.baseCommit,
        hint: `add the repository's checks to ${run.planPath}: verifiers: { commands: { test: "npm test", lint: "npm run lint" } }`,
      },
    });
  });
}
