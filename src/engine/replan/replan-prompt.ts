import type { AttemptRecord, PlanTask, TaskRecord } from '../../domain/index.js';
import { criteriaOfPlan } from '../spec/covered-criteria.js';

/** What the planner is shown: the goal, what passed, what is blocked and why, what is not done. */
export interface ReplanMaterial {
  planName: string;
  tasks: readonly PlanTask[];
  records: readonly TaskRecord[];
  /** Each blocked task's attempts, oldest first. */
  history: ReadonlyMap<string, readonly AttemptRecord[]>;
  /** What passed tasks did, rendered (renderKnowledge, bare). */
  knowledge: string;
  /** Ids no new task may take (every task the run has had). */
  takenIds: readonly string[];
  /** The spec the run is from (`gaffer run --spec`): its tasks cover acceptance criteria. */
  spec?: string;
}

const FEEDBACK_CHARS = 1500;

export const REPLY_FORMAT = `Reply with the tasks that replace the unfinished part, as one YAML block:
\`\`\`yaml
tasks:
  - id: new-task-id          # a new id: not one of the ids listed as taken
    title: …
    description: …
    depends_on: [passed-task, other-new-task]   # passed tasks or your new ones only
    acceptance_criteria: [ … ]
    deliverables: [ … ]
    like: an-existing-task   # optional: run it with that task's agent and settings
\`\`\`
Allowed fields: id, title, description, depends_on, deliverables, acceptance_criteria, context_files, estimate_s, allow_empty, agent (one the plan uses) and like. Keep what still makes sense of the unfinished tasks (under new ids), and change, split or drop the blocked work so that it can be done.`;

/** The planner's prompt for a replan of the unfinished part of a run. */
export function replanPrompt(material: ReplanMaterial): string {
  const status = new Map(material.records.map((r) => [r.taskId, r]));
  const byStatus = (pick: (s: string) => boolean) =>
    material.tasks.filter((t) => pick(status.get(t.id)?.status ?? 'pending'));
  const passed = byStatus((s) => s === 'passed');
  const blocked = byStatus((s) => s === 'blocked');
  const open = byStatus((s) => s !== 'passed' && s !== 'blocked' && s !== 'superseded');
  const sections = [
    'You are the planner of a Gaffer run: tasks run as coding-agent sessions in their own git worktrees, each checked and merged into an integration branch. A task is blocked: write a new plan for the part of the run that is not done. Do not change, create or run anything yourself.',
    `## Goal: plan "${material.planName}"\n${material.tasks
      .filter((t) => status.get(t.id)?.status !== 'superseded')
      .map((t) => `- ${t.id}: ${t.title}`)
      .join('\n')}`,
    `## Passed (kept as they are; new tasks may depend on them)\n${passed.map((t) => `- ${t.id}: ${t.title}`).join('\n') || '(none)'}${material.knowledge ? `\n\n${material.knowledge}` : ''}`,
    `## Blocked\n${blocked.map((t) => blockedSection(t, status.get(t.id), material.history.get(t.id) ?? [])).join('\n\n')}`,
    `## Not done yet (your plan replaces these)\n${open.map((t) => `- ${t.id}: ${t.title}${t.depends_on.length ? ` (after ${t.depends_on.join(', ')})` : ''}${t.description.trim() ? `\n  ${t.description.trim().split('\n').join('\n  ')}` : ''}`).join('\n') || '(none)'}`,
    `## Taken ids\n${material.takenIds.join(', ')}`,
    ...(material.spec === undefined
      ? []
      : [coversSection(material.spec, material.tasks, [...blocked, ...open])]),
    `## Your reply\n${REPLY_FORMAT}`,
  ];
  return sections.join('\n\n') + '\n';
}

/** In a run from a spec: the criteria each replaced task covers, which its replacements keep. */
function coversSection(spec: string, tasks: readonly PlanTask[], replaced: readonly PlanTask[]): string {
  const criteria = criteriaOfPlan({ tasks });
  const covering = replaced.filter((t) => (t.covers ?? []).length > 0);
  return [
    `## Acceptance criteria (this run is from spec "${spec}")`,
    'A task that replaces one of these keeps the criteria it covers: write `covers: [<ids>]` on the new task, with the ids of the task it replaces; their text is added to its acceptance criteria.',
    ...(covering.length
      ? covering.map((t) =>
          [
            `- ${t.id} covers:`,
            ...[...new Set(t.covers)].map((id) => `  - ${id}${criteria[id] ? `: ${criteria[id]}` : ''}`),
          ].join('\n'),
        )
      : ['(no replaced task covers a criterion)']),
  ].join('\n');
}

function blockedSection(
  task: PlanTask,
  record: TaskRecord | undefined,
  attempts: readonly AttemptRecord[],
): string {
  const lines = [
    `### ${task.id}: ${task.title}`,
    ...(task.description.trim() ? [task.description.trim()] : []),
    ...(task.acceptance_criteria.length
      ? ['Acceptance criteria:', ...task.acceptance_criteria.map((c) => `- ${c}`)]
      : []),
    `Why it is blocked: ${record?.reason ?? 'unknown'}`,
    `Its ${attempts.length} attempt(s):`,
    ...attempts.map((a) => `${a.number}. ${a.kind}, ${a.status}${a.error ? `: ${firstLine(a.error)}` : ''}`),
  ];
  const lastFeedback = attempts.findLast((a) => a.feedback)?.feedback;
  if (lastFeedback) lines.push('What its last attempt was told to fix:', cut(lastFeedback));
  return lines.join('\n');
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((l) => l.trim())
    ?.trim() ?? text;
const cut = (text: string) =>
  text.length > FEEDBACK_CHARS ? `${text.slice(0, FEEDBACK_CHARS)}\n(cut)` : text;
