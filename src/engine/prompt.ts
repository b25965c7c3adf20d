import type { AttemptKind, PlanTask } from '../domain/index.js';
import { KNOWLEDGE_INSTRUCTION } from './knowledge/report-block.js';

export interface PromptInput {
  task: PlanTask;
  kind: AttemptKind;
  attemptNumber: number;
  /** Why the previous attempt was sent back: verifier output, conflicts, agent error. */
  feedback?: string | null;
  /** Repository instructions (AGENTS.md / CLAUDE.md), already read. */
  instructions?: string;
  protectedPaths: readonly string[];
  /** What earlier tasks of the run did (rendered by renderKnowledge); empty or absent: nothing yet. */
  knowledge?: string;
}

const bullet = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');

/**
 * The prompt of one attempt. The parts that stay the same across a run come first (rules,
 * repository instructions), the task next and the feedback last, so providers that cache
 * prompt prefixes can reuse the start.
 */
export function buildPrompt(input: PromptInput): string {
  const { task } = input;
  const sections: string[] = [
    [
      'You are working on one task of a larger plan, in a git worktree of your own.',
      'Change only what the task needs; do not commit, push or switch branches: Gaffer commits for you.',
      `These paths are protected and any change to them is reverted: ${input.protectedPaths.join(', ')}.`,
      KNOWLEDGE_INSTRUCTION,
    ].join('\n'),
  ];
  if (input.instructions?.trim()) sections.push(`## Repository instructions\n${input.instructions.trim()}`);
  sections.push(
    `## Task ${task.id}: ${task.title}` + (task.description.trim() ? `\n${task.description.trim()}` : ''),
  );
  if (task.acceptance_criteria.length)
    sections.push(`## Acceptance criteria\n${bullet(task.acceptance_criteria)}`);
  if (task.deliverables.length)
    sections.push(`## Deliverables (must exist when you finish)\n${bullet(task.deliverables)}`);
  if (task.context_files.length) sections.push(`## Files worth reading first\n${bullet(task.context_files)}`);
  if (input.knowledge?.trim()) sections.push(input.knowledge.trim());
  if (input.kind === 'rework' && input.feedback) {
    sections.push(
      `## Rework (attempt ${input.attemptNumber})\nYour previous attempt did not pass. Fix what is reported below; your earlier changes are still in the worktree.\n\n${input.feedback}`,
    );
  }
  if (input.kind === 'resume') {
    sections.push(
      `## Resumed (attempt ${input.attemptNumber})\nA previous attempt was interrupted. The worktree holds whatever it had done so far: check it, then finish the task.` +
        (input.feedback ? `\n\nThe interrupted attempt was fixing this:\n\n${input.feedback}` : ''),
    );
  }
  if (input.kind === 'retry') {
    sections.push(
      `## Retried (attempt ${input.attemptNumber})\nThe previous attempt stopped on a transient failure (a rate limit, an outage or a crash), not on its work. The worktree holds whatever it had done so far: check it, then finish the task.` +
        (input.feedback ? `\n\nIt was fixing this:\n\n${input.feedback}` : ''),
    );
  }
  return sections.join('\n\n') + '\n';
}
