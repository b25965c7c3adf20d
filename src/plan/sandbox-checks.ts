import path from 'node:path';
import { expandHome, isObject } from '../domain/index.js';
import type { PlanIssue } from '../domain/index.js';
import { issueAt, type IssueContext } from './issue.js';
import type { PlanPath } from './source-map.js';

export interface SandboxCheckOptions {
  /** The user's home directory: `~/` expands to it, and the sandbox never opens all of it. */
  home?: string;
  /** Whether a path exists; without it existence is not checked (the pure validation of a text). */
  pathExists?: (p: string) => boolean;
}

/** Every `sandbox:` block of a plan: top level, per task, per agent and in a task's agent_config. */
function sandboxBlocks(raw: unknown): { at: PlanPath; block: Record<string, unknown> }[] {
  if (!isObject(raw)) return [];
  const found: { at: PlanPath; block: Record<string, unknown> }[] = [];
  if (isObject(raw.sandbox)) found.push({ at: ['sandbox'], block: raw.sandbox });
  if (isObject(raw.agents))
    for (const [name, config] of Object.entries(raw.agents))
      if (isObject(config) && isObject(config.sandbox))
        found.push({ at: ['agents', name, 'sandbox'], block: config.sandbox });
  if (Array.isArray(raw.tasks))
    raw.tasks.forEach((task: unknown, index) => {
      if (!isObject(task)) return;
      if (isObject(task.sandbox)) found.push({ at: ['tasks', index, 'sandbox'], block: task.sandbox });
      if (isObject(task.agent_config) && isObject(task.agent_config.sandbox))
        found.push({ at: ['tasks', index, 'agent_config', 'sandbox'], block: task.agent_config.sandbox });
    });
  return found;
}

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);

/**
 * The paths a plan opens in the sandbox (`writable`, `readable`): absolute or `~/…`, existing,
 * and never the whole file system or the whole home directory, where the credentials live.
 */
export function sandboxIssues(
  context: IssueContext,
  raw: unknown,
  options: SandboxCheckOptions,
): PlanIssue[] {
  const issues: PlanIssue[] = [];
  for (const { at, block } of sandboxBlocks(raw)) {
    for (const key of ['writable', 'readable'] as const) {
      const list = block[key];
      if (!Array.isArray(list)) continue;
      list.forEach((value: unknown, index) => {
        if (typeof value !== 'string' || value === '') return; // the schema reports these
        const where = [...at, key, index];
        const problem = judgePath(value, key, options);
        if (problem) issues.push(issueAt(context, where, 'sandbox-path', problem.message, problem.hint));
      });
    }
  }
  return issues;
}

function judgePath(
  value: string,
  key: 'writable' | 'readable',
  options: SandboxCheckOptions,
): { message: string; hint: string } | undefined {
  const { home } = options;
  const expanded = expandHome(value, home);
  const label = `sandbox.${key} "${value}"`;
  if (expanded === undefined)
    return { message: `${label} starts with ~ but HOME is not set`, hint: 'write the absolute path' };
  if (!path.isAbsolute(expanded))
    return {
      message: `${label} is a relative path`,
      hint: 'sandbox paths are absolute or start with ~/; the task’s worktree is always writable already',
    };
  const resolved = path.resolve(expanded);
  if (resolved === '/')
    return {
      message: `${label} opens the whole file system to the sandbox`,
      hint: 'name the one directory the task needs (e.g. ~/.cache/pip)',
    };
  if (home !== undefined && inside(path.resolve(home), resolved))
    return {
      message: `${label} opens your whole home directory (~/.ssh, ~/.aws and every credential in it) to the sandbox`,
      hint: 'name the one directory the task needs (e.g. ~/.cache/pip)',
    };
  if (options.pathExists && !options.pathExists(resolved))
    return {
      message: `${label} does not exist (${resolved})`,
      hint: 'create it first, or remove it from the plan',
    };
  return undefined;
}
