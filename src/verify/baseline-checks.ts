import type { PlanSettings, PlanTask } from '../domain/index.js';
import { checkKey } from './baseline-compare.js';
import { checksFor } from './evaluation-policy.js';
import { formatArgv, type VerifierCommand } from './verifier-command.js';

/** One check of a run's baseline: a command some task will be judged by, with its time limit. */
export interface BaselineCheck {
  verifier: VerifierCommand;
  /** The command as one line; with the name, what a task's result is matched against. */
  command: string;
  timeoutMs: number;
}

/**
 * The checks a run's tasks will be judged by, each once: every task's `checksFor` (plan then
 * task settings, as the evaluation computes them), deduplicated by name and command. A task
 * that gives a check a longer time limit gives it to the baseline too, so the base is held to
 * no tighter limit than any task. Deliverables are left out: they are the task's to create.
 */
export function baselineChecks(
  detected: readonly VerifierCommand[],
  settings: Pick<PlanSettings, 'verifiers'>,
  tasks: readonly Pick<PlanTask, 'verifiers' | 'deliverables'>[],
): BaselineCheck[] {
  const byKey = new Map<string, BaselineCheck>();
  for (const task of tasks) {
    const plan = checksFor(detected, settings, task);
    for (const verifier of plan.verifiers) {
      const command = formatArgv(verifier.argv);
      const key = checkKey(verifier.name, command);
      const known = byKey.get(key);
      if (!known) byKey.set(key, { verifier, command, timeoutMs: plan.timeoutMs });
      else known.timeoutMs = Math.max(known.timeoutMs, plan.timeoutMs);
    }
  }
  return [...byKey.values()];
}
