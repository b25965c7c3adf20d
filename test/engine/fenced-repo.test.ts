import { describe, expect, it } from 'vitest';
import { fencedRepo } from '../../src/engine/fenced-repo.js';
import { FakeRepo } from '../support/fakes/fake-repo.js';

describe('fencedRepo', () => {
  it('refuses every git write once the lease is not known to be held, and still reads', async () => {
    const repo = new FakeRepo({ refs: { 'refs/heads/main': 'c1' } });
    let fresh = true;
    const fenced = fencedRepo(repo, () => {
      if (!fresh) throw new Error('lease not held');
    });
    await fenced.ensureBranch('gaffer/x', 'c1');
    fresh = false;
    await expect(async () => fenced.commitAll('/wt', 'm')).rejects.toThrow('lease not held');
    await expect(async () => fenced.mergeBranch('gaffer/x', 'b', 'm')).rejects.toThrow('lease not held');
    await expect(async () => fenced.resetHard('/wt', 'c1')).rejects.toThrow('lease not held');
    expect(await fenced.resolveCommit('refs/heads/main')).toBe('c1');
    expect(repo.callsOf('commitAll')).toEqual([]);
    expect(repo.callsOf('ensureBranch')).toHaveLength(1);
  });
});
