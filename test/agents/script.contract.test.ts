import { createScriptAgent } from '../../src/agents/index.js';
import { CONTRACT_EDIT_CONTENT, CONTRACT_EDIT_FILE, runAgentAdapterContract } from './adapter-contract.js';

runAgentAdapterContract('script', async () => ({
  adapter: createScriptAgent(),
  config(kind) {
    switch (kind) {
      case 'edit':
        return { steps: [{ write: { path: CONTRACT_EDIT_FILE, content: `${CONTRACT_EDIT_CONTENT}\n` } }] };
      case 'fail':
        return { steps: [{ say: 'about to fail' }, { fail: 'the script said so' }] };
      case 'slow':
        // A real child process, so the contract also checks that an abort kills it.
        return {
          steps: [{ say: 'starting' }, { run: [process.execPath, '-e', 'setTimeout(() => {}, 120000)'] }],
        };
    }
  },
}));
