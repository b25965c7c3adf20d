import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followRun } from '../../src/cli/follow-run.js';
import { createWorkspaceEngine, taskActivities } from '../../src/engine/index.js';
import { captureOutput, runMain } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

// In-process through `main`: none of this needs a process of its own.

/** Passes on the base (no answer yet) and for 42; anything else fails with a line worth reading. */
const CHECK = `const fs = require('node:fs');
const answer = fs.existsSync('answer.txt') ? fs.readFileSync('answer.txt', 'utf8').trim() : '42';
console.log('checking the answer');
if (answer !== '42') { console.error('expected 42, got ' + answer); process.exit(1); }
`;

/** The first attempt gets it wrong, the rework right: one failed and one passed evaluation. */
const REWORK_PLAN = `agent: script
verifiers:
  commands: { test: "node check.js" }
autonomy: full_auto
tasks:
  - id: calc
    title: Calc
    agent_config:
      attempts:
        - [ { say: "writing the answer" }, { write: { path: answer.txt, content: "41" } } ]
        - [ { write: { path: answer.txt, content: "42" } } ]
`;

const reworkRepo = () => makeRepo({ 'plan.yaml': REWORK_PLAN, 'check.js': CHECK });

interface StatusJson {
  run: { id: string; status: string; plan?: unknown };
  attempts: {
    number: number;
    outcome: string;
    evaluation: {
      passed: boolean;
      results: {
        name: string;
        command: string;
        exitCode: number | null;
        durationMs: number;
        output: string;
      }[];
    } | null;
  }[];
}

