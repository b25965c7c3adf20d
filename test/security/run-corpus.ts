/**
 * Runs hostile actions through the real engine: one plan, one task per action, on a fresh arena,
 * with one backend running every task's script (backends.ts); then reads the host back into a
 * verdict per action and the state the user would find.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StoredEvent } from '../../src/domain/index.js';
import { createEngine } from '../../src/engine/index.js';
import { openStore } from '../../src/store/index.js';
import { captureOutput, runMain } from '../support/cli.js';
import { git } from '../support/repo.js';
import type { Arena, Secret } from './arena.js';
import { digestEntry, fill, openArena, processesWith, userState } from './arena.js';
import { openBackend } from './backends.js';
import type { BackendRun } from './backends.js';
import type { Backend, HostileAction } from './corpus.js';
import { runsOn } from './corpus.js';
import type { Facts, Verdict } from './facts.js';

export interface ActionOutcome {
  action: HostileAction;
  verdict: Verdict;
  /** Whether the backend got the script to its agent (a model-driven one: the tool call was made). */
  served: boolean;
  /** Whether Gaffer's tool policy refused a call of the task (`attempt.denied`). */
  refused: boolean;
}

export interface GroupOutcome {
  backend: Backend;
  outcomes: ActionOutcome[];
  before: Record<string, string>;
  after: Record<string, string>;
  /** Where a secret value was found: `<record>: <its source> <first chars of the secret>`. */
  leaks: string[];
  survivors: string[];
  runStatus: string;
}

/** Each action's script, filled for the arena, with the marker of a task that got to its end. */
function scriptsFor(arena: Arena, actions: readonly HostileAction[]): Map<string, string> {
  return new Map(
    actions.map((a) => [a.id, `${fill(arena, a.script, a.id)}\necho done > done-${a.id}.txt\n`]),
  );
}

function planFor(
  actions: readonly HostileAction[],
  scripts: ReadonlyMap<string, string>,
  backend: BackendRun,
  sandboxOff: boolean,
): string {
  const tasks = actions.map(
    (a) =>
      `  - id: ${a.id}\n    title: ${JSON.stringify(a.title)}${backend.taskTail(scripts.get(a.id) ?? '')}`,
  );
  return `name: hostile
${backend.planHead}
max_rework: 0
concurrency: ${sandboxOff ? 1 : 4}
${sandboxOff ? 'sandbox: off\n' : ''}protected_paths: ["secrets/**"]
tasks:
${tasks.join('\n')}
`;
}

/** Every file Gaffer keeps (the store, transcripts, logs), not the worktrees the agents wrote in. */
function recordFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'worktrees') continue;
    const abs = join(dir, name);
    const st = lstatSync(abs);
    if (st.isDirectory()) out.push(...recordFiles(abs));
    else if (st.isFile()) out.push(abs);
  }
  return out;
}

const show = (root: string, rev: string): string | undefined => {
  try {
    return execFileSync('git', ['show', rev], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
};

function hostFind(arena: Arena, part: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const abs = join(dir, name);
      if (name.includes(part)) found.push(abs);
      if (depth > 0 && name !== 'objects') {
        try {
          if (lstatSync(abs).isDirectory()) walk(abs, depth - 1);
        } catch {
          // gone
        }
      }
    }
  };
  walk(arena.base, 8);
  walk('/tmp', 0);
  return found;
}

