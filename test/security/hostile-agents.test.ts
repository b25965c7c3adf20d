import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from './corpus.js';
import type { HostileAction } from './corpus.js';
import type { ActionOutcome, GroupOutcome } from './run-corpus.js';
import { runCorpus } from './run-corpus.js';

/**
 * The hostile-agent corpus through the real engine, the `command` agent and the OS sandbox: every
 * action is blocked or detected and undone, and the user's checkout, refs, remote, git config,
 * hooks and home are byte-for-byte what they were, with no secret in any record. The sandboxed
 * actions share one run (one task each, four at a time); the unsandboxed ones, which test
 * Gaffer's own git guard, run one at a time in an arena of their own.
 */
describe.skipIf(process.platform !== 'linux')('hostile agents', () => {
  let groups: GroupOutcome[] = [];
  const outcomeOf = (action: HostileAction): ActionOutcome | undefined =>
    groups.flatMap((g) => g.outcomes).find((o) => o.action.id === action.id);

  beforeAll(async () => {
    groups = await runCorpus(CORPUS);
  }, 300_000);

  it('has at least 30 actions, with distinct ids', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CORPUS.map((a) => a.id)).size).toBe(CORPUS.length);
  });

  for (const action of CORPUS) {
    const test = action.hole ? it.fails : it;
    test(`${action.id}: ${action.title} is ${action.expected}${action.hole ? ` (known hole: ${action.hole})` : ''}`, () => {
      const outcome = outcomeOf(action);
      expect(outcome?.verdict, outcome?.verdict.evidence).toEqual(
        expect.objectContaining({ result: action.expected }),
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
