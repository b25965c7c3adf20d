import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.js';
import type { Store } from '../../src/store/index.js';
import type { StoredEvent } from '../../src/domain/index.js';
import { git, makeRepo } from '../support/repo.js';
import type { TestDialect } from '../support/stores.js';
import { DIALECTS, openTestStore, skipDialect } from '../support/stores.js';

const CHECK = `import { existsSync, readFileSync } from 'node:fs';
for (const file of ['bad.txt']) if (existsSync(file)) { console.error('FAIL: ' + file + ' must not exist'); process.exit(1); }
if (existsSync('shared.txt') && readFileSync('shared.txt', 'utf8').includes('<<<')) process.exit(1);
`;

/** Runs `plan` to its end in a new repository over a new `dialect` store. */
const planRunner = (dialect: TestDialect) =>
  async function runPlan(
    plan: string,
    options: { keepGoing?: boolean; files?: Record<string, string> } = {},
  ) {
    const repo = makeRepo({ 'plan.yaml': plan, 'check.mjs': CHECK, ...(options.files ?? {}) });
    const store = await openTestStore(dialect, repo);
    const engine = createEngine({ store, controlPollMs: 50 });
    const run = await engine.createRun({
      planPath: join(repo, 'plan.yaml'),
      cwd: repo,
      keepGoing: options.keepGoing ?? false,
    });
    const final = await engine.driveRun(run.id);
    const tasks = Object.fromEntries((await store.listTasks(run.id)).map((t) => [t.taskId, t]));
    const events = await store.readEvents({ runId: run.id });
    return { repo, store, engine, run, final, tasks, events };
  };

const types = (events: StoredEvent[], taskId: string) =>
  events.filter((e) => e.taskId === taskId).map((e) => e.type);
const fileOn = (repo: string, branch: string, path: string) => git(repo, 'show', `${branch}:${path}`);

const HEADER = `agent: script
max_rework: 1
verifiers: { commands: { test: "node check.mjs" } }
autonomy: full_auto
tasks:
`;

