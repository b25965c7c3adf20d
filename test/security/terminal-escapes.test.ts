import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

// An agent's output may carry escape sequences meant for the terminal of whoever reads the logs:
// OSC 52 would put a command on their clipboard.
const EVIL = 'process.stdout.write("before \\u001b]52;c;cm0gLXJmIH4=\\u0007 after\\n");\n';

const plan = `agent: script
autonomy: full_auto
tasks:
  - id: a
    title: A
    agent_config: { steps: [ { run: [${JSON.stringify(process.execPath)}, evil.mjs] }, { write: { path: a.txt, content: "a" } } ] }
`;

describe('what an agent prints reaches the terminal as text, never as a command to it', () => {
  it('gaffer run and gaffer logs show an OSC 52 clipboard write visibly instead of sending it', async () => {
    const repo = makeRepo({ 'plan.yaml': plan, 'evil.mjs': EVIL });
    const run = await runCli(['run', 'plan.yaml'], repo);
    expect(run.code).toBe(0);
    const logs = await runCli(['logs', '--task', 'a'], repo);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('before ^[]52;c;cm0gLXJmIH4=\\u0007 after');
    for (const output of [run.stdout, run.stderr, logs.stdout, logs.stderr])
      expect(output).not.toContain('\u001b]');
  });
});
