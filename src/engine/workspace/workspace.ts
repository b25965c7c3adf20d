import { mkdir, readFile } from 'node:fs/promises';
import type { AgentRegistry } from '../../agents/index.js';
import { defaultAgentRegistry } from '../../agents/index.js';
import type { PlanCheckResult } from '../../plan/index.js';
import { validatePlan } from '../../plan/index.js';
import { userError } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import { gafferDir } from '../run-context.js';
import { agentIssues } from './plan-agents.js';

/** Makes `.gaffer/` in the repository around `cwd` and keeps it out of git; returns the repository root. */
export async function prepareWorkspace(cwd: string): Promise<string> {
  const repo = await openRepo(cwd);
  await mkdir(gafferDir(repo.root), { recursive: true });
  await repo.ignoreGafferDir();
  return repo.root;
}

/** The repository root around `cwd`; throws the user error for a directory outside git. */
export async function repositoryRoot(cwd: string): Promise<string> {
  return (await openRepo(cwd)).root;
}

/** What {@link checkPlanFile} checks the plan's agents with. */
export interface CheckPlanOptions {
  /** Default: every built-in backend. */
  agents?: AgentRegistry;
  /** The environment the agents would run from (their binaries on PATH, their keys); default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Validates a plan file: every problem, positioned. Inside a repository its paths are checked
 * against it too; outside one only the plan itself is. A valid plan's agents are checked as
 * `gaffer run` would before starting: each must exist and pass its preflight (binary, keys,
 * config) in `env`.
 */
export async function checkPlanFile(
  path: string,
  displayName: string,
  cwd: string,
  options: CheckPlanOptions = {},
): Promise<PlanCheckResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw userError(
      'GAFFER_PLAN_NOT_FOUND',
      `plan file not found: ${displayName}`,
      'check the path, or create one with `gaffer init`',
    );
  }
  // Outside a repository only the plan itself is checked: not being in one is no error here.
  const repoRoot = await openRepo(cwd).then(
    (repo) => repo.root,
    () => undefined,
  );
  const result = validatePlan(text, { file: displayName, ...(repoRoot ? { repoRoot } : {}) });
  if (!result.ok) return result;
  const issues = await agentIssues(result.plan, text, displayName, {
    agents: options.agents ?? defaultAgentRegistry(),
    env: options.env ?? process.env,
  });
  return issues.length ? { ok: false, issues } : result;
}
