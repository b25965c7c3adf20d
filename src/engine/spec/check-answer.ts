import type { SpecConfig, SpecPhase } from '../../spec/index.js';
import {
  formatRequirementsIssue,
  markdownOf,
  markdownProblems,
  parseRequirements,
  readPlanReply,
} from '../../spec/index.js';

/**
 * The headings a design must have: its title and the first and last of the template's sections.
 * Together they bracket the document, so an answer read only up to a fence that belonged to a
 * code block inside it misses at least the last; the sections between may be folded together
 * in a small change's short design.
 */
const DESIGN_SECTIONS = [
  { heading: /^#\s+Design\b/i, name: '# Design: …' },
  { heading: /^##\s+Architecture\b/i, name: '## Architecture' },
  { heading: /^##\s+Risks\b/i, name: '## Risks' },
];

/** A phase's answer checked: the file it makes, and what is wrong with it (for the model and for a person). */
export interface CheckedAnswer {
  output: string;
  /** Problems that make it unusable, worded for the model (locations in its own block). */
  problems: string[];
  /** The same problems at their place in the file written, for a person. */
  shown: string[];
  /** Acceptance criteria no task covers: sent back while rounds remain, reported when none do. */
  gaps: string[];
}

/** What an answer is checked against: the spec's settings and criteria, and where the plan goes. */
export interface AnswerContext {
  config: SpecConfig;
  criteria: readonly string[];
  planFile: string;
  repoRoot: string;
}

/**
 * Reads and checks one answer of `phase` (size, then the phase's own format). `cut`: the session
 * was stopped once its text passed the cap it is collected with (the answer goes on past it).
 */
export function checkAnswer(
  phase: SpecPhase,
  text: string,
  context: AnswerContext,
  cut = false,
): CheckedAnswer {
  const max = context.config.max_output_chars;
  if (cut || text.length > max) {
    const problem = cut
      ? `the answer was stopped after ${text.length} characters, far above the limit of ${max}: write it shorter`
      : `the answer is ${text.length} characters, above the limit of ${max}: write it shorter`;
    return { output: text, problems: [problem], shown: [problem], gaps: [] };
  }
  if (phase === 'requirements') {
    const output = markdownOf(text);
    const parsed = parseRequirements(output);
    const problems = [
      ...markdownProblems(text, 'requirements.md', []),
      ...(parsed.ok ? [] : parsed.issues.map(formatRequirementsIssue)),
    ];
    return { output, problems, shown: problems, gaps: [] };
  }
  if (phase === 'design') {
    const output = markdownOf(text);
    const problems = markdownProblems(text, 'design.md', DESIGN_SECTIONS);
    return { output, problems, shown: problems, gaps: [] };
  }
  const reply = readPlanReply(text, {
    settings: context.config.plan,
    criteria: context.criteria,
    file: context.planFile,
    repoRoot: context.repoRoot,
  });
  // plan.yaml is written from what was read, with spec.yaml's settings: the reply's own size does
  // not bound it, so the file is measured too.
  const tooBig =
    reply.text.length > max
      ? [
          `the plan.yaml it makes is ${reply.text.length} characters, above the limit of ${max}: write it shorter`,
        ]
      : [];
  return {
    output: reply.text,
    problems: [...tooBig, ...reply.forModel],
    shown: [...tooBig, ...reply.forPerson],
    gaps: reply.gaps,
  };
}
