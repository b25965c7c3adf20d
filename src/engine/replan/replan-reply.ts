import { parse, stringify } from 'yaml';
import type { PlanTask } from '../../domain/index.js';
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
    repoRoot?: string;
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
  const taken = new Set(context.takenIds);
  const passed = new Set(context.passed.map((t) => t.id));
  const newIds = new Set(list.flatMap((t) => (isRecord(t) && typeof t.id === 'string' ? [t.id] : [])));
  const errors: string[] = [];
  for (const task of list) {
    if (!isRecord(task)) continue;
    if (typeof task.id === 'string' && taken.has(task.id))
      errors.push(
        `task "${task.id}": the id is taken (every id the run has had stays its own); pick a new one`,
      );
    if (typeof task.agent === 'string' && !context.agents.includes(task.agent))
      errors.push(
        `task "${String(task.id)}": unknown agent "${task.agent}" (known: ${context.agents.join(', ')})`,
      );
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
  const document = stringify({ agent: context.agent, tasks: [...list, ...stubs] }, { lineWidth: 0 });
  const checked = validatePlan(document, {
    file: 'the new plan',
    ...(context.repoRoot === undefined ? {} : { repoRoot: context.repoRoot }),
  });
  if (!checked.ok) return { ok: false, errors: checked.issues.map(formatPlanIssue) };
  return { ok: true, tasks: checked.plan.tasks.filter((t) => !passed.has(t.id)) };
}

function lastYamlBlock(text: string): string {
  const blocks = [...text.matchAll(/```(?:ya?ml)?\s*\n([\s\S]*?)```/gi)];
  return blocks.at(-1)?.[1] ?? text;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
