import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Approval } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

// No checks in these repositories: every result is yellow, and under the default autonomy
// (review_yellow) it waits for a person.
const PLAN = `agent: script
tasks:
  - id: a
    title: Write a
    agent_config: { attempts: [ [ { write: { path: a.txt, content: "first" } } ], [ { write: { path: a.txt, content: "second" } } ] ] }
  - id: b
    title: After a
    depends_on: [a]
    agent_config: { steps: [ { write: { path: b.txt, content: "b" } } ] }
`;

const openApprovals = async (repo: string): Promise<Approval[]> => {
  const listed = await runMain(['approvals', '--json'], repo);
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout) as Approval[];
};

describe('approvals under review_yellow', () => {
  it('a yellow result waits (exit 3), a denial reworks it with the reason, an approval merges it', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN });
    const first = await runMain(['run', 'plan.yaml'], repo);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain('paused: waiting for approval: a');
    expect(first.stdout).toContain('gaffer approve <id>');

    const [waiting, ...others] = await openApprovals(repo);
    expect(others).toEqual([]);
    expect(waiting).toMatchObject({ taskId: 'a', attempt: 1, confidence: 'yellow', open: true });
    const runId = waiting?.runId ?? '';
    const status = await runMain(['status'], repo);
    expect(status.stdout).toContain('1 result waiting for approval:');
    expect(status.stdout).toContain(`[${waiting?.approvalId}] a, attempt 1: yellow; autonomy review_yellow`);
    // Nothing merged yet, and b (which needs a) never started.
    expect(git(repo, 'ls-tree', '--name-only', `gaffer/${runId}`)).not.toContain('a.txt');

    // Bad decisions change nothing.
    const unknown = await runMain(['approve', 'nope'], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no result waits for approval as "nope"');
    const noReason = await runMain(['deny', 'a', '--reason', '  '], repo);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('a denial needs a reason');

    const denied = await runMain(['deny', 'a', '--reason', 'write "second" instead'], repo);
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain(`gaffer resume ${runId}`);
    const again = await runMain(['approve', waiting?.approvalId ?? ''], repo);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('was already denied by person');

    // The rework's result is a new one to decide on.
    const second = await runMain(['resume', runId], repo);
    expect(second.code).toBe(3);
    const [reworked] = await openApprovals(repo);
    expect(reworked).toMatchObject({ taskId: 'a', attempt: 2, open: true });
    expect(reworked?.approvalId).not.toBe(waiting?.approvalId);

    expect((await runMain(['approve', 'a'], repo)).code).toBe(0);
    const third = await runMain(['resume', runId], repo);
    // a merged; b ran and now waits in its turn.
    expect(third.code).toBe(3);
    expect(git(repo, 'show', `gaffer/${runId}:a.txt`)).toBe('second');
    expect((await openApprovals(repo)).map((a) => a.taskId)).toEqual(['b']);
    expect((await runMain(['approve', 'b'], repo)).code).toBe(0);
    expect((await runMain(['resume', runId], repo)).code).toBe(0);

    // The run has ended: its history is still there with --all, with or without naming it.
    expect(await openApprovals(repo)).toEqual([]);
    const named = (await runMain(['approvals', runId, '--all', '--json'], repo)).stdout;
    expect((await runMain(['approvals', '--all', '--json'], repo)).stdout).toBe(named);
    const all = JSON.parse(named) as Approval[];
    expect(all.map((a) => [a.taskId, a.attempt, a.decision?.decision])).toEqual([
      ['a', 1, 'denied'],
      ['a', 2, 'approved'],
      ['b', 1, 'approved'],
    ]);
  });

  it('merges yellow results without asking under full_auto', async () => {
    const repo = makeRepo({ 'plan.yaml': `autonomy: full_auto\n${PLAN}` });
    expect((await runMain(['run', 'plan.yaml'], repo)).code).toBe(0);
    expect(await openApprovals(repo)).toEqual([]);
  });

  it('a decision while the run is driven acts at once, and independent work goes on meanwhile', async () => {
    // c waits for its gate, so the run is still driven when a is approved.
    const gate = join(mkdtempSync(join(tmpdir(), 'gaffer-gate-')), 'open');
    const plan = `agent: script
sandbox: { readable: [${JSON.stringify(dirname(gate))}] }
tasks:
  - id: a
    title: Write a
    agent_config: { steps: [ { write: { path: a.txt, content: "a" } } ] }
  - id: c
    title: Slow
    agent_config: { steps: [ { run: [${JSON.stringify(process.execPath)}, gate.mjs, ${JSON.stringify(gate)}] }, { write: { path: c.txt, content: c } } ] }
`;
    const gateCode = `import { existsSync } from 'node:fs';
const timer = setInterval(() => existsSync(process.argv[2]) && clearInterval(timer), 25);
`;
    const repo = makeRepo({ 'plan.yaml': `autonomy: review_all\n${plan}`, 'gate.mjs': gateCode });
    const run = runMain(['run', 'plan.yaml'], repo);
    const approvalId = await waitFor(async () => {
      const store = await openStore(join(repo, '.gaffer', 'gaffer.db')).catch(() => undefined);
      if (!store) return undefined;
      try {
        const runId = (await store.listRuns())[0]?.id;
        return (
          runId && (await store.getTask(runId, 'a'))?.status === 'awaiting_approval' && `${runId}.a.1.eval`
        );
      } finally {
        await store.close();
      }
    }, 'task a to wait for approval');
    const approved = await runMain(['approve', approvalId], repo);
    expect(approved.stdout).toContain('is running: it merges now');
    const runId = approvalId.split('.')[0] ?? '';
    await waitFor(
      () => git(repo, 'ls-tree', '--name-only', `gaffer/${runId}`).includes('a.txt'),
      'a to merge while c still runs',
    );
    writeFileSync(gate, '');
    // c waits for its own approval (review_all) once it is done: the run pauses for it.
    expect((await run).code).toBe(3);
    expect((await openApprovals(repo)).map((a) => a.taskId)).toEqual(['c']);
  });
});