describe('every check visible', () => {
  it('gaffer status shows each attempt by its outcome with the checks that ran: command, exit code, tail', async () => {
    const repo = reworkRepo();
    expect((await runMain(['run', 'plan.yaml'], repo)).code).toBe(0);

    const status = await runMain(['status'], repo);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('#1 first on script: agent succeeded, checks failed: test');
    expect(status.stdout).toMatch(/✗ test {2}node check\.js {2}\(exit 1, \d+(ms|\.\ds)\)/);
    expect(status.stdout).toContain('│ expected 42, got 41');
    expect(status.stdout).toContain('#2 rework on script: agent succeeded, checks passed');
    expect(status.stdout).toMatch(/✓ test {2}node check\.js {2}\(exit 0, /);
  });

  it('labels an attempt the agent failed by its failure, and says it was retried', async () => {
    const plan = `agent: script
retry: { initial_interval_s: 0 }
autonomy: full_auto
tasks:
  - id: flaky
    title: Flaky
    agent_config:
      steps: [ { fail: { kind: rate_limited, message: "429 slow down", times: 1 } }, { write: { path: f.txt, content: f } } ]
`;
    const repo = makeRepo({ 'plan.yaml': plan });
    expect((await runMain(['run', 'plan.yaml'], repo)).code).toBe(0);
    const status = await runMain(['status'], repo);
    expect(status.stdout).toContain(
      '#1 first on script: agent failed (rate limited): 429 slow down — retried',
    );
    expect(status.stdout).toContain('#2 retry on script: agent succeeded, no checks ran');
    expect(status.stdout).toMatch(/^ {6}! no checks ran$/m);
  });

  it('gaffer status --json carries every evaluation and each attempt’s outcome', async () => {
    const repo = reworkRepo();
    await runMain(['run', 'plan.yaml'], repo);
    const result = await runMain(['status', '--json'], repo);
    const status = JSON.parse(result.stdout) as StatusJson;
    expect(status.run.plan).toBeUndefined();
    expect(status.attempts.map((a) => a.outcome)).toEqual([
      'agent succeeded, checks failed: test',
      'agent succeeded, checks passed',
    ]);
    const [failed] = status.attempts[0]!.evaluation!.results;
    expect(failed).toMatchObject({ name: 'test', command: 'node check.js', exitCode: 1, passed: false });
    expect(failed!.output).toContain('expected 42, got 41');
    expect(failed!.durationMs).toBeGreaterThanOrEqual(0);
    expect(status.attempts[1]!.evaluation).toMatchObject({ passed: true });
  });

  it('gaffer logs --task prints the transcript as readable lines and the checks of each attempt', async () => {
    const repo = reworkRepo();
    await runMain(['run', 'plan.yaml'], repo);
    const logs = await runMain(['logs', '--task', 'calc'], repo);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('── attempt 1 (first, script) ── agent succeeded, checks failed: test');
    expect(logs.stdout).toMatch(/^\d\d:\d\d:\d\d {2}writing the answer$/m);
    expect(logs.stdout).toMatch(/^\d\d:\d\d:\d\d {2}→ write answer\.txt$/m);
    expect(logs.stdout).toMatch(/^\d\d:\d\d:\d\d {2}← wrote 2 chars to answer\.txt$/m);
    expect(logs.stdout).toMatch(/✗ test {2}node check\.js {2}\(exit 1, /);
    expect(logs.stdout).toContain('│ expected 42, got 41');
    expect(logs.stdout).toContain('── attempt 2 (rework, script) ── agent succeeded, checks passed');
    expect(logs.stdout).not.toContain('{"type"'); // no raw records in the readable form
  });

  it('gaffer logs --json prints raw records, one JSON object per line', async () => {
    const repo = reworkRepo();
    await runMain(['run', 'plan.yaml'], repo);
    const logs = await runMain(['logs', '--task', 'calc', '--json'], repo);
    const records = logs.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = records.filter((r) => typeof r.type === 'string');
    expect(events.map((e) => e.type)).toContain('evaluation.completed');
    const attempts = records.filter((r) => r.attempt !== undefined) as {
      attempt: { id: string; outcome: string; evaluation: { results: { name: string }[] } };
    }[];
    expect(attempts.map((a) => a.attempt.outcome)).toEqual([
      'agent succeeded, checks failed: test',
      'agent succeeded, checks passed',
    ]);
    expect(attempts[0]!.attempt.evaluation.results.map((r) => r.name)).toEqual(['test']);
    const transcript = records.filter((r) => r.event !== undefined);
    expect(transcript).toContainEqual({
      attemptId: attempts[0]!.attempt.id,
      at: expect.any(String) as string,
      event: { type: 'text', text: 'writing the answer' },
    });
  });
});

describe('gaffer runs', () => {
  it('lists the runs newest first with status, tasks passed and cost; --json has the same', async () => {
    const repo = reworkRepo();
    const broken = `agent: script
max_rework: 0
verifiers:
  commands: { test: "node check.js" }
autonomy: full_auto
tasks:
  - id: calc
    title: Calc
    agent_config: { steps: [ { write: { path: answer.txt, content: "0" } } ] }
`;
    writeFileSync(join(repo, 'broken.yaml'), broken);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'a plan that fails');
    const first = await runMain(['run', 'plan.yaml', '--json'], repo);
    expect(first.code).toBe(0);
    const second = await runMain(['run', 'broken.yaml', '--json'], repo);
    expect(second.code, second.stderr).toBe(1);

    const json = JSON.parse((await runMain(['runs', '--json'], repo)).stdout) as {
      id: string;
      status: string;
      tasks: number;
      passed: number;
      usage: { costUsd: number };
    }[];
    expect(json.map((r) => [r.status, r.passed, r.tasks])).toEqual([
      ['failed', 0, 1],
      ['completed', 1, 1],
    ]);
    const table = (await runMain(['runs'], repo)).stdout.split('\n');
    expect(table[0]).toMatch(/^RUN\s+STATUS\s+PASSED\s+ATTEMPTS\s+COST/);
    expect(table[1]).toMatch(
      new RegExp(`^${json[0]!.id}\\s+failed\\s+0/1\\s+1\\s+\\$0\\.0000\\s+.*broken\\.yaml$`),
    );
    expect(table[2]).toMatch(
      new RegExp(`^${json[1]!.id}\\s+completed\\s+1/1\\s+2\\s+\\$0\\.0000\\s+.*plan\\.yaml$`),
    );
  });
});

describe('CLI manners', () => {
  it('gaffer --version prints the package version', async () => {
    const result = await runMain(['--version'], makeRepo({ 'README.md': 'x\n' }));
    expect(result.code).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(result.stdout).toBe(`${pkg.version}\n`);
  });

  it('a usage error prints the error, the one usage line and a hint — not the whole help — and exits 2', async () => {
    const repo = makeRepo({ 'plan.yaml': REWORK_PLAN });
    const result = await runMain(['plan', 'check'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      "error: missing required argument 'file'",
      'usage: gaffer plan check [options] <file>',
      '  hint: run `gaffer plan check --help` for the options',
    ]);
    // `gaffer run` takes a plan file or --spec: with neither it says so, with an example of each.
    const run = await runMain(['run'], repo);
    expect([run.code, run.stderr.trimEnd().split('\n')]).toEqual([
      2,
      [
        'error: give a plan file or --spec <id>',
        '  hint: e.g. `gaffer run plan.yaml`, or `gaffer run --spec login` for the plan of a spec',
      ],
    ]);
    const nested = await runMain(['plan', 'check', 'plan.yaml', '--frobnicate'], repo);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain('usage: gaffer plan check [options] <file>');
    expect(nested.stderr).not.toContain('Options:');
  });

  it('read-only commands in a repository without runs say so and leave no .gaffer/ behind', async () => {
    const repo = makeRepo({ 'plan.yaml': REWORK_PLAN });
    for (const args of [['status'], ['status', '--json'], ['logs'], ['logs', '--task', 'calc']]) {
      const result = await runMain(args, repo);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('error: there are no runs in this workspace yet');
      expect(result.stderr).toContain('hint: start one with `gaffer run plan.yaml`');
    }
    expect((await runMain(['runs'], repo)).stdout).toContain('no runs in this workspace yet');
    expect((await runMain(['runs', '--json'], repo)).stdout).toBe('[]\n');
    expect((await runMain(['checks'], repo)).code).toBe(0);
    expect((await runMain(['clean'], repo)).stdout).toBe('nothing to clean\n');
    expect(existsSync(join(repo, '.gaffer'))).toBe(false);
  });

  it('gaffer clean removes the task branches of ended runs too, unless --keep-branches', async () => {
    const plan = `agent: script
max_rework: 0
verifiers:
  commands: { test: "node check.js" }
autonomy: full_auto
tasks:
  - id: good
    title: Good
    agent_config: { steps: [ { write: { path: good.txt, content: g } } ] }
  - id: bad
    title: Bad
    agent_config: { steps: [ { write: { path: answer.txt, content: "7" } } ] }
`;
    const repo = makeRepo({ 'plan.yaml': plan, 'check.js': CHECK });
    const run = await runMain(['run', 'plan.yaml', '--keep-going'], repo);
    expect(run.code).toBe(1);
    const runId = (JSON.parse((await runMain(['runs', '--json'], repo)).stdout) as { id: string }[])[0]!.id;
    const taskBranches = () => git(repo, 'branch', '--list', 'gaffer-tasks/*', '--format=%(refname:short)');
    expect(taskBranches().split('\n').sort()).toEqual([
      `gaffer-tasks/${runId}/bad`,
      `gaffer-tasks/${runId}/good`,
    ]);
    const kept = join(repo, '.gaffer', 'worktrees', runId, 'bad');
    expect(existsSync(kept)).toBe(true);

    const keep = await runMain(['clean', '--keep-branches'], repo);
    expect(keep.stdout).toContain(`removed worktree ${kept}`);
    expect(existsSync(kept)).toBe(false);
    expect(taskBranches().split('\n')).toHaveLength(2);

    const clean = await runMain(['clean'], repo);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`deleted branch gaffer-tasks/${runId}/bad`);
    expect(clean.stdout).toContain('removed 0 worktrees and 2 task branches');
    expect(taskBranches()).toBe('');
    expect(git(repo, 'branch', '--list', `gaffer/${runId}`)).toContain(`gaffer/${runId}`);
  });

  it('plan check names an unknown agent with a suggestion, and a missing agent binary', async () => {
    const repo = makeRepo({
      'plan.yaml': `agent: scrpit\ntasks:\n  - id: a\n    title: A\n`,
      'missing.yaml': `tasks:\n  - id: a\n    title: A\n    agent: command\nagents:\n  command: { argv: [gaffer-no-such-agent, "{prompt}"] }\n`,
    });
    const unknown = await runMain(['plan', 'check', 'plan.yaml'], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: plan.yaml:1:1: unknown agent "scrpit"');
    expect(unknown.stderr).toContain('hint: did you mean "script"?');

    const missing = await runMain(['plan', 'check', 'missing.yaml', '--json'], repo);
    expect(missing.code).toBe(2);
    const { errors } = JSON.parse(missing.stdout) as {
      errors: { kind: string; line: number; message: string }[];
    };
    expect(errors).toEqual([
      expect.objectContaining({
        kind: 'agent-unavailable',
        line: 4,
        message: 'agent "command": agent binary "gaffer-no-such-agent" not found',
      }),
    ]);
    expect(existsSync(join(repo, '.gaffer'))).toBe(false);
  });
});

// A gate the agent's step (or the check) waits on, so the test sees the task mid-flight however
// long a loaded machine takes to get there.
const GATE = `const fs = require('node:fs');
const timer = setInterval(() => fs.existsSync(process.argv[2]) && clearInterval(timer), 25);
`;
/** The check waits only where the agent has worked: on the base commit it passes at once. */
const CHECK_GATE = `const fs = require('node:fs');
if (fs.existsSync('s.txt')) require('./gate.js');
`;

describe('the live table says what each task is doing now', () => {
  it('shows the agent’s latest tool call, then which check runs', async () => {
    const gates = mkdtempSync(join(tmpdir(), 'gaffer-gates-'));
    const [agentGate, checkGate] = [join(gates, 'agent'), join(gates, 'check')];
    // The gates live outside the worktree: the sandbox lets agent and check read them.
    const plan = `agent: script
sandbox: { readable: [${JSON.stringify(gates)}] }
verifiers:
  commands: { test: [node, check-gate.js, ${JSON.stringify(checkGate)}] }
autonomy: full_auto
tasks:
  - id: slow
    title: Slow
    agent_config: { steps: [ { say: "looking around" }, { run: [node, gate.js, ${JSON.stringify(agentGate)}] }, { write: { path: s.txt, content: s } } ] }
`;
    const repo = makeRepo({ 'plan.yaml': plan, 'gate.js': GATE, 'check-gate.js': CHECK_GATE });
    const engine = createWorkspaceEngine({ cwd: repo });
    const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    const output = captureOutput({ isTTY: true, columns: 200 });
    const follower = followRun(engine, run.id, output, 'table', 20);
    const driving = engine.driveRun(run.id);

    const note = (want: RegExp) =>
      waitFor(async () => {
        const events = [];
        for await (const event of engine.tailEvents(run.id)) events.push(event);
        const notes = await taskActivities(await engine.runView(run.id), events);
        return want.test(notes.get('slow') ?? '') && notes.get('slow');
      }, `the note to match ${want}`);
    expect(await note(/^run node gate\.js /)).toBe(`run node gate.js ${agentGate}`);
    await waitFor(() => /slow\s+running\s.*run node gate\.js/.test(output.stdout), 'the table to show it');
    writeFileSync(agentGate, '');

    expect(await note(/checking/)).toBe('checking: test');
    await waitFor(() => /slow\s+evaluating\s.*checking: test/.test(output.stdout), 'the table to show it');
    writeFileSync(checkGate, '');

    expect((await driving).status).toBe('completed');
    await follower.stop();
    expect((await taskActivities(await engine.runView(run.id))).size).toBe(0);
    await engine.close();
  });
});
