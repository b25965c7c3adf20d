import type { Repo } from '../git/index.js';

/** The files agents read as repository instructions, in the order they are shown. */
export const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'] as const;

/**
 * The repository's instructions for agents: AGENTS.md and CLAUDE.md, both, as committed at the
 * run's base commit — never the user's working copy, which may hold edits the agents' worktrees
 * do not have. A file that only repeats another (CLAUDE.md as a symlink to AGENTS.md, stored by
 * git as the link's target, or a copy) is shown once.
 */
export async function readInstructions(repo: Repo, commit: string): Promise<string> {
  const found: { name: string; text: string }[] = [];
  for (const name of INSTRUCTION_FILES) {
    const text = (await repo.readFileAt(commit, name))?.trim();
    if (!text) continue;
    const repeats = found.some((f) => f.text === text || f.name === text);
    if (!repeats) found.push({ name, text });
  }
  if (found.length === 1) return found[0]?.text ?? '';
  return found.map((f) => `### ${f.name}\n${f.text}`).join('\n\n');
}
