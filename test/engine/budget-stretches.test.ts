import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { loadSpend, runSpend } from '../../src/engine/budget/index.js';
import { openStore } from '../../src/store/index.js';
import { makeRepo } from '../support/repo.js';

describe('the run wall time of a budget', () => {
  it('counts every drive stretch — first start, resume, take-over after a kill — and not the time between', async () => {
    const repo = makeRepo({
      'plan.yaml': 'agent: script\ntasks:\n  - id: a\n    title: A\n',
    });
    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    try {
      const engine = createEngine({ store });
      const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
      const append = (type: 'run.started' | 'run.resumed' | 'run.paused' | 'task.ready') =>
        store.transaction((tx) =>
          tx.appendEvent(
            type === 'run.paused'
              ? { type, runId: run.id, data: { reason: 'x', by: 'user' } }
              : type === 'task.ready'
                ? { type, runId: run.id, taskId: 'a', data: {} }
                : type === 'run.started'
                  ? { type, runId: run.id, data: { ownerId: 'o', resumed: false } }
                  : { type, runId: run.id, data: { ownerId: 'o' } },
          ),
        );
      await append('run.started');
      await append('run.paused');
      await append('run.resumed');
      await append('task.ready'); // the last thing the killed engine wrote
      await append('run.resumed'); // a take-over
      const events = await store.readEvents({ runId: run.id });
      const at = (i: number) => Date.parse(events.filter((e) => e.type !== 'run.created')[i]?.at ?? '');
      const stored = await loadSpend(store, run);
      expect(stored.stretches).toEqual([
        [at(0), at(1)],
        [at(2), at(3)],
        [at(4), null],
      ]);
      const now = at(4) + 5000;
      expect(runSpend(stored, now).wall_time_s).toBeCloseTo((at(1) - at(0) + at(3) - at(2) + 5000) / 1000, 5);
    } finally {
      await store.close();
    }
  });
});