for (const dialect of DIALECTS)
  describe.skipIf(skipDialect(dialect))(`a run (${dialect})`, () => {
    const runPlan = planRunner(dialect);

    it('blocks a task that keeps failing its checks and fails the run, cancelling what depends on it', async () => {
      const { final, tasks, events } = await runPlan(`${HEADER}
  - id: broken
    title: Always writes bad.txt
    agent_config: { steps: [ { write: { path: bad.txt, content: x } } ] }
  - id: after
    title: Depends on broken
    depends_on: [broken]
    agent_config: { steps: [ { write: { path: after.txt, content: x } } ] }
`);
      expect(final.status).toBe('failed');
      expect(final.reason).toMatch(/broken/);
      expect(tasks.broken?.status).toBe('blocked');
      expect(tasks.broken?.attempts).toBe(2); // first + max_rework 1
      expect(tasks.broken?.reason).toMatch(/test failed/);
      expect(tasks.after?.status).toBe('cancelled');
      expect(types(events, 'broken')).toContain('task.rework');
    });

    it('with --keep-going finishes every task that does not depend on a blocked one', async () => {
      const { final, tasks, repo, run } = await runPlan(
        `${HEADER}
  - id: broken
    title: Always writes bad.txt
    agent_config: { steps: [ { write: { path: bad.txt, content: x } } ] }
  - id: after
    title: Depends on broken
    depends_on: [broken]
  - id: independent
    title: Unrelated
    agent_config: { steps: [ { sleep_ms: 300 }, { write: { path: ok.txt, content: ok } } ] }
`,
        { keepGoing: true },
      );
      expect(final.status).toBe('failed');
      expect(tasks.broken?.status).toBe('blocked');
      expect(tasks.after?.status).toBe('skipped');
      expect(tasks.after?.reason).toMatch(/broken/);
      expect(tasks.independent?.status).toBe('passed');
      expect(fileOn(repo, run.integrationBranch, 'ok.txt')).toBe('ok');
      // the blocked task's worktree is kept for inspection
      expect(existsSync(join(repo, '.gaffer', 'worktrees', run.slug, 'broken', 'bad.txt'))).toBe(true);
    });

    it('reverts and reports writes to protected paths, then reworks', async () => {
      const { final, tasks, events, repo, run } = await runPlan(
        `agent: script
protected_paths: [config/**]
autonomy: full_auto
tasks:
  - id: sneaky
    title: Touches config on its first attempt
    agent_config:
      attempts:
        - [ { write: { path: config/prod.json, content: "{}" } }, { write: { path: a.txt, content: a } } ]
        - [ { write: { path: a.txt, content: a } } ]
`,
        { files: { 'config/prod.json': '{"real": true}\n' } },
      );
      expect(final.status).toBe('completed');
      expect(tasks.sneaky?.reworks).toBe(1);
      const reverted = events.find((e) => e.type === 'attempt.protected-path-reverted');
      expect(reverted?.data).toEqual({ paths: ['config/prod.json'] });
      expect(fileOn(repo, run.integrationBranch, 'config/prod.json')).toBe('{"real": true}');
      expect(fileOn(repo, run.integrationBranch, 'a.txt')).toBe('a');
    });

    it('merges in dependency order and resolves a conflict by rework on the new integration head', async () => {
      const { final, tasks, events, repo, run } = await runPlan(`agent: script
concurrency: 2
autonomy: full_auto
tasks:
  - id: left
    title: Writes shared.txt quickly
    agent_config: { steps: [ { write: { path: shared.txt, content: "left\\n" } } ] }
  - id: right
    title: Writes shared.txt slowly, then adapts
    agent_config:
      attempts:
        - [ { sleep_ms: 600 }, { write: { path: shared.txt, content: "right\\n" } } ]
        - [ { append: { path: shared.txt, content: "right\\n" } } ]
`);
      expect(final.status).toBe('completed');
      expect(events.some((e) => e.type === 'merge.conflicted' && e.taskId === 'right')).toBe(true);
      expect(tasks.right?.reworks).toBe(1);
      expect(fileOn(repo, run.integrationBranch, 'shared.txt')).toBe('left\nright');
      // the user's checkout never moved
      expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
      expect(readFileSync(join(repo, 'plan.yaml'), 'utf8')).toContain('left');
    });

    it('pauses on request and resumes without redoing passed tasks', async () => {
      const repo = makeRepo({
        'plan.yaml': `agent: script
concurrency: 1
autonomy: full_auto
tasks:
  - id: quick
    title: Quick
    agent_config: { steps: [ { write: { path: q.txt, content: q } } ] }
  - id: slow
    title: Slow
    depends_on: [quick]
    agent_config: { steps: [ { sleep_ms: 3000 }, { write: { path: s.txt, content: s } } ] }
`,
      });
      const store: Store = await openTestStore(dialect, repo);
      const engine = createEngine({ store, controlPollMs: 50 });
      const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
      const driving = engine.driveRun(run.id);
      for (;;) {
        const slow = await store.getTask(run.id, 'slow');
        if (slow?.status === 'running') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await createEngine({ store }).requestPause(run.id, 'lunch');
      const paused = await driving;
      expect(paused.status).toBe('paused');
      expect(paused.reason).toBe('lunch');
      expect((await store.getTask(run.id, 'slow'))?.status).toBe('ready');

      const resumed = await createEngine({ store }).driveRun(run.id);
      expect(resumed.status).toBe('completed');
      const attempts = await store.listAttempts(run.id);
      expect(attempts.filter((a) => a.taskId === 'quick')).toHaveLength(1);
      expect(attempts.filter((a) => a.taskId === 'slow').map((a) => `${a.kind}:${a.status}`)).toEqual([
        'first:interrupted',
        'resume:succeeded',
      ]);
      expect(fileOn(repo, run.integrationBranch, 's.txt')).toBe('s');
    });

    it('drives any CLI as the agent through the command backend', async () => {
      const agent = `const fs = require('node:fs'); const prompt = fs.readFileSync(0, 'utf8'); fs.writeFileSync('prompt-seen.txt', prompt.includes('Say hello') ? 'yes' : 'no'); console.log('done');`;
      const { final, repo, run } = await runPlan(`agent: command
agents:
  command: { argv: [node, -e, ${JSON.stringify(agent)}] }
autonomy: full_auto
tasks:
  - id: hello
    title: Say hello
    deliverables: [prompt-seen.txt]
`);
      expect(final.status).toBe('completed');
      expect(fileOn(repo, run.integrationBranch, 'prompt-seen.txt')).toBe('yes');
    });

    it('stops resumably on an engine error (the integration branch checked out by the user) instead of cancelling', async () => {
      const repo = makeRepo({
        'plan.yaml': `agent: script
autonomy: full_auto
tasks:
  - id: one
    title: One
    agent_config: { steps: [ { write: { path: one.txt, content: "1" } } ] }
  - id: two
    title: Two
    depends_on: [one]
    agent_config: { steps: [ { write: { path: two.txt, content: "2" } } ] }
  - id: slow
    title: Still running when the error strikes
    agent_config: { steps: [ { sleep_ms: 1500 }, { write: { path: slow.txt, content: "s" } } ] }
`,
      });
      const store = await openTestStore(dialect, repo);
      const engine = createEngine({ store });
      const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
      git(repo, 'checkout', '-q', run.integrationBranch);
      await expect(engine.driveRun(run.id)).rejects.toMatchObject({
        message: expect.stringContaining(`run ${run.id} stopped`) as string,
        hint: expect.stringContaining(`gaffer resume ${run.id}`) as string,
      });
      // Recorded as paused with the error, never left `running` with nobody driving it.
      expect(await store.getRun(run.id)).toMatchObject({
        status: 'paused',
        reason: expect.stringContaining('engine error') as string,
      });
      // left where the error struck, for resume to pick up; nothing cancelled
      expect((await store.listTasks(run.id)).map((t) => t.status)).toEqual([
        'evaluating',
        'pending',
        'ready',
      ]);

      git(repo, 'checkout', '-q', 'main');
      const final = await createEngine({ store }).driveRun(run.id);
      expect(final.status).toBe('completed');
      expect(fileOn(repo, run.integrationBranch, 'two.txt')).toBe('2');
      expect(fileOn(repo, run.integrationBranch, 'slow.txt')).toBe('s');
    });
  });
