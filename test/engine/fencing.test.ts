import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

const PLAN = `agent: script
tasks:
  - id: slow
    title: Works for a while
    agent_config: { steps: [ { sleep_ms: 400 }, { write: { path: slow.txt, content: "s" } } ] }
`;

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('writes after a lost lease', () => {
  it('are refused by the fencing token, even before the engine notices it lost the lease', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN });
    const db = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    store = db;
    // The heartbeat never runs in this test: like an engine frozen by SIGSTOP, it cannot notice.
    const frozen = createEngine({
      store: db,
      ownerId: 'frozen:1:a',
      heartbeatMs: 600_000,
      leaseTtlMs: 600_000,
    });
    const run = await frozen.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    const driving = frozen.driveRun(run.id);
    driving.catch(() => undefined); // awaited below
    await waitFor(
      async () => (await db.readEvents({ runId: run.id, types: ['attempt.running'] })).length > 0,
      'the attempt to be running',
    );

    const taken = await db.acquireLease(run.id, 'other:2:b', 600_000, { takeOverFrom: 'frozen:1:a' });
    expect(taken?.token).toBe(2);
    const before = await db.lastEventId(run.id);

    await expect(driving).rejects.toMatchObject({
      message: expect.stringContaining('no longer driven') as string,
    });
    // Not one write of the frozen engine got through after the take-over.
    expect(await db.readEvents({ runId: run.id, afterId: before })).toEqual([]);
    expect((await db.getTask(run.id, 'slow'))?.status).toBe('running');
    expect((await db.listAttempts(run.id)).map((a) => a.status)).toEqual(['running']);
    expect(await db.getLease(run.id)).toMatchObject({ ownerId: 'other:2:b', token: 2 });
  });
});
