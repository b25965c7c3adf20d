import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { StoredEvent } from '../../src/domain/index.js';
import { openStore } from '../../src/store/index.js';
import { runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';

/** A linter that fails on whatever `main` holds: the repository's own state, before any agent. */
const FAILING_LINT = `console.log('checking src/index.js');
console.error('src/index.js:3:7  error  no-unused-vars: "unused" is assigned a value but never used');
console.error('1 problem (1 error, 0 warnings)');
process.exit(1);
`;
/**
 * An eslint-like linter (stylish output, absolute paths) that fails on main with one error, and
 * with one more for sloppy.js once a task writes it: the same check, the same exit code, worse.
 */
const SLOPPY_LINT = `import { existsSync } from 'node:fs';
const errors = [['src/index.js', 3, "'unused' is assigned a value but never used  no-unused-vars"]];
if (existsSync('sloppy.js')) errors.push(['sloppy.js', 1, 'Unexpected var, use let or const instead  no-var']);
for (const [file, line, message] of errors) console.log(\`\${process.cwd()}/\${file}\\n  \${line}:7  error  \${message}\\n\`);
console.log(\`✖ \${errors.length} problems (\${errors.length} errors, 0 warnings)\`);
process.exit(1);
`;
/** A test that passes until a task writes bad.txt. */
const TEST = `import { existsSync } from 'node:fs';
if (existsSync('bad.txt')) { console.error('FAIL: bad.txt must not exist'); process.exit(1); }
console.log('ok');
`;

const plan = (verifiers: string, tasks = TASKS) => `agent: script
max_rework: 1
verifiers: ${verifiers}
autonomy: full_auto
tasks:
${tasks}`;

const TASKS = `  - id: feature
    title: Adds a file
    agent_config: { steps: [ { write: { path: feature.txt, content: done } } ] }
`;

/** The run's state as `gaffer` left it in the repository's SQLite store. */
async function stateOf(repo: string) {
  const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  onTestFinished(() => store.close());
  const run = (await store.listRuns())[0];
  if (!run) throw new Error('no run was recorded');
  return {
    run,
    attempts: await store.listAttempts(run.id),
    evaluations: await store.listEvaluations(run.id),
    events: await store.readEvents({ runId: run.id }),
    store,
  };
}

const baselineEvent = (events: StoredEvent[]) => {
  const event = events.find((e) => e.type === 'run.baseline-completed');
  if (event?.type !== 'run.baseline-completed') throw new Error('no run.baseline-completed event');
  return event.data;
};

describe('the baseline: the run’s checks on the base commit, before any agent', () => {
  it('stops a run whose main already fails lint before any agent starts, and says how to go on', async () => {
    const repo = makeRepo({
      'plan.yaml': plan('{ commands: { lint: "node lint.mjs" } }'),
      'lint.mjs': FAILING_LINT,
    });
    const result = await runMain(['run', 'plan.yaml'], repo);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /the base main \([0-9a-f]{8}\) fails its own checks before any agent started: lint/,
    );
    expect(result.stderr).toContain('command: node lint.mjs');
    expect(result.stderr).toContain('lint: failed (exit code 1)');
    expect(result.stderr).toContain('no-unused-vars'); // the useful tail of its output
    expect(result.stderr).toMatch(/hint: .*verifiers\.skip.*allow_preexisting/);
    const { run, attempts, events } = await stateOf(repo);
    expect(attempts).toEqual([]);
    expect(events.some((e) => e.type === 'task.started')).toBe(false);
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/fails its own checks.*: lint/);
    expect(baselineEvent(events)).toMatchObject({
      commit: run.baseCommit,
      cached: false,
      policy: 'require_green',
      checks: [{ name: 'lint', command: 'node lint.mjs', passed: false, exitCode: 1, cannotRun: false }],
    });
    // The baseline's temporary worktree is gone; only the main working tree is left.
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  it('reports a check whose binary is missing as "cannot run", with an install hint, and caches nothing', async () => {
    const repo = makeRepo({
      'plan.yaml': plan('{ commands: { lint: "gaffer-no-such-linter --check ." } }'),
    });
    const result = await runMain(['run', 'plan.yaml'], repo);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('lint (cannot run)');
    expect(result.stderr).toContain('command: gaffer-no-such-linter --check .');
    expect(result.stderr).toMatch(
      /fix: command not found: gaffer-no-such-linter: install gaffer-no-such-linter/,
    );
    const { attempts, events } = await stateOf(repo);
    expect(attempts).toEqual([]);
    expect(baselineEvent(events).checks).toMatchObject([{ name: 'lint', cannotRun: true, exitCode: null }]);
    // Installing the tool must be seen by the next run: an environment problem is never cached.
    const cacheDir = join(repo, '.gaffer', 'baseline');
    expect(existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.json')) : []).toEqual([]);
  });

  it('with allow_preexisting runs the tasks: lint is marked preexisting, a check that newly fails still counts', async () => {
    const repo = makeRepo({
      'plan.yaml': plan(
        '{ baseline: allow_preexisting, commands: { lint: "node lint.mjs", test: "node test.mjs" } }',
        `${TASKS}  - id: breaks-test
    title: Breaks the test, then fixes it
    agent_config:
      attempts:
        - [ { write: { path: bad.txt, content: x } } ]
        - [ { delete: bad.txt }, { write: { path: fixed.txt, content: y } } ]
`,
      ),
      'lint.mjs': FAILING_LINT,
      'test.mjs': TEST,
    });
    const result = await runMain(['run', 'plan.yaml'], repo);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/lint failed \(exit 1\); allowed as preexisting/);
    const { attempts, evaluations, events } = await stateOf(repo);
    const lintOf = (attemptId: string) =>
      evaluations.find((e) => e.attemptId === attemptId)?.results.find((r) => r.name === 'lint');
    const feature = attempts.find((a) => a.taskId === 'feature');
    expect(lintOf(feature?.id ?? '')).toMatchObject({ passed: false, preexisting: true });
    // Passed, but a check let through as preexisting keeps it yellow.
    expect(evaluations.find((e) => e.attemptId === feature?.id)).toMatchObject({
      passed: true,
      confidence: 'yellow',
    });
    // The task that broke the test was sent back for the test alone, never for lint.
    const broken = attempts.filter((a) => a.taskId === 'breaks-test');
    expect(broken.map((a) => a.kind)).toEqual(['first', 'rework']);
    expect(evaluations.find((e) => e.attemptId === broken[0]?.id)).toMatchObject({ passed: false });
    expect(broken[1]?.feedback).toContain('FAIL: bad.txt must not exist');
    expect(broken[1]?.feedback).not.toContain('no-unused-vars');
    const rework = events.find((e) => e.type === 'task.rework');
    expect(rework?.type === 'task.rework' && rework.data.reason).toBe('test failed');
  });

  it('with allow_preexisting a check that already failed on the base must not get worse: a new lint error fails the task', async () => {
    const sloppy = [{ write: { path: 'sloppy.js', content: 'var x = 1;' } }];
    const repo = makeRepo({
      'plan.yaml': plan(
        '{ baseline: allow_preexisting, commands: { lint: "node lint.mjs" } }',
        `${TASKS}  - id: sloppy
    title: Adds a file lint objects to, twice
    agent_config: { steps: ${JSON.stringify(sloppy)} }
`,
      ),
      'lint.mjs': SLOPPY_LINT,
    });
    const result = await runMain(['run', 'plan.yaml'], repo);

    expect(result.code).not.toBe(0);
    const { run, attempts, evaluations, events, store } = await stateOf(repo);
    // The base recorded which failures it had, by file, message and rule: not by line.
    expect(baselineEvent(events).checks).toMatchObject([
      {
        name: 'lint',
        passed: false,
        markers: ["src/index.js: 'unused' is assigned a value but never used no-unused-vars"],
        failureCount: 1,
      },
    ]);
    const lintOf = (attemptId = '') =>
      evaluations.find((e) => e.attemptId === attemptId)?.results.find((r) => r.name === 'lint');
    // The task that left lint as it was passes on it as before.
    expect(lintOf(attempts.find((a) => a.taskId === 'feature')?.id)).toMatchObject({ preexisting: true });
    // The one that added a lint error is sent back with what is new, and fails when it stays.
    const tries = attempts.filter((a) => a.taskId === 'sloppy');
    expect(tries.map((a) => a.kind)).toEqual(['first', 'rework']);
    for (const attempt of tries) {
      expect(evaluations.find((e) => e.attemptId === attempt.id)).toMatchObject({ passed: false });
      expect(lintOf(attempt.id)?.preexisting).toBeUndefined();
    }
    expect(tries[1]?.feedback).toContain(
      'worse than on the base commit: 1 new failure(s):\n  sloppy.js: Unexpected var, use let or const instead no-var',
    );
    expect(tries[1]?.feedback).not.toContain('new failure(s):\n  src/index.js');
    expect((await store.getTask(run.id, 'sloppy'))?.status).toBe('blocked');
    expect((await store.getTask(run.id, 'feature'))?.status).toBe('passed');
  });

  it('a second run on the same commit uses the cached baseline', async () => {
    const repo = makeRepo({
      'plan.yaml': plan('{ commands: { test: "node test.mjs" } }'),
      'test.mjs': TEST,
    });
    expect((await runMain(['run', 'plan.yaml'], repo)).code).toBe(0);
    expect((await runMain(['run', 'plan.yaml'], repo)).code).toBe(0);

    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    onTestFinished(() => store.close());
    const [second, first] = await store.listRuns();
    expect(second?.baseCommit).toBe(first?.baseCommit);
    const of = async (runId = '') => baselineEvent(await store.readEvents({ runId }));
    expect(await of(first?.id)).toMatchObject({ cached: false, checks: [{ name: 'test', passed: true }] });
    expect(await of(second?.id)).toMatchObject({ cached: true, checks: [{ name: 'test', passed: true }] });
  });

  it('refuses a misspelt verifiers.baseline with the word it meant, before anything is created', async () => {
    const repo = makeRepo({ 'plan.yaml': plan('{ baseline: allow_preexisiting }') });
    const result = await runMain(['run', 'plan.yaml'], repo);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /plan\.yaml:3:\d+: verifiers\.baseline must be require_green or allow_preexisting/,
    );
    expect(result.stderr).toContain('did you mean `allow_preexisting`?');
    expect(existsSync(join(repo, '.gaffer', 'gaffer.db'))).toBe(false);
  });

  it('reports a repository with no checks at the start, and every evaluation is yellow with "no checks ran"', async () => {
    const repo = makeRepo({ 'plan.yaml': `agent: script\nautonomy: full_auto\ntasks:\n${TASKS}` });
    const result = await runMain(['run', 'plan.yaml'], repo);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/no checks found for this repository: .*verifiers: \{ commands:/);
    expect(result.stdout).toMatch(/feature: no checks ran: .*\(yellow\)/);
    const { evaluations, events } = await stateOf(repo);
    expect(evaluations).toMatchObject([{ passed: true, confidence: 'yellow', results: [] }]);
    expect(events.map((e) => e.type)).toContain('run.no-checks');
    expect(events.find((e) => e.type === 'evaluation.no-checks')?.taskId).toBe('feature');
  });
});
