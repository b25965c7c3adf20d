import { afterAll, beforeAll } from 'vitest';
import { createApiAgent } from '../../src/agents/api/index.js';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatServer, ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import { CONTRACT_EDIT_CONTENT, CONTRACT_EDIT_FILE, runAgentAdapterContract } from './adapter-contract.js';

/** One conversation per kind of contract session, chosen by the model name the config asks for. */
const SCRIPTS: Record<string, readonly ChatTurn[]> = {
  edit: [
    {
      text: 'Creating the file.',
      toolCalls: [
        {
          name: 'write_file',
          arguments: { path: CONTRACT_EDIT_FILE, content: `${CONTRACT_EDIT_CONTENT}\n` },
        },
      ],
    },
    { text: `Created ${CONTRACT_EDIT_FILE}.` },
  ],
  fail: [
    { error: { status: 404, body: { error: { message: 'model "fail" not found, try pulling it first' } } } },
  ],
  slow: [
    {
      text: 'Starting a long build.',
      toolCalls: [
        {
          name: 'run_command',
          arguments: { command: `"${process.execPath}" -e "setTimeout(() => {}, 120000)"` },
        },
      ],
    },
    { text: 'done' },
  ],
};

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer(({ model, turn }) => SCRIPTS[model]?.[turn] ?? { text: 'nothing to do' });
});
afterAll(() => server.close());

runAgentAdapterContract('api', async () => ({
  adapter: createApiAgent(),
  config: (kind) => ({ base_url: server.baseURL, model: kind, command_timeout_s: 300 }),
}));
