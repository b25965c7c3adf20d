import type { CommandSandbox, EvaluationReview, VerifierResult } from '../domain/index.js';
import { checkDeliverables } from './deliverables.js';
import { runVerifier } from './run-verifier.js';
import type { VerifierCommand } from './verifier-command.js';

/** Verifier results folded into the evaluation's verdict. */
export interface EvaluationOutcome {
  passed: boolean;
  /** Passed results over all results, in [0, 1]; 1 when nothing was checked; with a reviewer, the confidence formula's. */
  score: number;
  /** green when every check passed, red otherwise; yellow when nothing was verified (see `judge`); with a reviewer, see `withReview`. */
  confidence: 'green' | 'yellow' | 'red';
  results: VerifierResult[];
  /** The LLM reviewer's verdict, when the plan has a reviewer. */
  review?: EvaluationReview;
  /** Why the confidence is what it is when that is not obvious from the results ("no checks ran: …"). */
  note?: string;
}

export interface EvaluateWorktreeOptions {
  cwd: string;
  env: Record<string, string>;
  verifiers: readonly VerifierCommand[];
  deliverables: readonly string[];
  /** Per verifier. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Told before each verifier starts, so a live view can say which check runs. */
  onCheckStart?: (verifier: VerifierCommand) => void | Promise<void>;
  /** Told as soon as a verifier's process group runs, so a crash never leaves it unrecorded. */
  onSpawn?: (pid: number, command: string) => void;
  /** The OS sandbox every check runs in. */
  sandbox?: CommandSandbox;
}

/**
 * Checks deliverables, then runs every verifier in order. All of them run even after a failure,
 * so a rework prompt shows every problem at once. An abort stops at once and returns what ran,
 * never passed; the caller, which owns the signal, treats it as a stop rather than a verdict.
 */
export async function evaluateWorktree(options: EvaluateWorktreeOptions): Promise<EvaluationOutcome> {
  const results: VerifierResult[] = [];
  if (options.deliverables.length > 0)
    results.push(await checkDeliverables(options.cwd, options.deliverables));
  for (const verifier of options.verifiers) {
    if (options.signal?.aborted) break;
    await options.onCheckStart?.(verifier);
    results.push(
      await runVerifier(verifier, {
        cwd: options.cwd,
        env: options.env,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
        ...(options.sandbox ? { sandbox: options.sandbox } : {}),
      }),
    );
  }
  // An aborted evaluation is incomplete: it must never look like a pass, even with nothing run.
  return scoreResults(results, Boolean(options.signal?.aborted));
}

/**
 * Score (passed ÷ total, 1 when nothing ran) and confidence of a set of check results. A result
 * marked `preexisting` failed on the base commit too: it is kept for the record but counts
 * neither for nor against the work.
 */
export function scoreResults(results: VerifierResult[], incomplete = false): EvaluationOutcome {
  const counted = results.filter((result) => !result.preexisting);
  const passedCount = counted.filter((result) => result.passed).length;
  const passed = passedCount === counted.length && !incomplete;
  return {
    passed,
    score: counted.length === 0 ? 1 : passedCount / counted.length,
    confidence: passed ? 'green' : 'red',
    results,
  };
}
