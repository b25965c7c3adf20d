import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import { makeRepo } from '../support/repo.js';

let server: ChatServer | undefined;
let store: Store | undefined;
afterEach(async () => {
  await server?.close();
  await store?.close();
  server = undefined;
  store = undefined;
});

const NOTE = `All done.
<knowledge>
decisions:
- dates are ISO 8601 strings, never Date objects
patterns:
- one exported function per module under src/
</knowledge>`;

describe('knowledge from passed tasks', () => {
  it("a dependent task's prompt carries what the task before it created and decided", async () => {
    const prompts = new Map<string, string>();
    server = await startChatServer((request) => {
      const text = JSON.stringify(request.body.messages);
      const task = text.includes('## Task b:') ? 'b' : 'a';
      if (request.turn === 0) {
        prompts.set(task, text);
        return {
          toolCalls: [
            {
              name: 'write_file',
              arguments: { path: `src/${task}.ts`, content: `export const ${task} = 1;\n` },
            },
          ],
        };
      }
      return { text: task === 'a' ? NOTE : 'Done.' };
    });
    const repo = makeRepo({
      'plan.yaml': `agent: api
autonomy: full_auto
agents:
  api: { provider: openai-compatible, base_url: "${server.url}/v1", model: local-coder }
tasks:
  - id: a
    title: Add the date helper
  - id: b
    title: Use the date helper
    depends_on: [a]
`,
    });
    store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    const engine = createEngine({ store, controlPollMs: 50, env: { ...process.env } });
    const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    expect((await engine.driveRun(run.id)).status).toBe('completed');

    // Every agent is asked for the note; a's prompt has nothing of earlier tasks (there are none).
    expect(prompts.get('a')).toContain('<knowledge>');
    expect(prompts.get('a')).not.toContain('What earlier tasks did');
    const b = prompts.get('b') ?? '';
    expect(b).toContain('## What earlier tasks did');
    expect(b).toContain('### a: Add the date helper (your task builds on it)');
    expect(b).toContain('Created: src/a.ts');
    expect(b).toContain('- dates are ISO 8601 strings, never Date objects');
    expect(b).toContain('- one exported function per module under src/');

    const recorded = await store.readEvents({ runId: run.id, types: ['task.knowledge'] });
    expect(recorded.map((e) => e.taskId)).toEqual(['a', 'b']);
    expect(recorded[0]).toMatchObject({
      data: {
        created: ['src/a.ts'],
        changed: [],
        decisions: ['dates are ISO 8601 strings, never Date objects'],
      },
    });
  });
});
