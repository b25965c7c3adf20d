import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatRequestInfo, ChatServer, ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import { runMain } from '../support/cli.js';
import { git } from '../support/repo.js';
import {
  DESIGN,
  md,
  PLAN,
  PLAN_WITH_GAP,
  repoWithCode,
  REQUIREMENTS,
  specDir,
  yaml,
} from './spec-support.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SPEC_MODEL = 'spec-model';
const WORKER = 'local-coder';
const JUDGE = 'judge-model';

/**
 * One server for the three roles, told apart by model: the spec phases play `phases` in order; the
 * worker writes src/greet.ts (a version per task) then says it is done; the reviewer finds every
 * criterion met.
 */
function startModels(phases: readonly string[]) {
  let phase = 0;
  return startChatServer((request: ChatRequestInfo): ChatTurn => {
    if (request.model === SPEC_MODEL) return { text: phases[phase++] ?? 'no more phases scripted' };
    if (request.model === JUDGE)
      return {
        text: `\`\`\`json\n${JSON.stringify({
          criteria: [1, 2, 3, 4, 5].map((id) => ({ id, verdict: 'met', evidence: '+export function greet' })),
          critiques: [],
          summary: 'fine',
        })}\n\`\`\``,
      };
    if (request.turn > 0) return { text: 'Done.' };
    const refuse = JSON.stringify(request.body.messages).includes('Refuse an empty name');
    const content = refuse
      ? 'export function greet(name: string) {\n  if (name === "") throw new Error("empty");\n  return `hello ${name}`;\n}\n'
      : 'export function greet(name: string) {\n  return `hello ${name}`;\n}\n';
    return { toolCalls: [{ name: 'write_file', arguments: { path: 'src/greet.ts', content } }] };
  });
}

/** A spec whose plan runs every task on the api backend with the reviewer on, merging green results. */
async function specWithRunSettings(repo: string, baseURL: string) {
  const made = await runMain(['spec', 'new', 'greet', '--from', 'feature.md'], repo);
  if (made.code !== 0) throw new Error(made.stderr);
  writeFileSync(
    join(specDir(repo), 'spec.yaml'),
    `agent: api
agents:
  api: { provider: openai-compatible, base_url: "${baseURL}", model: ${SPEC_MODEL} }
correction_rounds: 1
plan:
  agent: api
  autonomy: full_auto
  max_rework: 0
  agents:
    api: { provider: openai-compatible, base_url: "${baseURL}", model: ${WORKER} }
  reviewer: { agent: api, model: ${JUDGE} }
`,
  );
}

const exchangesOf = (s: ChatServer, model: string) => s.exchanges.filter((e) => e.body.model === model);
const text = (e: { body: { messages?: unknown } }) => JSON.stringify(e.body.messages);

interface TraceJson {
  run: { id: string; status: string } | null;
  gaps: string[];
  stories: {
    id: string;
    criteria: {
      id: string;
      tasks: {
        id: string;
        status?: string;
        mergeCommit?: string | null;
        evaluation?: { confidence: string; verdict: string | null } | null;
      }[];
    }[];
  }[];
}
const traceOf = async (repo: string) =>
  JSON.parse((await runMain(['spec', 'trace', 'greet', '--json'], repo)).stdout) as TraceJson;

