import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeRepo } from '../support/repo.js';

/** No checks in these repositories, so under review_all every result waits for a person. */
export const REVIEWED_PLAN = `agent: script
autonomy: review_all
tasks:
  - id: a
    title: Write a
    agent_config: { attempts: [ [ { write: { path: a.txt, content: "first" } } ], [ { write: { path: a.txt, content: "second" } } ] ] }
`;

export const QUESTION_PLAN = `agent: script
autonomy: full_auto
question_timeout_s: 600
tasks:
  - id: asker
    title: Asks which port
    agent_config: { steps: [ { ask: "Which port should the server use?" }, { write: { path: a.txt, content: a } } ] }
`;

export const BUDGET_PLAN = `agent: script
autonomy: full_auto
concurrency: 1
budgets: { tokens: 2000 }
tasks:
  - id: a
    title: Spend past the limit
    agent_config: { steps: [ { spend: { tokens: 2500 } }, { write: { path: a.txt, content: "a" } } ] }
  - id: b
    title: Waits for the raise
    agent_config: { steps: [ { write: { path: b.txt, content: "b" } } ] }
`;

// The slow task's agent waits until the test opens its gate (a file outside the repository, which
// the sandbox lets it read), so the run is still working whenever the test gets round to steering it.
const GATE = `import { existsSync } from 'node:fs';
const timer = setInterval(() => existsSync(process.argv[2]) && clearInterval(timer), 25);
`;

/** A repository whose plan's slow task waits for `open()`. */
export function gatedRepo(): { repo: string; open: () => void } {
  const gate = join(mkdtempSync(join(tmpdir(), 'gaffer-gate-')), 'open');
  const plan = `agent: script
autonomy: full_auto
sandbox: { readable: [${JSON.stringify(dirname(gate))}] }
tasks:
  - id: slow
    title: Slow
    agent_config: { steps: [ { run: [${JSON.stringify(process.execPath)}, gate.mjs, ${JSON.stringify(gate)}] }, { write: { path: s.txt, content: s } } ] }
`;
  const repo = makeRepo({ 'plan.yaml': plan, 'gate.mjs': GATE });
  return { repo, open: () => writeFileSync(gate, '') };
}
