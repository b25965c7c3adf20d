import type { PromptTemplate } from './template.js';
import { ANSWER_ONLY, join, revisionSection, section } from './template.js';

/** The keys a task of the generated plan may have: the work, never what it may do. */
export const MODEL_TASK_KEYS = [
  'id',
  'title',
  'description',
  'depends_on',
  'deliverables',
  'acceptance_criteria',
  'context_files',
  'estimate_s',
  'allow_empty',
  'covers',
] as const;

/** The tasks phase: the plan Gaffer runs, each task citing the criteria it serves. */
export const tasksV1: PromptTemplate = {
  name: 'tasks',
  version: 1,
  render: (inputs) =>
    join([
      ANSWER_ONLY,
      `Write the task plan for the feature below (spec "${inputs.specId}"). Each task runs as one coding-agent session in its own git worktree of the repository, is checked by the repository's tests and a reviewer, and is merged; tasks without a dependency between them run in parallel.`,
      section('Feature', inputs.feature),
      section('Requirements', inputs.requirements),
      section('Design', inputs.design),
      section('Repository', inputs.repoMap),
      section('Acceptance criteria to cover', inputs.criteria?.join(', ')),
      revisionSection(inputs, 'plan'),
      section(
        'Your reply',
        `One \`\`\`yaml block holding the plan:
\`\`\`yaml
name: ${inputs.specId}
tasks:
  - id: short-task-id            # letters, digits and dashes
    title: …
    description: …               # what to do, concretely, naming files
    depends_on: [other-task-id]
    deliverables: [path/to/file.ts]
    acceptance_criteria: [ … ]   # what the reviewer checks, in words
    context_files: [path/to/read.ts]
    covers: [AC-1.1]             # the acceptance criteria this task serves
\`\`\`
Allowed task keys: ${MODEL_TASK_KEYS.join(', ')}; top-level keys: name and tasks only. Every acceptance criterion must be covered by at least one task. In proportion to the work: as few tasks as make sense. At most ${inputs.maxChars} characters.`,
      ),
    ]),
};
