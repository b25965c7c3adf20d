import type { PromptTemplate } from './template.js';
import { ANSWER_ONLY, join, revisionSection, section } from './template.js';

/** The design phase: how the requirements will be met in this repository. */
export const designV1: PromptTemplate = {
  name: 'design',
  version: 1,
  render: (inputs) =>
    join([
      ANSWER_ONLY,
      `Write the design of the feature below (spec "${inputs.specId}") for the repository mapped under "Repository": build on the code that is there.`,
      section('Feature', inputs.feature),
      section('Requirements', inputs.requirements),
      section('Repository', inputs.repoMap),
      revisionSection(inputs, 'design'),
      section(
        'Your reply',
        `One \`\`\`markdown block holding the whole design.md, with these sections:
# Design: <feature title>
## Architecture
## Components   (files to add or change, and why; name existing ones by path)
## Interfaces   (functions, types, commands, endpoints)
## Data
## Risks
Cite the acceptance criteria (AC-1.1, …) each part serves. In proportion to the work: a small change gets a short design. At most ${inputs.maxChars} characters.`,
      ),
    ]),
};
