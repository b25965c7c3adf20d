import type { CriterionVerdict, EvaluationRecord, TaskRecord } from '../domain/index.js';
import type { UserStory } from './requirements.js';

/** What a run did with one task, as the trace shows it. */
export interface TracedTask {
  id: string;
  title: string;
  /** The run's state of the task; absent before any run of the spec. */
  status?: TaskRecord['status'];
  mergeCommit?: string | null;
  /** The task's newest evaluation; null when it has none yet. */
  evaluation?: {
    confidence: EvaluationRecord['confidence'];
    score: number;
    /** The reviewer's verdict on this very criterion, when the task was reviewed. */
    verdict: CriterionVerdict | null;
    evidence: string | null;
  } | null;
}

export interface TracedCriterion {
  id: string;
  text: string;
  line: number;
  /** The tasks that cover it (`covers: [AC-…]`); none: a gap. */
  tasks: TracedTask[];
}

export interface TracedStory {
  id: string;
  title: string;
  criteria: TracedCriterion[];
}

/** `gaffer spec trace`: requirement → acceptance criteria → tasks → (after a run) what became of them. */
export interface SpecTrace {
  spec: string;
  /**
   * The newest run of the spec's plan, if any; its tasks are the ones traced. `planChanged`:
   * plan.yaml is not the plan that run was made from (revised since): run it again to deliver it.
   */
  run: { id: string; status: string; planChanged: boolean } | null;
  stories: TracedStory[];
  /** Criteria no task covers. */
  gaps: string[];
  /** Tasks that cover no criterion (worth a look: what do they serve?). */
  uncovered: string[];
}

/** What the trace needs of a run: its tasks and their evaluations. */
export interface TraceRunFacts {
  id: string;
  status: string;
  tasks: readonly Pick<TaskRecord, 'taskId' | 'status' | 'mergeCommit'>[];
  evaluations: readonly EvaluationRecord[];
  planChanged: boolean;
}

/**
 * Joins the requirements, the plan's tasks (by `covers`) and, when the spec's plan ran, each
 * task's status, merge commit and newest evaluation. The reviewer's verdict of a criterion is found
 * by its line: a run from a spec gives each task the criteria it covers as `AC-1.1: <text>` lines.
 */
export function traceSpec(
  spec: string,
  stories: readonly UserStory[],
  tasks: readonly { id: string; title: string; covers?: readonly string[] | undefined }[],
  run?: TraceRunFacts,
): SpecTrace {
  const records = new Map(run?.tasks.map((t) => [t.taskId, t]));
  const newest = new Map<string, EvaluationRecord>();
  for (const e of run?.evaluations ?? []) {
    const seen = newest.get(e.taskId);
    if (!seen || seen.createdAt <= e.createdAt) newest.set(e.taskId, e);
  }
  const traced = (task: (typeof tasks)[number], criterion: { id: string; text: string }): TracedTask => {
    if (!run) return { id: task.id, title: task.title };
    const record = records.get(task.id);
    const evaluation = newest.get(task.id);
    // The very line the run gave the task, not one of its own that starts with the same id.
    const line = `${criterion.id}: ${criterion.text}`;
    const judged = evaluation?.review?.criteria.find((c) => c.criterion === line);
    return {
      id: task.id,
      title: task.title,
      ...(record ? { status: record.status, mergeCommit: record.mergeCommit } : {}),
      evaluation: evaluation
        ? {
            confidence: evaluation.confidence,
            score: evaluation.score,
            verdict: judged?.verdict ?? null,
            evidence: judged ? judged.evidence : null,
          }
        : null,
    };
  };
  const traceStories = stories.map((story) => ({
    id: story.id,
    title: story.title,
    criteria: story.criteria.map((c) => ({
      id: c.id,
      text: c.text,
      line: c.line,
      tasks: tasks.filter((t) => t.covers?.includes(c.id)).map((t) => traced(t, c)),
    })),
  }));
  const known = new Set(stories.flatMap((s) => s.criteria.map((c) => c.id)));
  return {
    spec,
    run: run ? { id: run.id, status: run.status, planChanged: run.planChanged } : null,
    stories: traceStories,
    gaps: traceStories.flatMap((s) => s.criteria.filter((c) => c.tasks.length === 0).map((c) => c.id)),
    uncovered: tasks.filter((t) => !(t.covers ?? []).some((id) => known.has(id))).map((t) => t.id),
  };
}
