import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createAgentRegistry } from '../../src/agents/index.js';
import { GafferError } from '../../src/domain/index.js';
import type { AgentAdapter, PreflightContext } from '../../src/domain/index.js';
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

describe('the agents’ preflight', () => {
  it('is told whether the run’s sessions will be sandboxed, so a backend can check what confines it under sandbox: off', async () => {
    const seen: PreflightContext[] = [];
    const recording: AgentAdapter = {
      name: 'recording',
      capabilities: { resume: false, steer: false, permissionHook: false, questions: false, usage: false },
      preflight: (_config, _env, context) => {
        if (context) seen.push(context);
        return Promise.resolve();
      },
      start: () => {
        throw new Error('not started in this test');
      },
    };
    const plan = (extra: string) => `agent: recording\n${extra}tasks:\n  - { id: one, title: One }\n`;
    for (const [extra, sandboxed] of [
      ['', true],
      ['sandbox: off\n', false],
    ] as const) {
      const repo = makeRepo({ 'plan.yaml': plan(extra) });
      store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
      const engine = createEngine({ store, agents: createAgentRegistry([recording]) });
      await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
      expect(seen.at(-1)).toEqual({ sandboxed });
      await store.close();
      store = undefined;
    }
  });
});
