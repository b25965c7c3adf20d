import { afterEach } from 'vitest';
import { createClaudeCodeAgent } from '../../src/agents/claude-code/index.js';
import { createClaudeTestBench, claudeTestConfig } from '../fixtures/model-servers/anthropic-claude-env.js';
import { failWith, hang, say, useTool } from '../fixtures/model-servers/anthropic-messages-server.js';
import { CONTRACT_EDIT_CONTENT, CONTRACT_EDIT_FILE, runAgentAdapterContract } from './adapter-contract.js';

// The real `claude` binary against scripted model servers, one per kind of session.
const bench = createClaudeTestBench();
afterEach(() => bench.cleanup());

runAgentAdapterContract('claude-code', async () => {
  const configDir = await bench.configDir();
  const servers = {
    // The contract does not tell us its cwd; Claude Code resolves a relative path against it.
    edit: await bench.server([
      useTool(
        'Write',
        { file_path: CONTRACT_EDIT_FILE, content: `${CONTRACT_EDIT_CONTENT}\n` },
        'Creating the file.',
      ),
      say('Created the file.'),
    ]),
    fail: await bench.server([failWith(404, 'model: claude-sonnet-4-5 does not exist', Infinity)]),
    slow: await bench.server([
      useTool('Bash', { command: 'echo started', description: 'Start' }, 'Working on it.'),
      hang(),
    ]),
  };
  return {
    adapter: createClaudeCodeAgent(),
    config: (kind) => claudeTestConfig(servers[kind], configDir),
  };
});
