import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { git, makeRepo } from '../support/repo.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const MB = 1024 * 1024;

/** An agent that adds a small file, a 12 MB file, and grows a tracked file to 12 MB. */
const AGENT = `const fs = require('node:fs');
fs.writeFileSync('ok.txt', 'ok');
fs.writeFileSync('big.bin', Buffer.alloc(${12 * MB}, 1));
fs.writeFileSync('data.txt', Buffer.alloc(${12 * MB}, 2));`;

async function runPlan(limits: string) {
  const repo = makeRepo({
    'data.txt': 'small\n',
    'plan.yaml': `agent: command
max_rework: 0
${limits}
agents:
  command: { argv: [node, -e, ${JSON.stringify(AGENT)}] }
autonomy: full_auto
tasks:
  - id: big
    title: Writes big files
`,
  });
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50 });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  const final = await engine.driveRun(run.id);
  const [task] = await store.listTasks(run.id);
  const attempts = await store.listAttempts(run.id);
  const events = await store.readEvents({ runId: run.id, types: ['attempt.limits-exceeded'] });
  return { repo, run, final, task, attempts, events };
}

const filesOn = (repo: string, ref: string) => git(repo, 'ls-tree', '-r', '--name-only', ref).split('\n');

describe('per-attempt size limits', () => {
  it('fails an attempt over limits.max_file_mb, naming the files, and commits the rest without them', async () => {
    const { repo, final, task, attempts, events } = await runPlan('');
    expect(final.status).toBe('failed');
    const [attempt] = attempts;
    expect(attempt?.status).toBe('failed');
    expect(attempt?.failure?.kind).toBe('task_failed');
    expect(attempt?.error).toContain('big.bin, data.txt were not committed');
    expect(attempt?.error).toContain(`- big.bin (12.0 MB (${12 * MB} bytes))`);
    expect(attempt?.error).toContain('raise limits.max_file_mb');
    expect(task?.status).toBe('blocked');
    expect(task?.reason).toContain('big.bin');

    expect(events).toHaveLength(1);
    expect(events[0]?.data).toEqual({
      paths: [
        { path: 'big.bin', bytes: 12 * MB },
        { path: 'data.txt', bytes: 12 * MB },
      ],
      totalBytes: 24 * MB + 2,
      limits: { max_file_mb: 10, max_diff_mb: 100 },
    });

    // Neither the branch nor the worktree the next attempt would continue in carries them.
    const branch = task?.branch ?? '';
    expect(filesOn(repo, branch)).toContain('ok.txt');
    expect(filesOn(repo, branch)).not.toContain('big.bin');
    expect(git(repo, 'show', `${branch}:data.txt`)).toBe('small');
    const worktree = attempt?.worktreePath ?? '';
    expect(existsSync(join(worktree, 'big.bin'))).toBe(false);
    expect(readFileSync(join(worktree, 'data.txt'), 'utf8')).toBe('small\n');
  });

  it('lets the same files through once the plan raises the limit', async () => {
    const { repo, run, final, events } = await runPlan('limits: { max_file_mb: 20 }');
    expect(final.status).toBe('completed');
    expect(events).toEqual([]);
    expect(filesOn(repo, run.integrationBranch)).toContain('big.bin');
  });

  it('holds the total to limits.max_diff_mb, leaving out the largest files', async () => {
    const { repo, final, task, events } = await runPlan('limits: { max_file_mb: 20, max_diff_mb: 15 }');
    expect(final.status).toBe('failed');
    // 24 MB in all: one 12 MB file goes (big.bin before data.txt among equals), 12 MB remain.
    expect(events[0]?.data).toMatchObject({ paths: [{ path: 'big.bin', bytes: 12 * MB }] });
    const branch = task?.branch ?? '';
    expect(filesOn(repo, branch)).not.toContain('big.bin');
    expect(Number(git(repo, 'cat-file', '-s', `${branch}:data.txt`))).toBe(12 * MB);
  });
});