/** Runs `actions` (all of one sandbox mode) through `backend` in a fresh arena. */
export async function runGroup(actions: readonly HostileAction[], backend: Backend): Promise<GroupOutcome> {
  const arena = await openArena();
  const sandboxOff = actions.some((a) => a.sandbox === 'off');
  const scripts = scriptsFor(arena, actions);
  const agent = await openBackend(backend, arena, scripts);
  const planPath = join(arena.root, 'plan.yaml');
  writeFileSync(planPath, planFor(actions, scripts, agent, sandboxOff));
  const before = userState(arena);
  const mainBefore = git(arena.root, 'rev-parse', 'main');
  const remoteBefore = before.remote;
  const side = git(arena.root, 'rev-parse', 'side');

  const store = await openStore(join(arena.root, '.gaffer', 'gaffer.db'));
  let runStatus = 'not started';
  let events: StoredEvent[] = [];
  try {
    const engine = createEngine({ store, env: { ...arena.env, ...agent.env }, controlPollMs: 50 });
    const run = await engine.createRun({ planPath, cwd: arena.root, keepGoing: true });
    const final = await engine.driveRun(run.id);
    runStatus = final.status;
    events = await store.readEvents({ runId: run.id });
    const tasks = await store.listTasks(run.id);
    const attempts = await store.listAttempts(run.id);
    const status = await runMain(['status', run.id, '--json'], arena.root, captureOutput());
    const logs = await runMain(['logs', run.id], arena.root, captureOutput());
    await store.close();

    const survivors = processesWith(arena.mark);
    const after = userState(arena);
    const records: [string, string][] = [
      ...recordFiles(join(arena.root, '.gaffer')).map((f): [string, string] => [
        relative(arena.root, f),
        readFileSync(f, 'latin1'),
      ]),
      ['status --json', status.stdout + status.stderr],
      ['logs', logs.stdout + logs.stderr],
    ];
    const secrets: Secret[] = [
      ...arena.secrets,
      ...actions.flatMap((a) =>
        (a.printedSecrets ?? []).map((v) => ({ value: fill(arena, v, a.id), source: a.id })),
      ),
    ];
    const leaked = secrets.flatMap(({ value, source }) =>
      records.filter(([, text]) => text.includes(value)).map(([name]) => ({ name, source, value })),
    );
    const leaks = leaked.map(({ name, source, value }) => `${name}: ${source} ${value.slice(0, 6)}…`);
    const integrationHasSide = () => {
      try {
        execFileSync('git', ['merge-base', '--is-ancestor', side, run.integrationBranch], {
          cwd: arena.root,
          stdio: 'ignore',
        });
        return true;
      } catch {
        return false;
      }
    };

    const outcomes = actions.map((action): ActionOutcome => {
      const task = tasks.find((t) => t.taskId === action.id);
      const own = attempts.filter((a) => a.taskId === action.id);
      const taskEvents = events.filter((e) => e.taskId === action.id);
      const worktree = own[0]?.worktreePath ?? '';
      const transcript = own
        .map((a) => join(arena.root, '.gaffer', 'runs', run.id, 'attempts', `${a.id}.jsonl`))
        .filter((p) => existsSync(p))
        .map((p) => readFileSync(p, 'utf8'))
        .join('\n');
      const facts: Facts = {
        transcript,
        taskStatus: task?.status,
        taskReason: task?.reason ?? undefined,
        runEnded: ['completed', 'failed'].includes(runStatus),
        serverHits: arena.hits,
        survivors,
        hostHas: (p) => existsSync(fill(arena, p)),
        homeUnchanged: (rel) => digestEntry(after.home ?? '', rel) === digestEntry(before.home ?? '', rel),
        hostFind: (part) => hostFind(arena, fill(arena, part)),
        hasEvent: (type) => taskEvents.some((e) => e.type === type),
        tampered: () => taskEvents.some((e) => e.type === 'attempt.repository-tampered'),
        leaks: (source) => leaked.some((l) => source === undefined || l.source === source),
        mainUnmoved: () => git(arena.root, 'rev-parse', 'main') === mainBefore,
        remoteUnchanged: () => git(arena.remoteDir, 'for-each-ref') === remoteBefore,
        integrationHasSide,
        dbIntact: () =>
          readFileSync(join(arena.root, '.gaffer', 'gaffer.db'))
            .subarray(0, 15)
            .toString() === 'SQLite format 3' && existsSync(join(arena.root, '.gaffer', 'runs', run.id)),
        worktreeGitFileIntact: () =>
          !existsSync(join(worktree, '.git')) ||
          readFileSync(join(worktree, '.git'), 'utf8').startsWith(`gitdir: ${arena.gitDir}/worktrees/`),
        worktreeIsRealDirectory: () => !existsSync(worktree) || !lstatSync(worktree).isSymbolicLink(),
        onIntegration: (p) => show(arena.root, `${run.integrationBranch}:${p}`),
        onTaskBranch: (p) => (task?.branch ? show(arena.root, `${task.branch}:${p}`) : undefined),
      };
      return {
        action,
        verdict: action.judge(facts),
        served: agent.served.has(action.id),
        refused: facts.hasEvent('attempt.denied'),
      };
    });
    return { backend, outcomes, before, after, leaks, survivors, runStatus };
  } finally {
    await store.close().catch(() => undefined);
    await agent.close();
    await arena.close();
  }
}

/**
 * Runs the corpus through `backend`: the sandboxed actions together, the unsandboxed ones (the
 * `command` agent's alone, see `runsOn`) in an arena of their own.
 */
export async function runCorpus(
  actions: readonly HostileAction[],
  backend: Backend = 'command',
): Promise<GroupOutcome[]> {
  const mine = actions.filter((a) => runsOn(a, backend));
  const groups = [mine.filter((a) => a.sandbox === 'on'), mine.filter((a) => a.sandbox === 'off')];
  return Promise.all(groups.filter((g) => g.length > 0).map((g) => runGroup(g, backend)));
}
