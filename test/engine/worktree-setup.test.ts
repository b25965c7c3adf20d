import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlanValidationError } from '../../src/domain/index.js';
import type { StoredEvent } from '../../src/domain/index.js';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { git, makeRepo, writeFiles } from '../support/repo.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A tarball of the package `dep` whose export is `v<major>`, made offline with npm pack. */
function packDep(major: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'gaffer-dep-'));
  writeFiles(dir, {
    'package.json': JSON.stringify({ name: 'dep', version: `${major}.0.0`, main: 'index.js' }),
    'index.js': `module.exports = 'v${major}';\n`,
  });
  execFileSync('npm', ['pack', '--silent'], { cwd: dir, stdio: 'pipe' });
  return join(dir, `dep-${major}.0.0.tgz`);
}

/** package.json and package-lock.json for `dep` at `major`, from a local tarball (no registry). */
function manifests(major: number): { pkg: string; lock: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gaffer-lock-'));
  mkdirSync(join(dir, 'vendor'));
  copyFileSync(packDep(major), join(dir, 'vendor', `dep-${major}.0.0.tgz`));
  const pkg = JSON.stringify({
    name: 'app',
    private: true,
    scripts: { test: 'node test.js' },
    dependencies: { dep: `file:vendor/dep-${major}.0.0.tgz` },
  });
  writeFileSync(join(dir, 'package.json'), pkg);
  execFileSync('npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'pipe',
  });
  return { pkg, lock: readFileSync(join(dir, 'package-lock.json'), 'utf8') };
}

/** The check: the `dep` a task's code loads is the one its own lock file names. */
const TEST_JS = `const installed = require('dep');
const locked = require('./package-lock.json').packages['node_modules/dep'].version;
if (installed !== 'v' + locked.split('.')[0]) {
  console.error('FAIL: loaded dep ' + installed + ' but package-lock.json has ' + locked);
  process.exit(1);
}
console.log('ok: dep ' + installed);
`;

/** A repository of an app depending on `dep` 2 by tarball, with `dep` 3's tarball beside it. */
function nodeRepo(plan: string): string {
  const two = manifests(2);
  const repo = makeRepo({
    'package.json': two.pkg,
    'package-lock.json': two.lock,
    'test.js': TEST_JS,
    '.gitignore': 'node_modules/\n.env\n',
    'plan.yaml': plan,
  });
  mkdirSync(join(repo, 'vendor'));
  copyFileSync(packDep(2), join(repo, 'vendor', 'dep-2.0.0.tgz'));
  copyFileSync(packDep(3), join(repo, 'vendor', 'dep-3.0.0.tgz'));
  git(repo, 'add', 'vendor');
  git(repo, 'commit', '-q', '-m', 'vendor');
  // The main checkout's own install is stale (dep 1): a check that finds it fails.
  writeFiles(repo, {
    'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0' }),
    'node_modules/dep/index.js': "module.exports = 'v1';\n",
    '.env': 'GREETING=from-the-main-checkout\n',
  });
  return repo;
}

const node = (script: string) => `{ argv: [node, -e, ${JSON.stringify(script)}] }`;

async function drive(repo: string) {
  store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
  const engine = createEngine({ store, controlPollMs: 50 });
  const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  const final = await engine.driveRun(run.id);
  const events: StoredEvent[] = [];
  for await (const event of engine.tailEvents(run.id, { follow: false })) events.push(event);
  return { run, final, view: await engine.runView(run.id), events };
}

const setups = (events: readonly StoredEvent[]) =>
  events.flatMap((e) =>
    e.type === 'task.setup-completed'
      ? [{ task: e.taskId, why: e.data.why, passed: e.data.result.passed }]
      : [],
  );

