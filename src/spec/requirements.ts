import { codeLines } from './answer-blocks.js';

/** One acceptance criterion: `AC-<story>.<n>`, in EARS form. */
export interface AcceptanceCriterion {
  id: string;
  text: string;
  line: number;
}

/** One user story `US-<n>` with its acceptance criteria. */
export interface UserStory {
  id: string;
  title: string;
  line: number;
  criteria: AcceptanceCriterion[];
}

/** A problem in requirements.md, at its line. */
export interface RequirementsIssue {
  file: string;
  line: number;
  message: string;
  hint: string;
}

export type RequirementsResult =
  { ok: true; stories: UserStory[] } | { ok: false; issues: RequirementsIssue[]; stories: UserStory[] };

/** The shape requirements.md must have, as told to the model and to a person fixing the file. */
export const REQUIREMENTS_FORMAT = `## US-1: <short title>
As a <role>, I want <capability>, so that <benefit>.

- AC-1.1: WHEN <trigger> THE SYSTEM SHALL <response>
- AC-1.2: IF <unwanted condition> THEN THE SYSTEM SHALL <response>`;

const STORY = /^#{2,3}\s+(US-(\d+))\s*[:.–—-]\s*(\S.*)$/;
const STORY_LIKE = /^#{1,6}\s+\*{0,2}US\b/i;
// A criterion line: a bullet (`-`, `*`, `+`), a number (`1.`, `1)`) or nothing before its id, which
// may be bold on either side of its separator (`**AC-1.1**:`, `**AC-1.1:**`).
const LIST_MARKER = String.raw`(?:[-*+]|\d+[.)])\s+`;
const CRITERION = new RegExp(
  String.raw`^\s*(?:${LIST_MARKER})?\*{0,2}(AC-(\d+)\.(\d+))\*{0,2}\s*[:.–—-]\s*\*{0,2}\s*(\S.*)$`,
);
// Only a listed line is taken for a criterion it cannot read: prose may well start with "AC-1.2 …".
const CRITERION_LIKE = new RegExp(String.raw`^\s*${LIST_MARKER}\*{0,2}AC\b`, 'i');
// EARS: an optional WHEN/WHILE/IF/WHERE clause, then THE SYSTEM SHALL (the ubiquitous form has none).
const EARS = /^(?:(?:WHEN|WHILE|IF|WHERE)\b.*?\bTHE SYSTEM SHALL\b|THE SYSTEM SHALL\b)/i;

/**
 * Reads the user stories and acceptance criteria of a requirements document, collecting every
 * problem with its line: a story heading or criterion line that does not parse, a criterion not
 * in EARS form, a criterion under the wrong story, a duplicate id, a story without criteria, or no
 * story at all. Ids are the document's own (stable across edits), never renumbered here.
 */
export function parseRequirements(text: string, file = 'requirements.md'): RequirementsResult {
  const stories: UserStory[] = [];
  const issues: RequirementsIssue[] = [];
  const seen = new Set<string>();
  const issue = (line: number, message: string, hint: string) => issues.push({ file, line, message, hint });
  const lines = text.split(/\r?\n/);
  // An example inside a code block (a template, a sample story) is not part of the requirements.
  const code = codeLines(lines);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (code[index] === true) return;
    const story = STORY.exec(raw);
    if (story) {
      const [, id = '', , title = ''] = story;
      if (seen.has(id)) issue(line, `${id} appears twice`, 'give each user story its own number');
      seen.add(id);
      stories.push({ id, title: title.trim(), line, criteria: [] });
      return;
    }
    if (STORY_LIKE.test(raw)) {
      issue(line, `cannot read the user story heading "${raw.trim()}"`, 'write it as `## US-1: <title>`');
      return;
    }
    const criterion = CRITERION.exec(raw);
    if (criterion) {
      const [, id = '', storyNumber = '', , body = ''] = criterion;
      const current = stories.at(-1);
      if (!current) {
        issue(
          line,
          `${id} comes before any user story`,
          'put each criterion under its `## US-<n>: …` heading',
        );
        return;
      }
      if (current.id !== `US-${storyNumber}`)
        issue(
          line,
          `${id} is under ${current.id}`,
          `number the criteria of ${current.id} as AC-${current.id.slice(3)}.<n>`,
        );
      if (seen.has(id)) issue(line, `${id} appears twice`, 'give each acceptance criterion its own id');
      seen.add(id);
      if (!EARS.test(body.trim()))
        issue(
          line,
          `${id} is not in EARS form`,
          'write "WHEN <trigger> THE SYSTEM SHALL <response>" (or WHILE/IF/WHERE …, or "THE SYSTEM SHALL …")',
        );
      current.criteria.push({ id, text: body.trim(), line });
      return;
    }
    if (CRITERION_LIKE.test(raw))
      issue(
        line,
        `cannot read the acceptance criterion "${raw.trim()}"`,
        'write it as `- AC-1.1: WHEN … THE SYSTEM SHALL …`',
      );
  });
  if (stories.length === 0)
    issue(1, 'no user stories found', `write each as a heading: ${REQUIREMENTS_FORMAT.split('\n')[0] ?? ''}`);
  for (const story of stories)
    if (story.criteria.length === 0)
      issue(
        story.line,
        `${story.id} has no acceptance criteria`,
        `add lines like \`- AC-${story.id.slice(3)}.1: WHEN … THE SYSTEM SHALL …\``,
      );
  issues.sort((a, b) => a.line - b.line);
  return issues.length === 0 ? { ok: true, stories } : { ok: false, issues, stories };
}

/** Every acceptance-criterion id, in document order. */
export const criterionIds = (stories: readonly UserStory[]) =>
  stories.flatMap((s) => s.criteria.map((c) => c.id));

/** `file:line: message (hint)`, the way every requirements problem is shown. */
export const formatRequirementsIssue = (issue: RequirementsIssue) =>
  `${issue.file}:${issue.line}: ${issue.message} — ${issue.hint}`;
