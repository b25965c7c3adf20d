import { createCommandAgent } from '../../src/agents/index.js';
import { CONTRACT_EDIT_CONTENT, CONTRACT_EDIT_FILE, runAgentAdapterContract } from './adapter-contract.js';

const EDIT = `
const fs = require('node:fs');
fs.mkdirSync('contract', { recursive: true });
fs.writeFileSync(${JSON.stringify(CONTRACT_EDIT_FILE)}, ${JSON.stringify(CONTRACT_EDIT_CONTENT)} + '\\n');
console.log('wrote ' + ${JSON.stringify(CONTRACT_EDIT_FILE)} + ' for: ' + process.argv[1].slice(0, 20));
`;
const FAIL = `console.error('cannot do that'); process.exit(3);`;
const SLOW = `console.log('working'); setInterval(() => {}, 1000);`;

runAgentAdapterContract('command', async () => ({
  adapter: createCommandAgent(),
  config(kind) {
    const code = { edit: EDIT, fail: FAIL, slow: SLOW }[kind];
    return { argv: [process.execPath, '-e', code, '{prompt}'] };
  },
}));
