import { join } from 'node:path';
import type { GafferEvent, VerifierResult } from '../../domain/index.js';
import { addDetachedWorktree } from '../../git/index.js';
import { evaluateWorktree, judge, usefulTail } from '../../verify/index.js';
import { readRunBaseline } from '../baseline/index.js';
import { verifierEnv } from '../child-env.js';
import { errorMessage } from '../logger.js';
import { endProcesses } from '../../process/end-processes.js';
import { redactSecrets } from '../redact.js';
import type { RunContext } from '../run-context.js';
import { gafferDir, taskOf } from '../run-context.js';
import { checkSandboxRequest, openSandbox } from '../sandbox/index.js';
import { knownSecretValues } from '../secrets.js';
import { setupHealthCheckout } from '../workspace/worktree-setup.js';
import { taskChecks } from '../pipeline/task-checks.js';

type HealthChecks = Extract<GafferEvent, { type: 'merge.health-checked' }>['data']['checks'];

/** Health checks as recorded (each output's useful tail), in the shape a rework's feedback is written from. */
export const healthResults = (checks: HealthChecks): VerifierResult[] =>
  checks.map(({ tail, ...rest }) => ({ ...rest, output: tail }));

/** What the health check of a merge found: nothing to check, a verdict, or stopped with the run. */
export type HealthOutcome =
  { type: 'skipped' } | { type: 'checked'; passed: boolean; checks: HealthChecks } | { type: 'stopped' };

/** Lines of each check's output kept in the event, as for the baseline's. */
const EVENT_TAIL = { maxLines: 40, maxChars: 4000 };

/** The checkout of the integration branch a run's health checks run in. */
export const healthCheckoutPath = (repoRoot: string, runSlug: string) =>
  join(gafferDir(repoRoot), 'health', 'worktrees', runSlug);

/**
 * Runs the merged task's checks on the integration branch at `commit` (the head right after its
 * merge), in a checkout of it that the drive keeps and moves from merge to merge, with the plan's
 * worktree setup (again only when a merge changed what it depends on). Their verdict is judged as
 * the task's own was, against the baseline under `allow_preexisting`. Skipped when the plan says
 * `verifiers: { health_checks: false }`, or when the base had no checks (nothing could fail).
 */
export async function checkMergeHealth(
  ctx: RunContext,
  taskId: string,
  commit: string,
  signal: AbortSignal,
): Promise<HealthOutcome> {
  if (ctx.run.plan.settings.verifiers?.health_checks === false) return { type: 'skipped' };
  const baseline = await readRunBaseline(ctx.store, ctx.run.id);
  if (!baseline || baseline.checks.length === 0) return { type: 'skipped' };
  const checkout = healthCheckoutPath(ctx.repo.root, ctx.run.slug);
  const fresh = await placeCheckout(ctx, checkout, commit);
  const setup = await setupHealthCheckout(ctx, checkout, fresh, signal);
  if (signal.aborted) return { type: 'stopped' };
  let results: VerifierResult[];
  if (setup && !setup.passed) {
    // Checks on a failed install test nothing: the merge broke the setup, which says it all.
    results = [setup];
  } else {
    const { checks, problems } = await taskChecks(ctx, checkout, taskId);
    const opened = await openSandbox(checkSandboxRequest(ctx, checkout, taskOf(ctx.run, taskId)));
    const outcome = await evaluateWorktree({
      sandbox: opened.sandbox,
      cwd: checkout,
      env: verifierEnv(ctx.env),
      verifiers: checks.verifiers,
      deliverables: checks.deliverables,
      timeoutMs: checks.timeoutMs,
      signal,
    }).finally(() => opened.dispose());
    if (signal.aborted) return { type: 'stopped' };
    results = [...(setup ? [setup] : []), ...problems, ...outcome.results];
  }
  const known = knownSecretValues(ctx.env);
  const redacted = results.map((r) => ({ ...r, output: redactSecrets(r.output, known) }));
  const preexisting =
    ctx.run.plan.settings.verifiers?.baseline === 'allow_preexisting'
      ? { baseline: baseline.checks, roots: [checkout] }
      : {};
  const verdict = judge(redacted, [], preexisting);
  // What the failed merge's code ran here may have left behind in ignored files (a planted test
  // runner in node_modules): the next merge is checked in a checkout made afresh.
  if (!verdict.passed && ctx.mergeLane) ctx.mergeLane.checkout = 'stale';
  return {
    type: 'checked',
    passed: verdict.passed,
    checks: verdict.results.map((r) => ({
      name: r.name,
      command: r.command,
      passed: r.passed,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      timedOut: r.timedOut,
      tail: usefulTail(r.output, EVENT_TAIL),
    })),
  };
}

/**
 * Puts the health checkout at `commit`: made afresh the first time in a drive (a dead owner's
 * checks may still run in one left behind) and after a failed check, else reset there, keeping
 * what the setup installed.
 * Returns whether it was made afresh.
 */
async function placeCheckout(ctx: RunContext, checkout: string, commit: string): Promise<boolean> {
  const lane = ctx.mergeLane;
  if (lane?.checkout === 'ready') {
    try {
      await ctx.repo.resetHard(checkout, commit);
      return false;
    } catch (error) {
      // Gone or broken (removed by hand, a check that wrecked it): made again below.
      ctx.logger.warn('the health checkout could not be reused; making it again', {
        checkout,
        error: errorMessage(error),
      });
    }
  }
  await endProcesses({ groups: [], dirs: [checkout] });
  await addDetachedWorktree(ctx.repo, checkout, commit);
  if (lane) lane.checkout = 'ready';
  return true;
}

/** Removes the drive's health checkout once the drive ends; one that will not go is left for `gaffer clean`. */
export async function removeHealthCheckout(ctx: RunContext): Promise<void> {
  if (ctx.mergeLane === undefined || ctx.mergeLane.checkout === 'none') return;
  const checkout = healthCheckoutPath(ctx.repo.root, ctx.run.slug);
  await endProcesses({ groups: [], dirs: [checkout] });
  await ctx.repo
    .removeWorktree(checkout)
    .catch((error: unknown) =>
      ctx.logger.warn('could not remove the health checkout', { checkout, error: errorMessage(error) }),
    );
  ctx.mergeLane.checkout = 'none';
}
