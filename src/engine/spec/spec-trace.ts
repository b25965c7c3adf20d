import type { EvaluationRecord, RunRecord } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import { validatePlan } from '../../plan/index.js';
import type { SpecTrace, TraceRunFacts } from '../../spec/index.js';
import { openSpec, parseRequirements, readText, sha256, traceSpec } from '../../spec/index.js';
import type { RunView } from '../queries/index.js';

/** What tracing needs of the engine: the runs, read only (an engine over a missing store has none). */
export interface TraceRuns {
  listRuns(): Promise<readonly { id: string }[]>;
  getRun(runId: string): Promise<RunRecord>;
  runView(runId: string): Promise<RunView>;
}

/**
 * `gaffer spec trace`: the spec's requirements as they are on disk now, joined with the tasks of
 * the newest run that recorded this spec (`gaffer run --spec`) — the plan that ran, replanned tasks
 * included — or, before any run, with plan.yaml. Needs no lock, writes nothing.
 */
export async function specTraceAt(cwd: string, id: string, runs?: TraceRuns): Promise<SpecTrace> {
  const repo = await openRepo(cwd);
  const spec = openSpec(repo.root, id);
  const requirements = readText(spec.paths.artifact('requirements'));
  const stories = requirements === undefined ? [] : parseRequirements(requirements).stories;
  const planText = readText(spec.paths.artifact('tasks'));
  const ran = runs ? await newestRunOf(runs, spec.id) : undefined;
  if (ran) {
    const planChanged = planText === undefined || sha256(planText) !== ran.record.options.specPlanSha256;
    return traceSpec(spec.id, stories, ran.record.plan.tasks, { ...ran.facts, planChanged });
  }
  const checked =
    planText === undefined ? undefined : validatePlan(planText, { file: spec.paths.artifact('tasks') });
  return traceSpec(spec.id, stories, checked?.ok ? checked.plan.tasks : []);
}

/**
 * The newest run of the spec's plan that got as far as an attempt (a run that stopped at its
 * baseline does not hide an earlier one that merged), else the newest; runs are listed newest
 * first. A run that cannot be read is passed over: one damaged row does not hide every trace.
 */
async function newestRunOf(
  runs: TraceRuns,
  specId: string,
): Promise<{ record: RunRecord; facts: Omit<TraceRunFacts, 'planChanged'> } | undefined> {
  let fallback: { record: RunRecord; facts: Omit<TraceRunFacts, 'planChanged'> } | undefined;
  for (const { id } of await runs.listRuns()) {
    let record: RunRecord;
    let view: RunView;
    try {
      record = await runs.getRun(id);
      if (record.options.spec !== specId) continue;
      view = await runs.runView(id);
    } catch {
      continue;
    }
    const evaluations = view.attempts.flatMap((a): EvaluationRecord[] =>
      a.evaluation ? [a.evaluation] : [],
    );
    const found = { record, facts: { id: record.id, status: record.status, tasks: view.tasks, evaluations } };
    if (view.attempts.length > 0) return found;
    fallback ??= found;
  }
  return fallback;
}
