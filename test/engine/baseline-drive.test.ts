import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { GafferError } from '../../src/domain/index.js';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { processesInDir } from '../../src/process/processes-in-dir.js';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The check says it started (its pid in $GAFFER_TEST_MARK), then holds while $GAFFER_TEST_HOLD
 * exists, and fails while the environment lacks $GAFFER_TEST_TOOL: a slow check, and one that
 * depends on the machine rather than the commit.
 */
const CHECK = `import { existsSync, writeFileSync } from 'node:fs';
if (process.env.GAFFER_TEST_MARK) writeFileSync(process.env.GAFFER_TEST_MARK, String(process.pid));
while (process.env.GAFFER_TEST_HOLD && existsSync(process.env.GAFFER_TEST_HOLD))
  await new Promise((resolve) => setTimeout(resolve, 20));
if (!process.env.GAFFER_TEST_TOOL) {
  console.error('gaffer-test-tool: command not found');
  process.exit(1);
}
`;

// The check reports through files outside the worktree: the sandbox must let it write there.
const plan = (scratch: string) => `agent: script
sandbox: { writable: [${JSON.stringify(scratch)}] }
verifiers: { commands: { test: "node check.mjs" } }
tasks:
  - id: a
    title: Adds a file
    agent_config: { steps: [ { write: { path: a.txt, content: "A" } } ] }
`;

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function setUp() {
  const scratch = mkdtempSync(join(tmpdir(), 'gaffer-baseline-drive-'));
  const repo = makeRepo({ 'plan.yaml': plan(scratch), 'check.mjs': CHECK });
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  stores.push(store);
  const files = { mark: join(scratch, 'started'), hold: join(scratch, 'hold') };
  const { GAFFER_TEST_TOOL: _unset, ...parent } = process.env;
  const env = (extra: Record<string, string>) => ({
    ...parent,
    GAFFER_TEST_MARK: files.mark,
    GAFFER_TEST_HOLD: files.hold,
    ...extra,
  });
  const engine = (extra: Record<string, string> = {}) =>
    createEngine({ store, env: env(extra), controlPollMs: 25 });
  const run = await engine().createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  return { repo, store, run, files, engine };
}

const count = async (store: Store, runId: string, type: string) =>
  (await store.readEvents({ runId })).filter((e) => e.type === type).length;

describe('the baseline runs under the drive’s lease', () => {
  it('`gaffer retry` finishes a run whose base failed for an environment reason, once it is fixed', async () => {
    const { store, run, engine } = await setUp();
    const error = await engine()
      .driveRun(run.id)
      .catch((e: unknown) => e);
    expect(GafferError.isInstance(error) && error.code).toBe('GAFFER_BASELINE_FAILED');
    expect(GafferError.isInstance(error) && error.hint).toContain(`gaffer retry ${run.id}`);
    expect((await store.getRun(run.id))?.status).toBe('failed');
    expect(await store.listAttempts(run.id)).toEqual([]);

    // The tool is installed now: the retry checks the base again, then runs the task.
    const fixed = engine({ GAFFER_TEST_TOOL: '1' });
    expect((await fixed.retryRun(run.id)).status).toBe('paused');
    const done = await fixed.driveRun(run.id);
    expect(done.status).toBe('completed');
    expect(await count(store, run.id, 'run.baseline-completed')).toBe(2);
    expect((await store.listTasks(run.id)).map((t) => t.status)).toEqual(['passed']);
  });

  it('a pause from another terminal stops the baseline’s check; the resume checks the base again, then works', async () => {
    const { repo, store, run, files, engine } = await setUp();
    writeFileSync(files.hold, '');
    const driving = engine({ GAFFER_TEST_TOOL: '1' }).driveRun(run.id);
    await waitFor(() => existsSync(files.mark), 'the check');

    // Another engine on the same store: the run is driven, so it refuses to drive it too…
    const other = engine({ GAFFER_TEST_TOOL: '1' });
    const second = await other.driveRun(run.id).catch((e: unknown) => e);
    expect(GafferError.isInstance(second) && second.code).toBe('GAFFER_LEASE_HELD');
    // …and its pause reaches the driving engine, which stops the check and starts no task.
    await other.requestPause(run.id, 'paused from another terminal');
    const paused = await driving;
    expect(paused.status).toBe('paused');
    expect(paused.reason).toBe('paused from another terminal');
    // Nothing of the check runs any more in the baseline's checkout (its pid is the sandbox's own).
    expect(await processesInDir(join(repo, '.gaffer', 'baseline'))).toEqual([]);
    expect(await store.listAttempts(run.id)).toEqual([]);
    expect(await count(store, run.id, 'run.baseline-completed')).toBe(0);

    rmSync(files.hold);
    rmSync(files.mark);
    const done = await other.driveRun(run.id);
    expect(done.status).toBe('completed');
    expect(existsSync(files.mark)).toBe(true); // the check ran again on the base
    expect(await count(store, run.id, 'run.baseline-completed')).toBe(1);
  });

  it('Ctrl-C during the baseline pauses the run before any task starts', async () => {
    const { store, run, files, engine } = await setUp();
    writeFileSync(files.hold, '');
    const stop = new AbortController();
    const driving = engine({ GAFFER_TEST_TOOL: '1' }).driveRun(run.id, { signal: stop.signal });
    await waitFor(() => existsSync(files.mark), 'the check');
    stop.abort('interrupted');
    const paused = await driving;
    expect(paused.status).toBe('paused');
    expect(await store.listAttempts(run.id)).toEqual([]);
  });
});