describe('worktree setup with npm ci', () => {
  it("copies .env, runs npm ci once per worktree and again only when package-lock.json changes; checks use the worktree's own install", async () => {
    const three = manifests(3);
    const switchToThree = `const fs = require('node:fs');
fs.writeFileSync('package.json', ${JSON.stringify(three.pkg)});
fs.writeFileSync('package-lock.json', ${JSON.stringify(three.lock)});`;
    const repo = nodeRepo(`agent: command
concurrency: 1
max_rework: 1
worktree:
  copy: [.env]
  setup: npm ci --prefer-offline --no-audit --no-fund
  setup_when_changed: [package-lock.json]
  keep: [node_modules]
autonomy: full_auto
tasks:
  - id: greet
    title: Writes the greeting from .env
    agent_config: ${node("require('node:fs').writeFileSync('greeting.txt', require('node:fs').readFileSync('.env', 'utf8'))")}
  - id: upgrade
    title: Moves to dep 3
    depends_on: [greet]
    agent_config: ${node(switchToThree)}
  - id: after
    title: Adds a file on dep 3
    depends_on: [upgrade]
    agent_config: ${node("require('node:fs').writeFileSync('after.txt', require('dep'))")}
`);
    const { run, final, view, events } = await drive(repo);
    expect(final.status).toBe('completed');
    // The copy reached the agent, and never a commit.
    expect(git(repo, 'show', `${run.integrationBranch}:greeting.txt`)).toBe(
      'GREETING=from-the-main-checkout',
    );
    expect(git(repo, 'ls-tree', '--name-only', run.integrationBranch).split('\n')).not.toContain('.env');
    // upgrade changed the lock file: its evaluation ran npm ci again before its check, which
    // loaded dep 3 and passed at the first attempt.
    const upgrade = view.attempts.filter((a) => a.taskId === 'upgrade');
    expect(upgrade.map((a) => a.evaluation?.results.map((r) => [r.name, r.passed]))).toEqual([
      [
        ['setup', true],
        ['test', true],
      ],
    ]);
    // greet's worktree went to the pool and served upgrade and after: one setup before an agent,
    // the other (upgrade's lock file) a check of upgrade's evaluation.
    expect(setups(events)).toEqual([{ task: 'greet', why: 'new worktree', passed: true }]);
    expect(git(repo, 'show', `${run.integrationBranch}:after.txt`)).toBe('v3');
    // The main checkout's own install was never touched.
    expect(readFileSync(join(repo, 'node_modules', 'dep', 'index.js'), 'utf8')).toContain('v1');
  });

  it('blocks the task with the output tail when its setup fails, and starts no agent for it', async () => {
    // The setup works on the base; the first task merges what breaks it for the next one. Its own
    // evaluation does not run the setup again (no setup_when_changed file changed); the next task
    // gets its worktree from the pool, which kept nothing of the setup, so its setup runs.
    const repo = nodeRepo(`agent: command
concurrency: 1
verifiers: { skip: [test] }
worktree:
  setup: "if [ -f broken ]; then echo 'npm ERR! the registry is down' >&2; exit 3; fi"
  keep: []
autonomy: full_auto
tasks:
  - id: breaks
    title: Breaks the setup
    agent_config: ${node("require('node:fs').writeFileSync('broken', '1')")}
  - id: next
    title: Never starts
    depends_on: [breaks]
    agent_config: ${node("require('node:fs').writeFileSync('next.txt', '1')")}
`);
    const { final, view, events } = await drive(repo);
    expect(final.status).toBe('failed');
    expect(view.attempts.map((a) => a.taskId)).toEqual(['breaks']);
    const next = view.tasks.find((t) => t.taskId === 'next');
    expect(next?.status).toBe('blocked');
    expect(next?.reason).toContain('worktree setup failed (exit 3)');
    expect(next?.reason).toContain('npm ERR! the registry is down');
    expect(setups(events)).toEqual([
      { task: 'breaks', why: 'new worktree', passed: true },
      { task: 'next', why: 'reused worktree: nothing of the setup was kept', passed: false },
    ]);
    const failed = events.find((e) => e.type === 'task.setup-completed' && e.taskId === 'next');
    expect(failed?.type === 'task.setup-completed' && failed.data.result).toMatchObject({
      name: 'setup',
      passed: false,
      exitCode: 3,
      output: expect.stringContaining('npm ERR! the registry is down') as string,
    });
  });

  it('fails the run before any agent when the setup fails on the base commit', async () => {
    const repo = nodeRepo(`agent: command
worktree: { setup: "echo 'npm ERR! no lock file' >&2; exit 3" }
autonomy: full_auto
tasks:
  - id: one
    title: Never starts
    agent_config: ${node("require('node:fs').writeFileSync('one.txt', '1')")}
`);
    store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    const engine = createEngine({ store, controlPollMs: 50 });
    const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    await expect(engine.driveRun(run.id)).rejects.toThrow(/setup: cannot run \(exit code 3\)/);
    expect((await engine.runView(run.id)).attempts).toEqual([]);
  });

  it('links the main checkout’s folder into the worktree, readable by the checks', async () => {
    const repo = nodeRepo(`agent: command
worktree:
  link: [node_modules]
verifiers:
  commands: { test: [node, -e, "process.exit(require('./node_modules/dep') === 'v1' ? 0 : 1)"] }
autonomy: full_auto
tasks:
  - id: look
    title: Looks at node_modules
    agent_config: ${node("const fs = require('node:fs'); fs.writeFileSync('seen.txt', String(fs.lstatSync('node_modules/dep').isSymbolicLink()) + ' ' + require('./node_modules/dep'))")}
`);
    const { run, final } = await drive(repo);
    expect(final.status).toBe('completed');
    expect(git(repo, 'show', `${run.integrationBranch}:seen.txt`)).toBe('true v1');
    // Folder entries are links; the folder is a real one that .gitignore's node_modules/ ignores.
    expect(git(repo, 'ls-tree', '--name-only', run.integrationBranch).split('\n')).not.toContain(
      'node_modules',
    );
  });
});

describe('bad worktree input', () => {
  const create = async (repo: string) => {
    store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    return createEngine({ store }).createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
  };

  it('refuses a copy that does not exist in the main checkout, at its line, and creates no run', async () => {
    const repo = makeRepo({
      'plan.yaml': 'agent: command\nworktree:\n  copy:\n    - .env.local\ntasks:\n  - { id: a, title: A }\n',
    });
    const error = await create(repo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).issues[0]).toMatchObject({
      line: 4,
      message: expect.stringContaining(
        'worktree.copy ".env.local" does not exist in the main checkout',
      ) as string,
    });
    expect(git(repo, 'branch', '--list', 'gaffer/*')).toBe('');
  });

  it('refuses a copy git does not ignore (it would be committed), and warns of submodules', async () => {
    const repo = makeRepo({
      'plan.yaml':
        'agent: command\nagents: { command: { argv: [node, -e, "0"] } }\nworktree: { copy: [.env] }\ntasks:\n  - { id: a, title: A }\n',
      '.gitmodules': '[submodule "lib"]\n\tpath = lib/vendored\n\turl = https://example.invalid/lib.git\n',
    });
    writeFiles(repo, { '.env': 'TOKEN=1\n' });
    await expect(create(repo)).rejects.toThrow(/"\.env" is not ignored by git/);
    writeFiles(repo, { '.gitignore': '.env\n' });
    git(repo, 'add', '.gitignore');
    git(repo, 'commit', '-q', '-m', 'ignore .env');
    const run = await create(repo);
    const warnings = (await store!.readEvents({ runId: run.id, types: ['run.warning'] })).map((e) =>
      e.type === 'run.warning' ? e.data.warning : '',
    );
    expect(warnings).toEqual([expect.stringContaining('submodules (lib/vendored)')]);
  });
});
