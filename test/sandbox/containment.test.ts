import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { makeRepo } from '../support/repo.js';

/**
 * The agent: tries to write the main checkout, the home directory and the repository's git
 * config, prints what PID 1 and the process table show, then does its work. Its check tries to
 * write the main checkout too.
 */
const AGENT = `import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
const [repo, home] = process.argv.slice(2);
const attempt = (what, fn) => { try { fn(); console.log(what + ': done'); } catch (e) { console.log(what + ': refused (' + e.code + ')'); } };
attempt('main checkout', () => writeFileSync(repo + '/escaped.txt', 'x'));
attempt('home', () => writeFileSync(home + '/.ssh/authorized_keys', 'attacker'));
attempt('git config', () => appendFileSync(repo + '/.git/config', '[core]\\n\\tfsmonitor = /tmp/evil\\n'));
console.log('environ: ' + readFileSync('/proc/1/environ', 'utf8').split('\\0').join(' '));
console.log('processes: ' + readdirSync('/proc').filter((e) => /^\\d+$/.test(e)).length);
writeFileSync('work.txt', 'done');
`;
const CHECK = `import { writeFileSync } from 'node:fs';
try { writeFileSync(process.argv[2] + '/check-escaped.txt', 'x'); } catch {}
`;

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function run(sandbox: string) {
  const home = mkdtempSync(join(tmpdir(), 'gaffer-fake-home-'));
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh', 'authorized_keys'), 'mine\n');
  const repo = makeRepo({ 'agent.mjs': AGENT, 'check.mjs': CHECK });
  const plan = `agent: command
${sandbox}
agents:
  command: { argv: [${JSON.stringify(process.execPath)}, agent.mjs, ${JSON.stringify(repo)}, ${JSON.stringify(home)}] }
verifiers: { commands: { test: ${JSON.stringify(`node check.mjs ${repo}`)} } }
tasks:
  - id: t
    title: Hostile
`;
  // Outside the repository: the base must be clean.
  const planPath = join(home, 'plan.yaml');
  writeFileSync(planPath, plan);
  const gitConfig = readFileSync(join(repo, '.git', 'config'), 'utf8');
  const store = await openStore(join(tmpdir(), `gaffer-containment-${process.pid}-${Date.now()}.db`));
  stores.push(store);
  const secret = `s3cret-${Math.random().toString(36).slice(2)}`;
  const engine = createEngine({
    store,
    env: { ...process.env, HOME: home, GAFFER_TEST_DB_PASSWORD: secret },
  });
  const created = await engine.createRun({ planPath, cwd: repo, keepGoing: true });
  const final = await engine.driveRun(created.id);
  const [attempt] = await engine.attempts(created.id);
  const output = (await engine.transcript(attempt!))
    .map((line) => (line.event.type === 'output' ? line.event.text : ''))
    .join('\n');
  return {
    final,
    output,
    secret,
    events: await store.readEvents({ runId: created.id }),
    escaped: existsSync(join(repo, 'escaped.txt')),
    checkEscaped: existsSync(join(repo, 'check-escaped.txt')),
    keys: readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8'),
    gitConfigKept: readFileSync(join(repo, '.git', 'config'), 'utf8') === gitConfig,
  };
}

describe.skipIf(process.platform !== 'linux')('the sandbox around agents and checks', () => {
  it('keeps the agent and its check inside the worktree, away from the home and the repository’s config', async () => {
    const result = await run('');
    expect(result.final.status).toBe('completed');
    expect(result.escaped).toBe(false);
    expect(result.checkEscaped).toBe(false);
    expect(result.keys).toBe('mine\n');
    expect(result.gitConfigKept).toBe(true);
    expect(result.output).toContain('git config: refused (EROFS)');
    // PID 1 is the sandbox, started with the agent's own environment: no parent secret in it.
    expect(result.output).toMatch(/environ: .*GAFFER_TASK_ID=t/);
    expect(result.output).not.toContain(result.secret);
    expect(Number(/processes: (\d+)/.exec(result.output)?.[1])).toBeLessThan(10);
    expect(result.events.some((e) => e.type === 'run.unsandboxed')).toBe(false);
  });

  it('with `sandbox: off` the same agent reaches everything, and every drive says so', async () => {
    const result = await run('sandbox: off');
    expect(result.escaped).toBe(true);
    expect(result.checkEscaped).toBe(true);
    expect(result.keys).toBe('attacker');
    expect(result.events.filter((e) => e.type === 'run.unsandboxed')).toHaveLength(1);
  });
});