describe('gaffer run --spec and gaffer spec trace', () => {
  it('refuses a plan not fit to run, then runs the approved one; each task is told and judged on the criteria it covers; trace follows', async () => {
    server = await startModels([md(REQUIREMENTS), md(DESIGN), yaml(PLAN)]);
    const repo = repoWithCode();
    await specWithRunSettings(repo, server.baseURL);
    const db = join(repo, '.gaffer', 'gaffer.db');

    // No plan yet.
    const early = await runMain(['run', '--spec', 'greet'], repo);
    expect([early.code, early.stderr]).toEqual([2, expect.stringContaining('its tasks phase is missing')]);
    expect(early.stderr).toContain('hint: write it with `gaffer spec run greet`');

    expect((await runMain(['spec', 'run', 'greet'], repo)).code).toBe(0);
    // Before any run the trace shows the plan's coverage, and no run.
    const planned = await traceOf(repo);
    expect(planned.run).toBeNull();
    expect(planned.gaps).toEqual([]);
    expect(planned.stories[0]!.criteria.map((c) => [c.id, c.tasks.map((t) => [t.id, t.status])])).toEqual([
      ['AC-1.1', [['greet-name', undefined]]],
      ['AC-1.2', [['refuse-empty', undefined]]],
    ]);

    // Not approved (the tasks gate is on by default).
    const unapproved = await runMain(['run', '--spec', 'greet'], repo);
    expect(unapproved.code).toBe(2);
    expect(unapproved.stderr).toContain('cannot run spec greet: plan.yaml is not approved');
    expect(unapproved.stderr).toContain('gaffer spec approve greet tasks');
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);

    // Stale: a person edits requirements.md after the plan was written.
    const requirements = join(specDir(repo), 'requirements.md');
    writeFileSync(requirements, REQUIREMENTS.replace('throw an error', 'refuse it'));
    const stale = await runMain(['run', '--spec', 'greet'], repo);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/plan\.yaml is stale: requirements\.md changed \(\w{12} → \w{12}\)/);
    writeFileSync(requirements, REQUIREMENTS);

    // A plan file and --spec, or neither: one of them.
    for (const args of [
      ['run'],
      ['run', 'plan.yaml', '--spec', 'greet'],
      ['run', 'x.yaml', '--allow-gaps'],
    ]) {
      const bad = await runMain(args, repo);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/give a plan file or --spec <id>|--allow-gaps goes with a spec's plan/);
    }
    // Nothing of a run was created by any refusal.
    expect(existsSync(db)).toBe(false);
    expect(exchangesOf(server, WORKER)).toHaveLength(0);

    const ran = await runMain(['run', '--spec', 'greet'], repo);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('(spec greet)');
    // Each worker and each reviewer got the text of the criteria its task covers, and only those.
    const workerFirst = exchangesOf(server, WORKER).filter((e) => !text(e).includes('Done.'));
    const greetWorker = workerFirst.find((e) => text(e).includes('Greet by name'))!;
    expect(text(greetWorker)).toContain('AC-1.1: WHEN greet is called with a name THE SYSTEM SHALL return');
    const reviews = exchangesOf(server, JUDGE).filter((e) => !text(e).includes('the whole run of plan'));
    expect(reviews).toHaveLength(2);
    const greetReview = reviews.find((e) => text(e).includes('Task greet-name'))!;
    expect(text(greetReview)).toContain('1. AC-1.1: WHEN greet is called with a name');
    expect(text(greetReview)).not.toContain('AC-1.2');
    const refuseReview = reviews.find((e) => text(e).includes('Task refuse-empty'))!;
    expect(text(refuseReview)).toContain(
      '1. AC-1.2: IF the name is empty THEN THE SYSTEM SHALL throw an error',
    );

    // The run remembers its spec, and the trace finds it: status, merge commit, evaluation per criterion.
    const status = JSON.parse((await runMain(['status', '--json'], repo)).stdout) as {
      run: { id: string; options: { spec?: string }; integrationBranch: string };
    };
    expect(status.run.options.spec).toBe('greet');
    const traced = await traceOf(repo);
    expect(traced.run).toMatchObject({ id: status.run.id, status: 'completed' });
    const [ac11, ac12] = traced.stories[0]!.criteria;
    expect(ac11!.tasks).toEqual([
      {
        id: 'greet-name',
        title: 'Greet by name',
        status: 'passed',
        mergeCommit: expect.stringMatching(/^[0-9a-f]{40}$/) as string,
        evaluation: { confidence: 'green', score: 1, verdict: 'met', evidence: '+export function greet' },
      },
    ]);
    expect(ac12!.tasks[0]).toMatchObject({
      id: 'refuse-empty',
      status: 'passed',
      evaluation: { verdict: 'met' },
    });
    expect(git(repo, 'log', '--format=%H', status.run.integrationBranch)).toContain(
      ac12!.tasks[0]!.mergeCommit,
    );
    const shown = (await runMain(['spec', 'trace', 'greet'], repo)).stdout;
    expect(shown).toContain(`spec greet — run ${status.run.id} (completed)`);
    expect(shown).toMatch(
      /→ greet-name \(Greet by name\): passed, merged [0-9a-f]{10}, green 1\.00, reviewer: met/,
    );
  }, 180_000);

  it('refuses a plan with a coverage gap unless --allow-gaps, and the trace shows the gap', async () => {
    server = await startModels([md(REQUIREMENTS), md(DESIGN), yaml(PLAN_WITH_GAP)]);
    const repo = repoWithCode();
    await specWithRunSettings(repo, server.baseURL);
    expect((await runMain(['spec', 'run', 'greet'], repo)).code).toBe(0);
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);
    const trace = await runMain(['spec', 'trace', 'greet'], repo);
    expect(trace.stdout).toContain('gap: no task covers AC-1.2');
    expect((await traceOf(repo)).gaps).toEqual(['AC-1.2']);

    const refused = await runMain(['run', '--spec', 'greet'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot run spec greet: no task covers AC-1.2');
    expect(refused.stderr).toContain('`gaffer run --spec greet --allow-gaps`');
    expect(existsSync(join(repo, '.gaffer', 'gaffer.db'))).toBe(false);

    const ran = await runMain(['run', '--spec', 'greet', '--allow-gaps'], repo);
    expect(ran.stderr).toContain('warning: no task covers AC-1.2 (--allow-gaps)');
    expect(ran.code).toBe(0);
    const traced = await traceOf(repo);
    expect(traced.run?.status).toBe('completed');
    expect(traced.stories[0]!.criteria[1]!.tasks).toEqual([]);
    expect(readFileSync(join(specDir(repo), 'plan.yaml'), 'utf8')).toContain('covers:');
  }, 180_000);
});
