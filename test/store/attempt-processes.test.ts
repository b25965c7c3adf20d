import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore, skipDialect } from '../support/stores.js';
import { seedRun } from './contract-helpers.js';
import { makeAttempt } from './fixtures.js';

const agent = { pid: 4242, pgid: 4242, host: 'box', command: 'node agent.mjs', startMark: 'boot:123' };
const check = { pid: 4343, pgid: 4343, host: 'box', command: 'npm test', startMark: null };

for (const dialect of DIALECTS) {
  describe.skipIf(skipDialect(dialect))(`attempt processes on ${dialect}`, () => {
    it('keeps the process groups recorded on an attempt, and leaves them out until there is one', async () => {
      const store = await openTestStore(dialect, mkdtempSync(join(tmpdir(), 'gaffer-processes-')));
      const run = await seedRun(store);
      const attempt = makeAttempt(run.id, 'alpha', 1);
      await store.transaction((tx) =>
        tx.insertAttempt(attempt, {
          type: 'attempt.started',
          runId: run.id,
          taskId: 'alpha',
          attemptId: attempt.id,
          data: { number: 1, kind: 'first', agent: 'script', worktree: '/wt/alpha', branch: attempt.branch },
        }),
      );
      expect(await store.getAttempt(attempt.id)).toEqual(attempt);

      await store.transaction((tx) => tx.updateAttempt(attempt.id, { processes: [agent] }));
      await store.transaction((tx) => tx.updateAttempt(attempt.id, { processes: [agent, check] }));
      expect((await store.getAttempt(attempt.id))?.processes).toEqual([agent, check]);
      expect((await store.listAttempts(run.id))[0]?.processes).toEqual([agent, check]);
    });
  });
}
