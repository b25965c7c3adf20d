import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

// Independent tasks, so each run adds and removes several worktrees and merges several times
// while the other does the same in the same repository.
const PLAN = `agent: script
autonomy: full_auto
tasks:
${['a', 'b', 'c', 'd']
  .map(
    (id) => `  - id: ${id}
    title: Task ${id}
    agent_config: { steps: [ { write: { path: ${id}.txt, content: "${id}\\n" } } ] }`,
  )
  .join('\n')}
`;

let repo: string | undefined;
afterEach(() => {
  if (repo !== undefined) rmSync(repo, { recursive: true, force: true });
});

describe('two gaffer run started at once in one repository', () => {
  it('both finish, each with its own integration branch, and leave git consistent', async () => {
    repo = makeRepo({ 'plan.yaml': PLAN });
    const dir = repo;
    // Both start on a repository that has no .gaffer yet, so they also race to create the store.
    const results = await Promise.all([runCli(['run', 'plan.yaml'], dir), runCli(['run', 'plan.yaml'], dir)]);
    for (const result of results) expect(result.code, result.stderr + result.stdout).toBe(0);

    const branches = git(dir, 'branch', '--list', 'gaffer/*', '--format=%(refname:short)').split('\n');
    expect(branches).toHaveLength(2);
    for (const branch of branches) {
      const files = git(dir, 'ls-tree', '--name-only', branch).split('\n');
      expect(files.sort(), branch).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'plan.yaml']);
    }
    // Every worktree git knows of still exists (none half-added or half-removed), and the
    // main checkout was not touched.
    expect(git(dir, 'worktree', 'prune', '--dry-run', '--verbose')).toBe('');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'fsck', '--no-progress', '--no-dangling')).toBe('');
  });
});
