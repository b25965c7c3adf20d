import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { claudeCodeStatus, CODEX_CONTAINED, codexStatus } from '../agents/index.js';
import { openRepo } from '../git/index.js';
import { probeSandbox } from '../sandbox/index.js';
import { runProcess } from '../process/run-process.js';
import { openStore, resolveStoreUrl } from '../store/index.js';

export interface DoctorCheck {
  /** What was checked, e.g. `claude-code` or `database`. */
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
}

export interface DoctorOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  db?: string;
}

async function versionOf(
  binary: string,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  try {
    const outcome = await runProcess([binary, '--version'], {
      cwd: homedir(),
      env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
      timeoutMs: 15_000,
    });
    return outcome.exitCode === 0 ? outcome.output.trim().split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}

const compareVersions = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

function firstSet(env: Record<string, string | undefined>, names: string[]): string | undefined {
  return names.find((name) => env[name]);
}

/** One agent CLI: found, which version, and whether credentials are configured. */
function agentCheck(
  name: string,
  status: { binary?: string; version?: string; credentials?: string | undefined; problem?: string },
  install: string,
  login: string,
): DoctorCheck {
  if (!status.binary) return { name, status: 'warn', detail: 'not installed', fix: install };
  const where = `${status.version ?? 'unknown version'} at ${status.binary}`;
  if (status.problem)
    return {
      name,
      status: 'warn',
      detail: `${where}; ${status.problem}`,
      fix: 'see the Codex section of the README',
    };
  if (!status.credentials)
    return { name, status: 'warn', detail: `${where}, but no credentials`, fix: login };
  return {
    name,
    status: 'ok',
    detail: `${where}; credentials from ${status.credentials.replace(homedir(), '~')}`,
  };
}

async function ollama(env: Record<string, string | undefined>): Promise<DoctorCheck> {
  const base = env.OLLAMA_HOST
    ? `http://${env.OLLAMA_HOST.replace(/^https?:\/\//, '')}`
    : 'http://127.0.0.1:11434';
  try {
    const response = await fetch(`${base}/api/tags`, { signal: AbortSignal.timeout(800) });
    const body = (await response.json()) as { models?: { name: string }[] };
    const models = (body.models ?? []).map((m) => m.name);
    return {
      name: 'api (local models)',
      status: 'ok',
      detail: `Ollama at ${base}: ${models.join(', ') || 'no models pulled'}`,
    };
  } catch {
    const key = firstSet(env, ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']);
    return key
      ? { name: 'api', status: 'ok', detail: `$${key} is set; no local Ollama at ${base}` }
      : {
          name: 'api',
          status: 'warn',
          detail: `no OPENAI_API_KEY / ANTHROPIC_API_KEY and no Ollama at ${base}`,
          fix: 'set a key, or run a local OpenAI-compatible server and point agents.api.base_url at it',
        };
  }
}

/**
 * The OS sandbox every agent and check runs in, and what its default policy allows: the run
 * refuses to start when this fails (unless the plan says `sandbox: off`).
 */
async function sandboxCheck(env: Record<string, string | undefined>): Promise<DoctorCheck> {
  const probe = await probeSandbox(env.PATH);
  if (!probe.ok) return { name: 'sandbox', status: 'fail', detail: probe.reason, fix: probe.fix };
  return {
    name: 'sandbox',
    status: 'ok',
    detail:
      `bubblewrap ${probe.version} (${probe.bwrap}): agents and checks write only their worktree and a private /tmp; ` +
      `home directories and the main checkout (.gaffer/, other worktrees) are hidden, .git is read-only; ` +
      `a PID namespace of their own; agents reach only their model API (widen with sandbox: { writable, readable, network } ` +
      `in the plan, per agent or per task); checks have the network unless verifiers.network: false`,
  };
}

/** Everything Gaffer needs, checked: runtimes, git, the agent CLIs and their credentials, the database. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const node = process.versions.node;
  checks.push(
    compareVersions(node, '20.19.0') >= 0
      ? { name: 'node', status: 'ok', detail: `v${node}` }
      : { name: 'node', status: 'fail', detail: `v${node}`, fix: 'install Node.js 20.19 or newer' },
  );
  const gitVersion = (await versionOf('git', options.env))?.match(/\d+\.\d+(\.\d+)?/)?.[0];
  checks.push(
    !gitVersion
      ? { name: 'git', status: 'fail', detail: 'git not found', fix: 'install git 2.38 or newer' }
      : compareVersions(gitVersion, '2.38.0') >= 0
        ? { name: 'git', status: 'ok', detail: gitVersion }
        : {
            name: 'git',
            status: 'fail',
            detail: gitVersion,
            fix: 'Gaffer merges with `git merge-tree --write-tree`: install git 2.38 or newer',
          },
  );
  checks.push(await sandboxCheck(options.env));
  const claude = await claudeCodeStatus(options.env);
  const codex = await codexStatus({}, options.env);
  checks.push(
    agentCheck(
      'claude-code',
      claude,
      'npm install -g @anthropic-ai/claude-code',
      'set ANTHROPIC_API_KEY, or run `claude` once and log in',
    ),
    agentCheck(
      'codex',
      {
        ...codex,
        // Contained by Gaffer's own sandbox, codex's is not used: nothing to warn about.
        ...(codex.sandbox && codex.sandbox !== 'enforced' && !codex.sandbox.startsWith(CODEX_CONTAINED)
          ? { problem: `sandbox: ${codex.sandbox}` }
          : {}),
      },
      'npm install -g @openai/codex',
      'set OPENAI_API_KEY, or run `codex login`',
    ),
    await ollama(options.env),
  );

  let root: string | undefined;
  try {
    root = (await openRepo(options.cwd)).root;
    checks.push({ name: 'workspace', status: 'ok', detail: `git repository at ${root}` });
  } catch {
    checks.push({
      name: 'workspace',
      status: 'warn',
      detail: `${options.cwd} is not inside a git repository`,
      fix: 'cd into the repository Gaffer should work on, or git init',
    });
  }
  const explicit = options.db ?? options.env.GAFFER_DB;
  if (explicit || root) {
    const url = resolveStoreUrl(options.db, options.env, root ?? options.cwd);
    const shown = url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
    const isSqliteFile = !/^postgres(ql)?:\/\//.test(url) && url !== ':memory:';
    if (isSqliteFile && !existsSync(url)) {
      checks.push({ name: 'database', status: 'ok', detail: `sqlite at ${url} (created by the first run)` });
      return checks;
    }
    try {
      const store = await openStore(url);
      const runs = await store.listRuns().finally(() => store.close());
      checks.push({
        name: 'database',
        status: 'ok',
        detail: `${store.dialect} at ${shown}, ${runs.length} run${runs.length === 1 ? '' : 's'}`,
      });
    } catch (error) {
      checks.push({
        name: 'database',
        status: 'fail',
        detail: `${shown}: ${(error as Error).message}`,
        fix: 'check --db / GAFFER_DB, or start PostgreSQL',
      });
    }
  }
  return checks;
}
