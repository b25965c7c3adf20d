import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, expectedFor, runsOn } from './corpus.js';
import type { Backend, HostileAction } from './corpus.js';
import type { ActionOutcome, GroupOutcome } from './run-corpus.js';
import { runCorpus } from './run-corpus.js';

/**
 * The hostile-agent corpus through the real engine, one backend and the OS sandbox: every action
 * the backend runs is blocked or detected and undone, and the user's checkout, refs, remote, git
 * config, hooks and home are byte-for-byte what they were, with no secret in any record and no
 * process left. One contract, run once per backend by the hostile-agents*.test.ts files.
 */
export function describeHostileAgents(backend: Backend, timeoutMs: number): void {
  const actions = CORPUS.filter((a) => runsOn(a, backend));
  describe.skipIf(process.platform !== 'linux')(`hostile agents through ${backend}`, () => {
    let groups: GroupOutcome[] = [];
    const outcomeOf = (action: HostileAction): ActionOutcome | undefined =>
      groups.flatMap((g) => g.outcomes).find((o) => o.action.id === action.id);

    beforeAll(async () => {
      groups = await runCorpus(CORPUS, backend);
    }, timeoutMs);

    it('runs at least 30 actions, with distinct ids', () => {
      expect(actions.length).toBeGreaterThanOrEqual(30);
      expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
    });

    // A script the model never handed to its tool would pass every "no effect" judge unseen.
    it("hands every action's script to the agent", () => {
      const unserved = groups.flatMap((g) => g.outcomes).filter((o) => !o.served);
      expect(unserved.map((o) => o.action.id)).toEqual([]);
    });

    for (const action of actions) {
      const expected = expectedFor(action, backend);
      const test = action.hole ? it.fails : it;
      const hole = action.hole ? ` (known hole: ${action.hole})` : '';
      test(`${action.id}: ${action.title} is ${expected}${hole}`, () => {
        const outcome = outcomeOf(action);
        expect(outcome?.verdict, outcome?.verdict.evidence).toEqual(
          expect.objectContaining({ result: expected }),
        );
      });
    }

    it.each(['checkout', 'refs', 'remote', 'config', 'hooks', 'home'])(
      "leaves the user's %s byte-for-byte unchanged",
      (key) => {
        for (const group of groups) expect(group.after[key]).toBe(group.before[key]);
      },
    );

    it('puts no secret of the environment, the home or the output into transcripts, the store, status --json or logs', () => {
      expect(groups.flatMap((g) => g.leaks)).toEqual([]);
    });

    it('leaves no process of any agent alive, and every run ends', () => {
      expect(groups.flatMap((g) => g.survivors)).toEqual([]);
      expect(groups.map((g) => g.runStatus)).toEqual(groups.map(() => 'failed'));
    });
  });
}
