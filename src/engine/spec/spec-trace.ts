import type { EvaluationRecord, RunRecord } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import { validatePlan } from '../../plan/index.js';
import type { SpecTrace, TraceRunFacts } from '../../spec/index.js';
import { openSpec, parseRequirements, readText, traceSpec } from '../../spec/index.js';
import type { RunView } from '../queries/index.js';

/** What tracing needs of the engine: the runs, read only (an engine over a missing store has none). */
export interface TraceRuns {
  listRuns(): Promise<readonly { id: string }[]>;
  getRun(runId: string): Promise<RunRecord>;
  runView(runId: string): Promise<RunView>;
}

/**
 * `gaffer spec trace`: the spec's requirements and plan.yaml as they are on disk now, joined with
 * the newest run that recorded this spec (`gaffer run --spec`). Needs no lock, writes nothing.
 */
export async function specTraceAt(cwd: string, id: string, runs?: TraceRuns): Promise<SpecTrace> {
  const repo = await openRepo(cwd);
  const spec = openSpec(repo.root, id);
  const requirements = readText(spec.paths.artifact('requirements'));
  const stories = requirements === undefined ? [] : parseRequirements(requirements).stories;
  const planText = readText(spec.paths.artifact('tasks'));
  const checked =
    planText === undefined ? undefined : validatePlan(planText, { file: spec.paths.artifact('tasks') });
  const tasks = checked?.ok ? checked.plan.tasks : [];
  return traceSpec(spec.id, stories, tasks, runs ? await newestRunOf(runs, spec.id) : undefined);
}

/** The newest run of the spec's plan (runs are listed newest first), with its tasks and evaluations. */
async function newestRunOf(runs: TraceRuns, specId: string): Promise<TraceRunFacts | undefined> {
  for (const { id } of await runs.listRuns()) {
    const run = await runs.getRun(id);
    if (run.options.spec !== specId) continue;
    const view = await runs.runView(id);
    const evaluations = view.attempts.flatMap((a): EvaluationRecord[] =>
      a.evaluation ? [a.evaluation] : [],
    );
    return { id: run.id, status: run.status, tasks: view.tasks, evaluations };
  }
  return undefined;
}
