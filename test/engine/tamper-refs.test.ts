import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { git, makeRepo } from '../support/repo.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/**
 * A hostile agent: from its worktree it moves the user's main branch, points the repository's
 * hooks elsewhere and plants a hook in the main .git — then does its task. Argv: repo root, commit.
 */
const AGENT = `
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [root, other] = process.argv.slice(2);
const git = (...args) => execFileSync('git', args, { stdio: 'ignore' });
git('update-ref', 'refs/heads/main', other);
git('-C', root, 'config', 'core.hooksPath', '/tmp/agent-hooks');
writeFileSync(join(root, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\\necho pwned\\n');
chmodSync(join(root, '.git', 'hooks', 'post-checkout'), 0o755);
writeFileSync('done.txt', 'did the task\\n');
`;

describe('an agent that bends the repository', () => {
  it('is reported, undone byte for byte, and its attempt does not pass', async () => {
    const repo = makeRepo({ 'agent.mjs': AGENT, 'README.md': '# demo\n' });
    git(repo, 'checkout', '-q', '-b', 'side');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'not for main');
    const other = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', 'main');
    const main = git(repo, 'rev-parse', 'main');
    // Without the OS sandbox (which keeps .git read-only): Gaffer must hold on its own.
    const plan = `agent: command
sandbox: off
max_rework: 0
agents:
  command: { argv: [${JSON.stringify(process.execPath)}, agent.mjs, ${JSON.stringify(repo)}, ${other}] }
verifiers:
  commands: { test: "node -e 0" }
tasks:
  - id: bend
    title: Do the task, and more
`;
    // Untracked, so the base stays clean; it names the commit the agent moves main to.
    const planPath = join(repo, 'plan.yaml');
    writeFileSync(planPath, plan);
    store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    const engine = createEngine({ store, controlPollMs: 50 });
    const run = await engine.createRun({ planPath, cwd: repo });
    const config = readFileSync(join(repo, '.git', 'config'));
    const final = await engine.driveRun(run.id);

    expect(git(repo, 'rev-parse', 'main')).toBe(main);
    expect(readFileSync(join(repo, '.git', 'config'))).toEqual(config);
    expect(existsSync(join(repo, '.git', 'hooks', 'post-checkout'))).toBe(false);

    const events = await store.readEvents({ runId: run.id, types: ['attempt.repository-tampered'] });
    expect(events).toHaveLength(1);
    const changes = events[0]?.type === 'attempt.repository-tampered' ? events[0].data.changes : [];
    expect(changes.map((c) => [c.kind, c.name, c.undone])).toEqual([
      ['ref-moved', 'refs/heads/main', true],
      ['config-changed', 'config', true],
      ['hook-added', 'hooks/post-checkout', true],
    ]);

    const view = await engine.runView(run.id);
    expect(final.status).toBe('failed');
    expect(view.tasks[0]?.status).toBe('blocked');
    expect(view.attempts[0]).toMatchObject({ status: 'failed' });
    expect(view.attempts[0]?.error).toContain(
      `the agent moved refs/heads/main from ${main.slice(0, 12)} to ${other.slice(0, 12)}; undone`,
    );
    expect(git(repo, 'rev-list', '--count', `main..${run.integrationBranch}`)).toBe('0');
  });
});
