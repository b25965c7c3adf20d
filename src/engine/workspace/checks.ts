import { basename } from 'node:path';
import type { Plan, VerifierSettings } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import { loadPlan } from '../../plan/index.js';
import type { VerifierCommand } from '../../verify/index.js';
import {
  DEFAULT_VERIFIER_TIMEOUT_S,
  detectVerifiers,
  formatArgv,
  resolveVerifiers,
  splitCommand,
} from '../../verify/index.js';

/** One check as `gaffer checks` shows it. */
export interface CheckInfo {
  name: string;
  argv: string[];
  /** The argv as one line a person can copy. */
  command: string;
  /** Why Gaffer runs it: the file and key it was found in, or the plan setting that names it. */
  source: string;
}

/** A check that was found but will not run, and the setting that switched it off. */
export interface SkippedCheck extends CheckInfo {
  why: string;
}

/** A task whose own `verifiers` settings change what it runs. */
export interface TaskChecks {
  taskId: string;
  checks: string[];
  timeoutS: number;
}

/** What `gaffer checks` reports: what detection found, and what the plan makes of it. */
export interface ChecksReport {
  /** The repository root detection looked at (its working tree). */
  root: string;
  /** The plan whose settings were applied, as given. */
  planPath?: string;
  /** What the repository's files name, before any plan settings. */
  detected: CheckInfo[];
  /** What every task runs unless its own settings say otherwise. */
  checks: CheckInfo[];
  /** Found or named, but switched off. */
  skipped: SkippedCheck[];
  /** Per-check time limit. */
  timeoutS: number;
  tasks: TaskChecks[];
}

/**
 * The checks Gaffer would run in the repository around `cwd`, and why each: detected from the
 * repository's files, then narrowed by the plan's `verifiers` settings when a plan is given.
 * Only reads files; nothing is run.
 */
export async function detectChecks(cwd: string, planPath?: string): Promise<ChecksReport> {
  const root = (await openRepo(cwd)).root;
  const plan = planPath === undefined ? undefined : await loadPlan(planPath, { repoRoot: root });
  return checksReport(root, await detectVerifiers(root), plan, planPath);
}

/** {@link detectChecks} over what was already detected and loaded. */
export function checksReport(
  root: string,
  detected: readonly VerifierCommand[],
  plan?: Plan,
  planPath?: string,
): ChecksReport {
  const label = planPath === undefined ? 'the plan' : basename(planPath);
  const settings = plan?.settings.verifiers;
  const checks = resolveVerifiers(detected, settings).map((c) => explain(c, detected, label));
  const timeoutS = settings?.timeout_s ?? DEFAULT_VERIFIER_TIMEOUT_S;
  return {
    root,
    ...(planPath === undefined ? {} : { planPath }),
    detected: detected.map((c) => info(c)),
    checks,
    skipped: skippedBy(detected, settings, label, checks),
    timeoutS,
    tasks: (plan?.tasks ?? [])
      .filter((task) => task.verifiers !== undefined)
      .map((task) => ({
        taskId: task.id,
        checks: resolveVerifiers(detected, settings, task.verifiers).map((c) => c.name),
        timeoutS: task.verifiers?.timeout_s ?? timeoutS,
      })),
  };
}

const info = (command: VerifierCommand, source = command.source): CheckInfo => ({
  name: command.name,
  argv: [...command.argv],
  command: formatArgv(command.argv),
  source,
});

/** resolveVerifiers marks the plan's own commands only as 'plan'; say which key, and what it replaced. */
function explain(command: VerifierCommand, detected: readonly VerifierCommand[], label: string): CheckInfo {
  if (command.source !== 'plan') return info(command);
  const replaced = detected.find((d) => d.name === command.name);
  const key = `verifiers.commands.${command.name} in ${label}`;
  return info(command, replaced ? `${key} (instead of ${replaced.source})` : key);
}

function skippedBy(
  detected: readonly VerifierCommand[],
  settings: VerifierSettings | undefined,
  label: string,
  checks: readonly CheckInfo[],
): SkippedCheck[] {
  if (!settings) return [];
  const running = new Set(checks.map((c) => c.name));
  const named = new Map(detected.map((c) => [c.name, c]));
  for (const [name, command] of Object.entries(settings.commands ?? {})) {
    const argv = typeof command === 'string' ? splitCommand(command) : [...command];
    named.set(name, { name, argv, source: `verifiers.commands.${name} in ${label}` });
  }
  return [...named.values()]
    .filter((c) => !running.has(c.name))
    .map((c) => ({
      ...info(c),
      why: settings.skip?.includes(c.name)
        ? `verifiers.skip in ${label}`
        : `not listed in verifiers.only in ${label}`,
    }));
}
