import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createAgentRegistry, createEventChannel, createScriptAgent } from '../../src/agents/index.js';
import type { AgentAdapter, AgentEvent, SessionInput, SessionResult } from '../../src/domain/index.js';
import { createEngine } from '../../src/engine/index.js';
import { makeRepo } from '../support/repo.js';
import { DIALECTS, openTestStore, skipDialect } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

/** An agent that reports its native session id at once, then works until stopped (or finishes when resumed). */
function resumableAgent(seen: SessionInput[]): AgentAdapter {
  return {
    name: 'resumable',
    capabilities: { resume: true, steer: false, permissionHook: false, questions: false, usage: false },
    start(input, signal) {
      seen.push(input);
      const events = createEventChannel<AgentEvent>();
      const result = new Promise<SessionResult>((resolve) => {
        if (input.resumeSessionId) {
          events.end();
          resolve({ status: 'succeeded', nativeSessionId: input.resumeSessionId });
          return;
        }
        events.push({ type: 'session', nativeSessionId: 'native-1' });
        signal.addEventListener('abort', () => {
          events.end();
          // Like a killed process: no result carries the id.
          resolve({ status: 'aborted' });
        });
      });
      return { events, result, send: () => Promise.reject(new Error('no')) };
    },
  };
}

for (const dialect of DIALECTS)
  describe.skipIf(skipDialect(dialect))(`native session resume (${dialect})`, () => {
    it('records the agent’s session id as soon as it is known and resumes that session', async () => {
      const repo = makeRepo({
        'plan.yaml':
          'agent: resumable\nautonomy: full_auto\ntasks:\n  - id: t\n    title: T\n    allow_empty: true\n',
      });
      const seen: SessionInput[] = [];
      const agents = createAgentRegistry([resumableAgent(seen), createScriptAgent()]);
      const store = await openTestStore(dialect, repo);
      const engine = createEngine({ store, agents, controlPollMs: 50 });
      const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
      const driving = engine.driveRun(run.id);
      await waitFor(async () => {
        const [attempt] = await store.listAttempts(run.id, 't');
        return attempt?.nativeSessionId === 'native-1' && attempt.status === 'running';
      }, 'the attempt to record its native session id while running');
      await engine.requestPause(run.id, 'stop');
      expect((await driving).status).toBe('paused');

      const final = await createEngine({ store, agents }).driveRun(run.id);
      expect(final.status).toBe('completed');
      expect(seen.map((input) => [input.kind, input.resumeSessionId])).toEqual([
        ['first', undefined],
        ['resume', 'native-1'],
      ]);
    });
  });
