import { join } from 'node:path';
import type { EvaluationReview, PlanTask, ReviewerSettings, VerifierResult } from '../domain/index.js';
import { runReview } from '../verify/index.js';
import { redactSecrets } from './redact.js';
import { reviewerConfig } from './reviewer-settings.js';
import type { RunContext } from './run-context.js';
import { runDir } from './run-context.js';
import { runScratchSession } from './scratch-session.js';
import { knownSecretValues } from './secrets.js';

/** What the plan's reviewer is asked to judge: a task (or the whole run as one) on a diff. */
export interface ReviewRequest {
  reviewer: ReviewerSettings;
  task: PlanTask;
  /** The diff judged is `from...to` (what `to` adds since their merge base). */
  from: string;
  to: string;
  results: readonly VerifierResult[];
  /** Names each session's scratch folder under `.gaffer/runs/<run>/reviews/` (`<name>.<n>`). */
  scratchName: string;
  stateKey: string;
  attemptId: string;
  /** The attempt the review is of; absent: each session's number. */
  attemptNumber?: number;
}

/**
 * One review by the plan's reviewer: the diff (secrets masked, or why it could not be read), the
 * checks' results, and each session in an empty scratch folder of its own (runScratchSession), so
 * the reviewer can change nothing it judges. What it says went wrong is masked too.
 */
export async function reviewWithReviewer(
  ctx: RunContext,
  request: ReviewRequest,
  signal: AbortSignal,
): Promise<EvaluationReview> {
  const known = knownSecretValues(ctx.env);
  const diff = await ctx.repo.git(
    ['diff', '--no-color', '--no-ext-diff', '--no-textconv', `${request.from}...${request.to}`, '--'],
    { allowFail: true },
  );
  const config = reviewerConfig(ctx.run, request.reviewer);
  let sessions = 0;
  const review = await runReview({
    material: {
      task: request.task,
      diff: redactSecrets(
        diff.code === 0 ? diff.stdout : `(the diff could not be read: ${diff.stderr.trim()})`,
        known,
      ),
      results: request.results,
    },
    agent: request.reviewer.agent,
    ...(typeof config.model === 'string' ? { model: config.model } : {}),
    stopped: () => signal.aborted,
    ask: (prompt) => {
      sessions += 1;
      return runScratchSession(
        ctx,
        {
          agent: request.reviewer.agent,
          config,
          scratch: join(runDir(ctx.repo.root, ctx.run.id), 'reviews', `${request.scratchName}.${sessions}`),
          stateKey: request.stateKey,
          task: request.task,
          attemptId: request.attemptId,
          attemptNumber: request.attemptNumber ?? sessions,
          prompt,
        },
        signal,
      );
    },
  });
  return review.error === undefined ? review : { ...review, error: redactSecrets(review.error, known) };
}
