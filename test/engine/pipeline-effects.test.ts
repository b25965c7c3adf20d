import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentRegistry } from '../../src/agents/index.js';
import type { SessionInput, StoredEvent } from '../../src/domain/index.js';
import { createEngine, worktreePath } from '../../src/engine/index.js';
import type { Engine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import type { ScriptedSession } from '../support/fakes/fake-agent.js';
import { FakeAgent, succeeded } from '../support/fakes/fake-agent.js';
import { git, makeRepo } from '../support/repo.js';

// What the pipeline does to the world, seen from outside: the real engine on a real repository
// and SQLite, with the fake agent where the test needs what the agent was told (it records every
// SessionInput) and the script agent where only what it did matters.

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A session that lets `act` decide by task and attempt, so the order sessions start in does not matter. */
const acting = (act: (input: SessionInput) => void): ScriptedSession => ({ ...succeeded(), act });

async function runPlan(
  files: Record<string, string>,
  options: { fake?: FakeAgent; keepGoing?: boolean; editWhileRunning?: Record<string, string> } = {},
) {
  const repo = makeRepo(files);
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine: Engine = createEngine({
    store,
    controlPollMs: 50,
    ...(options.fake ? { agents: createAgentRegistry([options.fake]) } : {}),
  });
  const run = await engine.createRun({
    planPath: join(repo, 'plan.yaml'),
    cwd: repo,
    ...(options.keepGoing ? { keepGoing: true } : {}),
  });
  // The user goes on working in their checkout once the run has started.
  for (const [path, content] of Object.entries(options.editWhileRunning ?? {}))
    writeFileSync(join(repo, path), content);
  const final = await engine.driveRun(run.id);
  const view = await engine.runView(run.id);
  const events = await store.readEvents({ runId: run.id });
  return { repo, run, final, view, events };
}

const promptsOf = (fake: FakeAgent, taskId: string) =>
  fake.inputs.filter((input) => input.taskId === taskId).map((input) => input.prompt);

// Passes on the base (no c.txt); fails, printing why, once c.txt says "bad".
const CHECK = `import { existsSync, readFileSync } from 'node:fs';
if (existsSync('c.txt') && readFileSync('c.txt', 'utf8') === 'bad') {
  console.error('c.txt must not say bad');
  console.error('token in the log: sk-ant-abcdefghijklmnopqrstuvwxyz0123');
  process.exit(1);
}
`;

const checkedPlan = (agent: string, extra = '') => `agent: ${agent}
max_rework: 2
verifiers:
  commands: { test: "node check.mjs" }
${extra}
autonomy: full_auto
tasks:
  - id: c
    title: Write c.txt
`;

describe('what the agent is told', () => {
  it("gives the rework the failing check's output, with secrets redacted there and in the evaluation", async () => {
    const fake = new FakeAgent(
      [1, 2].map(() =>
        acting((input) =>
          writeFileSync(join(input.cwd, 'c.txt'), input.attemptNumber === 1 ? 'bad' : 'good'),
        ),
      ),
    );
    const { final, view } = await runPlan({ 'plan.yaml': checkedPlan('fake'), 'check.mjs': CHECK }, { fake });
    expect(final.status).toBe('completed');

    const [, rework] = promptsOf(fake, 'c');
    expect(rework).toContain('c.txt must not say bad');
    expect(rework).toContain('sk-ant-[REDACTED]');
    expect(rework).not.toContain('abcdefghijklmnopqrstuvwxyz0123');

    const failedCheck = view.attempts[0]!.evaluation!.results.find((r) => r.name === 'test');
    expect(failedCheck).toMatchObject({ passed: false, exitCode: 1 });
    expect(failedCheck!.output).toContain('c.txt must not say bad');
    expect(failedCheck!.output).toContain('sk-ant-[REDACTED]');
    expect(JSON.stringify(view)).not.toContain('abcdefghijklmnopqrstuvwxyz0123');
  });

  it('after a merge conflict, tells the rework which files conflict', async () => {
    const plan = `agent: fake
concurrency: 2
max_rework: 2
autonomy: full_auto
tasks:
  - id: x
    title: X writes shared.txt
  - id: y
    title: Y writes shared.txt
`;
    // Both first attempts change the same line; whichever merges second conflicts and reworks.
    const fake = new FakeAgent(
      Array.from({ length: 4 }, () =>
        acting((input) =>
          writeFileSync(
            join(input.cwd, 'shared.txt'),
            input.attemptNumber === 1 ? `${input.taskId}\n` : `${input.taskId} after ${input.kind}\n`,
          ),
        ),
      ),
    );
    const { final, events } = await runPlan({ 'plan.yaml': plan, 'shared.txt': 'base\n' }, { fake });
    expect(final.status).toBe('completed');

    const conflict = events.find((e) => e.type === 'merge.conflicted');
    expect(conflict, 'one of the two merges must conflict').toBeDefined();
    expect(conflict!.data).toMatchObject({ files: ['shared.txt'] });
    const [, rework] = promptsOf(fake, conflict!.taskId!);
    expect(rework).toMatch(/conflict/i);
    expect(rework).toContain('shared.txt');
  });

  it('passes on AGENTS.md and CLAUDE.md as committed on the base, not an uncommitted edit', async () => {
    const plan = `agent: fake
autonomy: full_auto
tasks:
  - id: t
    title: Write t.txt
`;
    const fake = new FakeAgent([acting((input) => writeFileSync(join(input.cwd, 't.txt'), 't'))]);
    const { final } = await runPlan(
      {
        'plan.yaml': plan,
        'AGENTS.md': 'Committed rule from AGENTS.md: run npm test.\n',
        'CLAUDE.md': 'Committed rule from CLAUDE.md: keep commits small.\n',
      },
      { fake, editWhileRunning: { 'AGENTS.md': 'Uncommitted rule that must not reach the agent.\n' } },
    );
    expect(final.status).toBe('completed');
    const [prompt] = promptsOf(fake, 't');
    expect(prompt).toContain('Committed rule from AGENTS.md: run npm test.');
    expect(prompt).toContain('Committed rule from CLAUDE.md: keep commits small.');
    expect(prompt).not.toContain('Uncommitted rule');
  });
});

describe('worktrees after a run', () => {
  it('removes the worktree of a passed task and keeps the blocked one for inspection', async () => {
    const plan = `agent: script
max_rework: 0
verifiers:
  commands: { test: "node check.mjs" }
autonomy: full_auto
tasks:
  - id: ok
    title: Passes
    agent_config: { steps: [ { write: { path: ok.txt, content: ok } } ] }
  - id: c
    title: Keeps failing its check
    agent_config: { steps: [ { write: { path: c.txt, content: bad } } ] }
`;
    const { repo, run, view } = await runPlan({ 'plan.yaml': plan, 'check.mjs': CHECK }, { keepGoing: true });
    expect(view.tasks.map((t) => `${t.taskId}:${t.status}`).sort()).toEqual(['c:blocked', 'ok:passed']);
    expect(existsSync(worktreePath(repo, run.slug, 'ok'))).toBe(false);
    const kept = worktreePath(repo, run.slug, 'c');
    expect(existsSync(join(kept, 'c.txt'))).toBe(true);
    expect(git(repo, 'worktree', 'list')).toContain(kept);
  });
});

/** [taskId, type] of the attempt and task events, in the order they were recorded. */
const timeline = (events: StoredEvent[]) =>
  events
    .filter((e) => e.type.startsWith('attempt.') || e.type === 'task.started')
    .map((e) => [e.taskId, e.type]);

describe('what reaches the scheduler', () => {
  it('agent_concurrency: never two sessions of a backend limited to one at once', async () => {
    const plan = `agent: script
concurrency: 3
agent_concurrency: { script: 1 }
autonomy: full_auto
tasks:
  - id: p
    title: P
    agent_config: { steps: [ { sleep_ms: 300 }, { write: { path: p.txt, content: p } } ] }
  - id: q
    title: Q
    agent_config: { steps: [ { sleep_ms: 300 }, { write: { path: q.txt, content: q } } ] }
`;
    const { final, events } = await runPlan({ 'plan.yaml': plan });
    expect(final.status).toBe('completed');
    // Walk the log: between a session's attempt.running and its end, no other session may run.
    let active: string | undefined;
    const seen: string[] = [];
    for (const [taskId, type] of timeline(events)) {
      if (type === 'attempt.running') {
        expect(
          active,
          `${taskId} ran while ${active ?? ''} did: ${JSON.stringify(timeline(events))}`,
        ).toBeUndefined();
        active = taskId;
        seen.push(taskId!);
      } else if (type === 'attempt.succeeded' || type === 'attempt.failed' || type === 'attempt.aborted') {
        if (active === taskId) active = undefined;
      }
    }
    expect(seen.sort()).toEqual(['p', 'q']);
  });

  it('estimate_s: starts the chain that will take longest first, even when it has fewer tasks', async () => {
    // By task count, first → second is the longer chain and is listed first; by estimate, lone is.
    const plan = `agent: script
concurrency: 1
autonomy: full_auto
tasks:
  - id: first
    title: First of two
    estimate_s: 1
    agent_config: { steps: [ { write: { path: first.txt, content: f } } ] }
  - id: second
    title: Second of two
    depends_on: [first]
    estimate_s: 1
    agent_config: { steps: [ { write: { path: second.txt, content: s } } ] }
  - id: lone
    title: Long on its own
    estimate_s: 600
    agent_config: { steps: [ { write: { path: lone.txt, content: l } } ] }
`;
    const { final, events } = await runPlan({ 'plan.yaml': plan });
    expect(final.status).toBe('completed');
    const started = events.filter((e) => e.type === 'task.started').map((e) => e.taskId);
    expect(started).toEqual(['lone', 'first', 'second']);
  });
});
