import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { git, makeRepo } from '../support/repo.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A repository whose `npm test` passes on the base: `add` adds. */
const FILES = {
  'package.json': JSON.stringify({ name: 'x', private: true, scripts: { test: 'node test.js' } }, null, 2),
  'lib.js': 'exports.add = (a, b) => a + b;\n',
  'test.js': `const { add } = require('./lib.js');
if (add(2, 2) !== 4) { console.error('FAIL: add(2, 2) is ' + add(2, 2)); process.exit(1); }
console.log('ok');
`,
};

/** An agent that breaks `add` and rewrites the test script so that nothing notices. */
const CHEAT = `const fs = require('node:fs');
fs.writeFileSync('lib.js', 'exports.add = (a, b) => a - b;\\n');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
pkg.scripts.test = 'node -e 0';
pkg.dependencies = { zod: '^3.0.0' };
fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2));`;

async function runPlan(verifiers: string, files: Record<string, string> = FILES, agent = CHEAT) {
  const repo = makeRepo({
    ...files,
    'plan.yaml': `agent: command
max_rework: 0
${verifiers}
agents:
  command: { argv: [node, -e, ${JSON.stringify(agent)}] }
tasks:
  - id: cheat
    title: Changes add
`,
  });
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50 });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  const final = await engine.driveRun(run.id);
  return { repo, run, final, view: await engine.runView(run.id) };
}

describe('checks are defined by the base commit', () => {
  it('does not pass a task that rewrote the test script its check runs', async () => {
    const { repo, run, final, view } = await runPlan('');
    expect(final.status).toBe('failed');
    expect(view.tasks[0]).toMatchObject({ status: 'blocked', reason: 'check definitions failed' });
    const results = view.attempts[0]?.evaluation?.results ?? [];
    const redefined = results.find((r) => r.name === 'check definitions');
    expect(redefined?.passed).toBe(false);
    expect(redefined?.output).toContain('- package.json scripts.test: was "node test.js", now "node -e 0"');
    expect(redefined?.output).toContain('verifiers.trust_task_changes: true');
    // The dependency it added is not a check's definition.
    expect(redefined?.output).not.toContain('dependencies');
    expect(git(repo, 'show', `${run.integrationBranch}:lib.js`)).toContain('a + b');
  });

  it('does not pass a task that rewrote the Makefile target its check runs', async () => {
    const { 'package.json': _, ...rest } = FILES;
    const agent = `const fs = require('node:fs');
fs.writeFileSync('lib.js', 'exports.add = (a, b) => a - b;\\n');
fs.writeFileSync('Makefile', 'test:\\n\\ttrue\\n');`;
    const { final, view } = await runPlan('', { ...rest, Makefile: 'test:\n\tnode test.js\n' }, agent);
    expect(final.status).toBe('failed');
    expect(view.tasks[0]).toMatchObject({ status: 'blocked', reason: 'check definitions failed' });
    const results = view.attempts[0]?.evaluation?.results ?? [];
    expect(results.find((r) => r.name === 'check definitions')?.output).toContain('- Makefile: changed');
  });

  it('runs the task’s own script under verifiers.trust_task_changes: true', async () => {
    const { repo, run, final, view } = await runPlan('verifiers: { trust_task_changes: true }');
    expect(final.status).toBe('completed');
    const results = view.attempts[0]?.evaluation?.results ?? [];
    expect(results.map((r) => r.name)).toEqual(['test']);
    expect(git(repo, 'show', `${run.integrationBranch}:lib.js`)).toContain('a - b');
  });
});
