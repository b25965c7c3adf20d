import { REQUIREMENTS_FORMAT } from '../requirements.js';
import type { PromptTemplate } from './template.js';
import { ANSWER_ONLY, join, revisionSection, section } from './template.js';

/** The requirements phase: user stories with EARS acceptance criteria, from the feature alone. */
export const requirementsV1: PromptTemplate = {
  name: 'requirements',
  version: 1,
  render: (inputs) =>
    join([
      ANSWER_ONLY,
      `Write the requirements of the feature below (spec "${inputs.specId}").`,
      section('Feature', inputs.feature),
      revisionSection(inputs, 'requirements'),
      section(
        'Your reply',
        `One \`\`\`markdown block holding the whole requirements.md, in this form:
# Requirements: <feature title>

${REQUIREMENTS_FORMAT}

Rules:
- Number the user stories US-1, US-2, … and the criteria of US-n as AC-n.1, AC-n.2, …
- Each criterion is one testable sentence in EARS form: "WHEN <trigger> THE SYSTEM SHALL <response>" (also WHILE, IF … THEN, WHERE, or plain "THE SYSTEM SHALL").
- In proportion to the work: a one-line fix is one story with one or two criteria.
- At most ${inputs.maxChars} characters.`,
      ),
    ]),
};
