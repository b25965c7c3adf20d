import { z } from 'zod';
import { AGENT_FAILURE_KINDS } from '../../domain/index.js';
import { formatConfigPath } from '../config-error.js';
import { isInsideRelative } from '../worktree-path.js';

const relativePath = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    if (!isInsideRelative(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `path "${value}" must be relative and stay inside the worktree`,
      });
    }
  });

const fileContent = z.strictObject({ path: relativePath, content: z.string() });

const argv = z.array(z.string()).min(1, 'argv needs at least the program');

/**
 * `fail: "why"` ends the session as failed work; the object form picks the failure kind, so
 * engine tests can provoke a rate limit, an outage or a bad config deterministically. `times`
 * fails only the first N sessions of the task that reach the step, then the step passes.
 */
const failStep = z.preprocess(
  (value) => (typeof value === 'string' ? { message: value } : value),
  z.strictObject({
    message: z.string().min(1).default('the script said so'),
    kind: z.enum(AGENT_FAILURE_KINDS).default('task_failed'),
    retry_after_ms: z.number().int().nonnegative().optional(),
    hint: z.string().min(1).optional(),
    times: z.number().int().positive().optional(),
  }),
);

/** Argument schema of every step kind; a step is an object with exactly one of these keys. */
const STEP_SCHEMAS = {
  write: fileContent,
  append: fileContent,
  delete: relativePath,
  run: z.preprocess(
    (value) => (Array.isArray(value) ? { argv: value } : value),
    z.strictObject({ argv, timeout_ms: z.number().int().positive().optional() }),
  ),
  sleep_ms: z.number().nonnegative(),
  fail: failStep,
  ask: z.string().min(1),
  say: z.string(),
  /** Reports spending as a model session would (output tokens and dollars), to try budgets offline. */
  spend: z.strictObject({
    tokens: z.number().int().nonnegative().default(0),
    cost_usd: z.number().nonnegative().default(0),
  }),
} as const;

/** The kinds of step a script may contain. */
export type ScriptStepKind = keyof typeof STEP_SCHEMAS;

/** One validated step: its kind and its parsed arguments. */
export type ScriptStep = {
  [K in ScriptStepKind]: { kind: K; args: z.output<(typeof STEP_SCHEMAS)[K]> };
}[ScriptStepKind];

const STEP_KINDS = Object.keys(STEP_SCHEMAS) as ScriptStepKind[];

const configSchema = z.object({
  steps: z.array(z.unknown()).optional(),
  attempts: z.array(z.array(z.unknown())).min(1, 'attempts needs at least one list of steps').optional(),
  /** The model the script stands in for: the run's budgets price an attempt's prompt at it. */
  model: z.string().min(1).optional(),
});

/** A script config after validation: steps for every attempt, or one list per attempt. */
export type ScriptConfig = { steps: ScriptStep[] } | { attempts: ScriptStep[][] } | { none: true };

export type ParseResult = { success: true; config: ScriptConfig } | { success: false; error: string };

const formatPath = formatConfigPath;

function isStepKind(key: string): key is ScriptStepKind {
  return (STEP_KINDS as string[]).includes(key);
}

function parseStep(raw: unknown, at: PropertyKey[]): ScriptStep | string {
  const where = formatPath(at);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `${where}: a step is an object with one key (${STEP_KINDS.join(', ')})`;
  }
  const keys = Object.keys(raw);
  const kind = keys[0];
  if (keys.length !== 1 || kind === undefined) {
    return `${where}: a step has exactly one key, found ${keys.length === 0 ? 'none' : keys.join(', ')}`;
  }
  if (!isStepKind(kind)) return `${where}: unknown step "${kind}" (expected one of ${STEP_KINDS.join(', ')})`;
  const parsed = STEP_SCHEMAS[kind].safeParse((raw as Record<string, unknown>)[kind]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${formatPath([...at, kind, ...(issue?.path ?? [])])}: ${issue?.message ?? 'invalid'}`;
  }
  return { kind, args: parsed.data } as ScriptStep;
}

function parseSteps(raw: readonly unknown[], at: PropertyKey[]): ScriptStep[] | string {
  const steps: ScriptStep[] = [];
  for (const [index, item] of raw.entries()) {
    const step = parseStep(item, [...at, index]);
    if (typeof step === 'string') return step;
    steps.push(step);
  }
  return steps;
}

/**
 * Validates a script agent config (`steps` or `attempts`; other keys are ignored because the
 * engine merges plan-wide settings in). Every attempt's steps are checked up front so a typo in
 * the rework script is reported on the first attempt, before any file has changed.
 */
export function parseScriptConfig(config: Record<string, unknown>): ParseResult {
  const shape = configSchema.safeParse(config);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return { success: false, error: `${formatPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}` };
  }
  const { steps, attempts } = shape.data;
  if (steps !== undefined && attempts !== undefined) {
    return { success: false, error: 'use either "steps" or "attempts", not both' };
  }
  if (attempts !== undefined) {
    const parsed: ScriptStep[][] = [];
    for (const [index, list] of attempts.entries()) {
      const result = parseSteps(list, ['attempts', index]);
      if (typeof result === 'string') return { success: false, error: result };
      parsed.push(result);
    }
    return { success: true, config: { attempts: parsed } };
  }
  if (steps !== undefined) {
    const result = parseSteps(steps, ['steps']);
    return typeof result === 'string'
      ? { success: false, error: result }
      : { success: true, config: { steps: result } };
  }
  return { success: true, config: { none: true } };
}

/**
 * The script agent's config schema for `defineAgent`: the `steps`/`attempts` shape (which names
 * the known keys), refined by {@link parseScriptConfig} into validated steps.
 */
export const scriptConfigSchema = configSchema.transform((shape, ctx): ScriptConfig => {
  const parsed = parseScriptConfig(shape);
  if (parsed.success) return parsed.config;
  ctx.addIssue({ code: 'custom', message: parsed.error });
  return z.NEVER;
});

/** Which list of `attempts` try `tryNumber` (1-based) plays: past the last, the last repeats; 0 for `steps`. */
export function scriptIndex(config: ScriptConfig, tryNumber: number): number {
  return 'attempts' in config ? Math.min(Math.max(tryNumber, 1), config.attempts.length) - 1 : 0;
}

/** The steps try `tryNumber` (1-based) of the work runs; past the last list, the last one repeats. */
export function stepsForAttempt(config: ScriptConfig, tryNumber: number): ScriptStep[] | undefined {
  if ('none' in config) return undefined;
  if ('steps' in config) return config.steps;
  return config.attempts[scriptIndex(config, tryNumber)];
}
