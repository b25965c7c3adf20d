import { parse, stringify } from 'yaml';
import type { PlanTask } from '../../domain/index.js';
import { TASK_ID_PATTERN } from '../../domain/index.js';
import { assertValidBranchName, taskBranchName } from '../../git/index.js';
import { formatPlanIssue, validatePlan } from '../../plan/index.js';

/** A planner's reply read: the new tasks (validated), or what is wrong with it, for the next round. */
export type ReplanReply = { ok: true; tasks: PlanTask[] } | { ok: false; errors: string[] };

/**
 * Reads the new tasks from a planner's reply (its last ```yaml block, else the whole reply;
 * `tasks: [...]` or a bare list) and validates them with the plan validator, together with the
 * passed tasks they may depend on. New ids must be new; dependencies only on passed or new tasks.
 */
export function readReplanReply(
  text: string,
  context: {
    agent: string;
    passed: readonly PlanTask[];
    takenIds: readonly string[];
    /** Agent backends a new task may name. */
    agents: readonly string[];
    /** Tasks of the person's plan a new task may take its backend settings from (`like:`). */
    templates: readonly PlanTask[];
    /** The run's slug: new tasks' branches must be valid git names. */
    runSlug: string;
    /** At most this many new tasks. */
    maxTasks: number;
    /**
     * The acceptance-criterion ids a new task may `covers` (those the run's plan covers), in a run
     * from a spec; left out, the run has no spec and `covers` is refused.
     */
    coverable?: readonly string[];
    repoRoot?: string;
    home?: string;
    pathExists?: (path: string) => boolean;
  },
): ReplanReply {
  let raw: unknown;
  try {
    raw = parse(lastYamlBlock(text));
  } catch (error) {
    return {
      ok: false,
      errors: [`the YAML block does not parse: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const list: unknown[] | undefined = Array.isArray(raw)
    ? (raw as unknown[])
    : isRecord(raw) && Array.isArray(raw.tasks)
      ? (raw.tasks as unknown[])
      : undefined;
  if (!list || list.length === 0)
    return {
      ok: false,
      errors: ['no tasks found: reply with a ```yaml block holding `tasks:` and a list of tasks'],
    };
  if (list.length > context.maxTasks)
    return {
      ok: false,
      errors: [
        `${list.length} tasks is too many for a replan (at most ${context.maxTasks}): plan in fewer, larger tasks`,
      ],
    };
  const templates = new Map(context.templates.map((t) => [t.id, t]));
  const taken = new Set(context.takenIds);
  const passed = new Set(context.passed.map((t) => t.id));
  const newIds = new Set(list.flatMap((t) => (isRecord(t) && typeof t.id === 'string' ? [t.id] : [])));
  const errors: string[] = [];
  for (const task of list) {
    if (!isRecord(task)) continue;
    // A planner's reply is the work of an LLM that read what agents wrote: it may shape the work,
    // never widen what the work may do. Backend settings come only from the person's own tasks.
    for (const key of Object.keys(task))
      if (!PLANNER_KEYS.has(key))
        errors.push(
          `task "${String(task.id)}": \`${key}\` cannot be set by a replan (allowed: ${[...PLANNER_KEYS].join(', ')}); \`like: <task>\` takes a task's agent and settings`,
        );
    if (task.like !== undefined && (typeof task.like !== 'string' || !templates.has(task.like)))
      errors.push(
        `task "${String(task.id)}": like ${JSON.stringify(task.like)} is no task of the plan (known: ${[...templates.keys()].join(', ')})`,
      );
    if (typeof task.id === 'string' && TASK_ID_PATTERN.test(task.id)) {
      try {
        assertValidBranchName(taskBranchName(context.runSlug, task.id));
      } catch {
        errors.push(
          `task "${task.id}": the id does not make a valid git branch name; use letters, digits and dashes`,
        );
      }
    }
    if (typeof task.id === 'string' && taken.has(task.id))
      errors.push(
        `task "${task.id}": the id is taken (every id the run has had stays its own); pick a new one`,
      );
    if (typeof task.agent === 'string' && !context.agents.includes(task.agent))
      errors.push(
        `task "${String(task.id)}": unknown agent "${task.agent}" (known: ${context.agents.join(', ')})`,
      );
    errors.push(...coversErrors(task, context.coverable));
    const deps = Array.isArray(task.depends_on) ? task.depends_on : [];
    for (const dep of deps)
      if (typeof dep === 'string' && !passed.has(dep) && !newIds.has(dep))
        errors.push(
          `task "${String(task.id)}": depends_on "${dep}", which is ${taken.has(dep) ? 'replaced by this plan' : 'no task'}: depend on passed tasks or new ones`,
        );
  }
  if (errors.length > 0) return { ok: false, errors };
  // The validator sees the new tasks with the passed ones they may name (those without edges).
  const stubs = context.passed.map((t) => ({ id: t.id, title: t.title, allow_empty: true }));
  const shaped = list.map((task) => (isRecord(task) ? withTemplate(task, templates) : task));
  const document = stringify({ agent: context.agent, tasks: [...shaped, ...stubs] }, { lineWidth: 0 });
  const checked = validatePlan(document, {
    file: 'the new plan',
    ...(context.repoRoot === undefined ? {} : { repoRoot: context.repoRoot }),
    ...(context.home === undefined ? {} : { home: context.home }),
    ...(context.pathExists === undefined ? {} : { pathExists: context.pathExists }),
  });
  if (!checked.ok) return { ok: false, errors: checked.issues.map(formatPlanIssue) };
  return { ok: true, tasks: checked.plan.tasks.filter((t) => !passed.has(t.id)) };
}

/** The keys a planner may write; the rest of a task (backend, sandbox, checks, budgets) is the person's. */
const PLANNER_KEYS = new Set([
  'id',
  'title',
  'description',
  'depends_on',
  'deliverables',
  'acceptance_criteria',
  'context_files',
  'estimate_s',
  'allow_empty',
  'agent',
  'like',
  'covers',
]);

/** What is wrong with a new task's `covers`: ids the run's spec criteria do not include, or any without a spec. */
function coversErrors(task: Record<string, unknown>, coverable: readonly string[] | undefined): string[] {
  if (task.covers === undefined) return [];
  const name = `task "${String(task.id)}"`;
  if (coverable === undefined)
    return [
      `${name}: \`covers\` names a spec's acceptance criteria, and this run is from no spec: leave it out`,
    ];
  if (!Array.isArray(task.covers)) return [`${name}: \`covers\` is a list of acceptance-criterion ids`];
  const known = new Set(coverable);
  return (task.covers as unknown[]).flatMap((id) =>
    typeof id === 'string' && known.has(id)
      ? []
      : [
          `${name}: covers ${JSON.stringify(id)}, which is no acceptance criterion of this run (known: ${[...known].join(', ') || '(none)'})`,
        ],
  );
}

/** A new task with `like: <task>` takes that task's agent, backend settings, sandbox, checks and budgets. */
function withTemplate(
  task: Record<string, unknown>,
  templates: ReadonlyMap<string, PlanTask>,
): Record<string, unknown> {
  const { like, ...rest } = task;
  const template = typeof like === 'string' ? templates.get(like) : undefined;
  if (!template) return rest;
  const inherited: Record<string, unknown> = {};
  for (const key of ['agent', 'agent_config', 'sandbox', 'verifiers', 'budgets'] as const)
    if (template[key] !== undefined) inherited[key] = template[key];
  return { ...inherited, ...rest };
}

function lastYamlBlock(text: string): string {
  const blocks = [...text.matchAll(/```(?:ya?ml)?\s*\n([\s\S]*?)```/gi)];
  return blocks.at(-1)?.[1] ?? text;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
