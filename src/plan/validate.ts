import path from 'node:path';
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { DEFAULT_RETRY_POLICY } from '../domain/index.js';
import type { Plan, PlanIssue, PlanSettings, RetryPolicy } from '../domain/index.js';
import { branchIssues } from './branch-checks.js';
import { graphIssues } from './graph-checks.js';
import { issueAt, sortIssues, type IssueContext } from './issue.js';
import { readLoosePlan } from './loose-plan.js';
import { pathIssues } from './path-checks.js';
import { sandboxIssues } from './sandbox-checks.js';
import { schemaIssues } from './schema-issues.js';
import { planFileSchema, type PlanFile } from './schema.js';
import { SourceMap } from './source-map.js';
import { notTextIssue } from './text-check.js';
import { worktreeIssues } from './worktree-checks.js';

export interface ValidateOptions {
  /** File name used in messages and for the default plan name. Default `plan.yaml`. */
  file?: string;
  /** When given, deliverables and context files must resolve inside it (path arithmetic only). */
  repoRoot?: string;
  /** Expands `~/` in sandbox paths, and the sandbox never opens all of it. */
  home?: string;
  /** When given, sandbox paths must exist, and so must `worktree.copy`/`link` in `repoRoot`. */
  pathExists?: (p: string) => boolean;
  /**
   * The acceptance-criterion ids of the spec the plan serves (`AC-1.1`): when given, every id a
   * task `covers` must be one of them.
   */
  knownCriteria?: readonly string[];
}

export type PlanCheckResult = { ok: true; plan: Plan } | { ok: false; issues: PlanIssue[] };

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key may appear once per mapping: remove or merge the repeated one',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
};

/**
 * Parses and validates the text of a plan, collecting every problem rather than stopping at
 * the first. Pure: never touches the file system.
 */
export function validatePlan(text: string, options: ValidateOptions = {}): PlanCheckResult {
  const file = options.file ?? 'plan.yaml';
  const notText = notTextIssue(file, text);
  if (notText !== undefined) return { ok: false, issues: [notText] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const context: IssueContext = { file, map: new SourceMap(doc, lines) };

  const structural = structuralIssues(context, doc);
  if (structural.length > 0) return { ok: false, issues: structural };

  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    // Alias expansion past yaml's limit ("billion laughs") lands here.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [issueAt(context, [], 'yaml', message, 'remove the aliases (*name) from the plan')],
    };
  }

  const parsed = planFileSchema.safeParse(raw);
  const loose = readLoosePlan(raw);
  const issues = [
    ...(parsed.success ? [] : schemaIssues(context, parsed.error.issues, raw)),
    ...graphIssues(context, loose.tasks),
    ...branchIssues(context, loose.tasks),
    ...pathIssues(context, loose, options.repoRoot),
    ...sandboxIssues(context, raw, options),
    ...worktreeIssues(context, raw, options),
    ...coversIssues(context, raw, options.knownCriteria),
  ];
  if (issues.length > 0 || !parsed.success) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, plan: toPlan(parsed.data, defaultName(file)) };
}

/** Each `covers` id that names no acceptance criterion of the spec, at its place in the file. */
function coversIssues(
  context: IssueContext,
  raw: unknown,
  known: readonly string[] | undefined,
): PlanIssue[] {
  if (known === undefined || !isRecordLike(raw) || !Array.isArray(raw.tasks)) return [];
  const ids = new Set(known);
  const issues: PlanIssue[] = [];
  (raw.tasks as unknown[]).forEach((task, t) => {
    const covers = isRecordLike(task) && Array.isArray(task.covers) ? (task.covers as unknown[]) : [];
    covers.forEach((id, c) => {
      if (typeof id === 'string' && !ids.has(id))
        issues.push(
          issueAt(
            context,
            ['tasks', t, 'covers', c],
            'covers',
            `covers "${id}", which is no acceptance criterion of the spec`,
            `use ids from requirements.md: ${[...ids].slice(0, 12).join(', ') || '(none)'}`,
          ),
        );
    });
  });
  return issues;
}

const isRecordLike = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** YAML syntax errors, an empty file, or a top level that is not a mapping: nothing else can be checked. */
function structuralIssues(context: IssueContext, doc: Document): PlanIssue[] {
  if (doc.errors.length > 0) {
    return doc.errors.map((error) => {
      const { line, column } = context.map.errorPosition(error.pos[0]);
      const hint = YAML_HINTS[error.code] ?? 'check the indentation, and quote values containing ": " or "#"';
      return { file: context.file, line, column, kind: 'yaml', message: error.message, hint };
    });
  }
  if (doc.contents === null) {
    return [
      issueAt(context, [], 'schema', 'the plan file is empty', 'start from `gaffer demo`, or add `tasks:`'),
    ];
  }
  if (!isMap(doc.contents)) {
    return [
      issueAt(
        context,
        [],
        'schema',
        'the plan must be a mapping of settings and `tasks`',
        'write `key: value` lines at the top level, with the task list under `tasks:`',
      ),
    ];
  }
  return [];
}

function toPlan(file: PlanFile, fallbackName: string): Plan {
  const settings: PlanSettings = {
    concurrency: file.concurrency,
    agent_concurrency: file.agent_concurrency,
    max_rework: file.max_rework,
    budgets: file.budgets,
    agent: file.agent,
    protected_paths: file.protected_paths,
    question_timeout_s: file.question_timeout_s,
    pricing: file.pricing,
    retry: retryPolicyOf(file.retry),
    agents: file.agents,
  };
  // `squash` is the default and stays implicit, so a plan written back reads the same.
  if (file.merge === 'keep') settings.merge = 'keep';
  if (file.autonomy !== 'review_yellow') settings.autonomy = file.autonomy;
  if (file.base_branch !== undefined) settings.base_branch = file.base_branch;
  if (file.verifiers !== undefined) settings.verifiers = file.verifiers;
  if (file.sandbox !== undefined) settings.sandbox = file.sandbox;
  if (file.limits !== undefined) settings.limits = file.limits;
  if (file.worktree !== undefined) settings.worktree = file.worktree;
  if (file.reviewer !== undefined) settings.reviewer = file.reviewer;
  if (file.foreman !== undefined) settings.foreman = file.foreman;
  if (file.planner !== undefined) settings.planner = file.planner;
  if (file.max_replans !== undefined) settings.max_replans = file.max_replans;
  return { name: file.name ?? fallbackName, settings, tasks: file.tasks };
}

/** The plan's partial `retry:` over the defaults; keys it leaves out keep their default. */
function retryPolicyOf(partial: PlanFile['retry']): RetryPolicy {
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    non_retryable: [...DEFAULT_RETRY_POLICY.non_retryable],
  };
  if (partial === undefined) return policy;
  if (partial.attempts !== undefined) policy.attempts = partial.attempts;
  if (partial.initial_interval_s !== undefined) policy.initial_interval_s = partial.initial_interval_s;
  if (partial.backoff !== undefined) policy.backoff = partial.backoff;
  if (partial.max_interval_s !== undefined) policy.max_interval_s = partial.max_interval_s;
  if (partial.non_retryable !== undefined) policy.non_retryable = [...partial.non_retryable];
  return policy;
}

function defaultName(file: string): string {
  return path.basename(file, path.extname(file)) || 'plan';
}
