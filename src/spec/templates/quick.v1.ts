import { REQUIREMENTS_FORMAT } from '../requirements.js';
import type { PromptTemplate } from './template.js';
import { ANSWER_ONLY, join, section } from './template.js';
import { MODEL_TASK_KEYS } from './tasks.v1.js';

/** `gaffer spec run --quick`: a small change's requirements and plan in one answer, no design. */
export const quickV1: PromptTemplate = {
  name: 'quick',
  version: 1,
  render: (inputs) =>
    join([
      ANSWER_ONLY,
      `The feature below (spec "${inputs.specId}") is a small change: write its requirements and its task plan in one reply, without a design. Each task runs as one coding-agent session in its own git worktree of the repository, is checked by the repository's tests and a reviewer, and is merged.`,
      section('Feature', inputs.feature),
      section('Repository', inputs.repoMap),
      section(
        'Your reply',
        `Two blocks, in this order.

1. One \`\`\`markdown block holding requirements.md:
# Requirements: <feature title>

${REQUIREMENTS_FORMAT}

Number the stories US-1, … and the criteria of US-n as AC-n.1, …; each criterion one testable sentence in EARS form ("WHEN <trigger> THE SYSTEM SHALL <response>", or WHILE / IF … THEN / WHERE, or plain "THE SYSTEM SHALL"). A small change is one story with one to three criteria.

2. One \`\`\`yaml block holding the plan:
name: ${inputs.specId}
tasks:
  - id: short-task-id
    title: …
    description: …               # what to do, concretely, naming files
    deliverables: [path/to/file.ts]
    covers: [AC-1.1]             # the acceptance criteria this task serves

Allowed task keys: ${MODEL_TASK_KEYS.join(', ')}; top-level keys: name and tasks only. Every acceptance criterion must be covered by a task. One or two tasks. At most ${inputs.maxChars} characters in all.`,
      ),
    ]),
};
