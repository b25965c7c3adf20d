import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { GafferError } from '../../src/domain/index.js';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { git, makeRepo } from '../support/repo.js';

const PLAN = `agent: script
tasks:
  - id: one
    title: One
    agent_config: { steps: [ { write: { path: one.txt, content: "1" } } ] }
`;

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('a database failure while a run starts', () => {
  it('leaves no orphan integration branch behind', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN });
    const real = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    store = real;
    // The store answers reads but its first write transaction fails, as a full disk would.
    const failing = new Proxy(real, {
      get(target, property) {
        if (property === 'transaction')
          return () => Promise.reject(new GafferError('GAFFER_STORE', 'database or disk is full'));
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const engine = createEngine({ store: failing });
    await expect(engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo })).rejects.toThrow(
      /disk is full/,
    );
    expect(git(repo, 'branch', '--list', 'gaffer/*')).toBe('');
    expect(await real.listRuns()).toEqual([]);
  });
});
