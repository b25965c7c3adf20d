import { parse, stringify } from 'yaml';
import type { Plan, PlanIssue } from '../domain/index.js';
import { formatPlanIssue, validatePlan } from '../plan/index.js';
import { lastFencedBlock } from './answer-blocks.js';
import { coverageGaps } from './coverage.js';
import { MODEL_TASK_KEYS } from './templates/index.js';

/** The tasks phase's answer read: the plan file's text, and whether (and why not) it can run. */
export interface PlanReply {
  /** plan.yaml as it would be written: the spec's settings, then the model's block as it wrote it. */
  text: string;
  plan: Plan | undefined;
  /** Problems, each with its line in the model's own block (what goes back to it). */
  forModel: string[];
  /** The same problems at their line in `text` (what a person reading plan.yaml.partial sees). */
  forPerson: string[];
  /** Acceptance criteria no task covers (only when the plan validates). */
  gaps: string[];
}

const TOP_KEYS = new Set(['name', 'tasks']);
const TASK_KEYS = new Set<string>(MODEL_TASK_KEYS);

/**
 * Reads the plan from a tasks-phase answer (its last ```yaml block, else the whole answer) and
 * checks it with the plan validator, the same as a hand-written plan, with the spec's criteria
 * known so that `covers` names only real ones. The model writes only `name` and `tasks`, and tasks
 * only the work (MODEL_TASK_KEYS): what tasks may do comes from spec.yaml's `plan:` settings,
 * which are put above its block in the file so its line numbers stay its own.
 */
export function readPlanReply(
  answer: string,
  context: {
    settings: Record<string, unknown>;
    criteria: readonly string[];
    file: string;
    repoRoot?: string;
  },
): PlanReply {
  const block = (lastFencedBlock(answer, ['yaml', 'yml']) ?? answer).trimEnd() + '\n';
  const header = `# Written by gaffer spec (tasks phase). The settings come from spec.yaml's plan:, the tasks from the model.\n${
    Object.keys(context.settings).length === 0 ? '' : stringify(context.settings, { lineWidth: 0 })
  }`;
  const text = header + block;
  const offset = header.split('\n').length - 1;
  const refused = refusedKeys(block);
  const checked = validatePlan(text, {
    file: context.file,
    knownCriteria: context.criteria,
    ...(context.repoRoot === undefined ? {} : { repoRoot: context.repoRoot }),
  });
  const issues: PlanIssue[] = checked.ok ? [] : checked.issues;
  const forModel = [
    ...refused,
    ...issues.map((i) =>
      formatPlanIssue({ ...i, file: 'your YAML block', line: Math.max(1, i.line - offset) }),
    ),
  ];
  const forPerson = [...refused, ...issues.map(formatPlanIssue)];
  const plan = checked.ok && refused.length === 0 ? checked.plan : undefined;
  return { text, plan, forModel, forPerson, gaps: plan ? coverageGaps(context.criteria, plan.tasks) : [] };
}

/** Keys the model may not write, one message each (a model's plan shapes the work, never its reach). */
function refusedKeys(block: string): string[] {
  let raw: unknown;
  try {
    raw = parse(block);
  } catch {
    return []; // the validator reports the syntax error with its position
  }
  if (!isRecord(raw)) return [];
  const out = Object.keys(raw)
    .filter((k) => !TOP_KEYS.has(k))
    .map(
      (k) =>
        `\`${k}\` cannot be set by the plan's author (top-level keys: name, tasks); spec.yaml's plan: holds the settings`,
    );
  const tasks = Array.isArray(raw.tasks) ? (raw.tasks as unknown[]) : [];
  for (const task of tasks)
    if (isRecord(task))
      for (const key of Object.keys(task))
        if (!TASK_KEYS.has(key))
          out.push(
            `task "${String(task.id)}": \`${key}\` cannot be set here (allowed: ${MODEL_TASK_KEYS.join(', ')})`,
          );
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
