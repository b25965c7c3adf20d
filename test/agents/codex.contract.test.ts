import { afterAll } from 'vitest';
import { createCodexAgent } from '../../src/agents/codex/index.js';
import { addFilePatch } from '../fixtures/model-servers/openai-responses-server.js';
import type { ResponsesTurn } from '../fixtures/model-servers/openai-responses-server.js';
import { CONTRACT_EDIT_CONTENT, CONTRACT_EDIT_FILE, runAgentAdapterContract } from './adapter-contract.js';
import { createCodexHarness } from './codex-harness.js';

// The real codex binary against a scripted Responses server; each session gets its own server, and
// runs contained in Gaffer's sandbox as the engine runs it (codex's own sandbox is then not used).
const harness = await createCodexHarness();
afterAll(() => harness.dispose());

const SCRIPTS: Record<'edit' | 'fail' | 'slow', ResponsesTurn[]> = {
  edit: [
    {
      type: 'patch',
      text: 'Creating the file.',
      patch: addFilePatch(CONTRACT_EDIT_FILE, CONTRACT_EDIT_CONTENT),
    },
    { type: 'text', text: 'Done.' },
  ],
  fail: [
    { type: 'error', status: 400, message: 'The model `gpt-5.5` does not exist', code: 'model_not_found' },
  ],
  // A real command inside the sandbox, so the contract also checks that an abort ends it.
  slow: [{ type: 'shell', command: 'sleep 120' }, { type: 'hang' }],
};

runAgentAdapterContract('codex', async () => {
  const servers = {
    edit: await harness.server(SCRIPTS.edit),
    fail: await harness.server(SCRIPTS.fail),
    slow: await harness.server(SCRIPTS.slow),
  };
  return {
    adapter: createCodexAgent(),
    sandboxed: true,
    config: (kind) => harness.config(servers[kind]),
  };
});
