import type { z } from 'zod';
import { AGENT_FAILURE_KINDS, TASK_ID_PATTERN, type PlanIssue } from '../domain/index.js';
import { issueAt, type IssueContext } from './issue.js';
import { BASELINE_POLICIES, knownKeysAt } from './schema.js';
import type { PlanPath } from './source-map.js';
import { closest } from './suggest.js';

type ZodIssue = z.core.$ZodIssue;

const MISSING_HINTS: Record<string, string> = {
  id: 'add `id: <short-name>` using letters, digits, ".", "_" and "-"',
  title: 'add `title: <one-line summary of the task>`',
  tasks: 'add a `tasks:` list with at least one task',
};

/**
 * Rewrites zod's issues in the plan's own words, positioned at the offending node. `raw` is
 * the parsed YAML, used to name tasks by id and to describe what was found instead.
 */
export function schemaIssues(context: IssueContext, issues: readonly ZodIssue[], raw: unknown): PlanIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    return convert(context, issue, path, raw);
  });
}

function convert(context: IssueContext, issue: ZodIssue, path: PlanPath, raw: unknown): PlanIssue[] {
  const value = valueAt(raw, path);
  const what = label(path, raw);
  const schema = (message: string, hint?: string) => [issueAt(context, path, 'schema', message, hint)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(context, [...path, key], key, raw));
    case 'invalid_type': {
      if (value === undefined) {
        const key = String(path.at(-1));
        return schema(
          `${label(path.slice(0, -1), raw)} is missing \`${key}\``,
          MISSING_HINTS[key] ?? `add \`${key}\``,
        );
      }
      const expected = describeExpected(issue.expected);
      return schema(
        `${what} must be ${expected}, got ${describeValue(value)}`,
        typeHint(issue.expected, value, path),
      );
    }
    case 'invalid_format':
      if (path.at(-1) === 'id' && typeof value === 'string') {
        return schema(
          `task id "${value}" is not valid`,
          `ids start with a letter or digit and use only letters, digits, ".", "_" and "-" (pattern ${String(TASK_ID_PATTERN)})`,
        );
      }
      return schema(`${what}: ${issue.message}`);
    case 'too_small':
      if (path.length === 1 && path[0] === 'tasks') {
        return schema('the plan has no tasks', 'add at least one task under `tasks:`');
      }
      if (issue.origin === 'string' || issue.origin === 'array') return schema(`${what} must not be empty`);
      return schema(
        `${what} must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}`,
      );
    case 'too_big':
      return schema(`${what} must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`);
    case 'invalid_union':
      if (path.length === 1 && path[0] === 'reviewer') return reviewerIssues(context, issue, raw);
      return schema(
        `${what} must be a command string or an argv list`,
        'e.g. `test: "npm test"` or `test: [npm, test]`',
      );
    case 'invalid_value':
      if (path[0] === 'retry' && path[1] === 'non_retryable' && typeof value === 'string')
        return [unknownFailureKind(context, path, value)];
      if (path.length === 2 && path[0] === 'verifiers' && path[1] === 'baseline')
        return [unknownBaselinePolicy(context, path, value)];
      return schema(`${what}: ${issue.message}`);
    case 'invalid_key':
    case 'invalid_element':
    case 'not_multiple_of':
    case 'custom':
      return schema(`${what}: ${issue.message}`);
  }
}

function unknownKey(context: IssueContext, path: PlanPath, key: string, raw: unknown): PlanIssue {
  const where = path.length > 1 ? ` in ${label(path.slice(0, -1), raw)}` : '';
  const known = knownKeysAt(path.slice(0, -1));
  const suggestion = closest(key, known);
  const hint = suggestion
    ? `did you mean \`${suggestion}\`?`
    : known.length > 0
      ? `allowed keys: ${known.join(', ')}`
      : undefined;
  return issueAt(context, path, 'unknown-key', `unknown key \`${key}\`${where}`, hint, 'key');
}

/** A failure kind the retry policy does not know, with the kind the author most likely meant. */
function unknownFailureKind(context: IssueContext, path: PlanPath, kind: string): PlanIssue {
  const suggestion = closest(kind, AGENT_FAILURE_KINDS);
  const hint = suggestion
    ? `did you mean \`${suggestion}\`?`
    : `failure kinds: ${AGENT_FAILURE_KINDS.join(', ')}`;
  return issueAt(context, path, 'schema', `unknown failure kind \`${kind}\` in ${formatPath(path)}`, hint);
}

/**
 * `reviewer` is `none` or a mapping: a mapping's own problems (a wrong type inside it) are told
 * as themselves, at their node; anything else says what the key takes.
 */
function reviewerIssues(
  context: IssueContext,
  issue: Extract<ZodIssue, { code: 'invalid_union' }>,
  raw: unknown,
): PlanIssue[] {
  const value = valueAt(raw, ['reviewer']);
  const inner = issue.errors.find((branch) => branch.some((i) => i.code !== 'invalid_value'));
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && inner)
    return inner.flatMap((i) =>
      convert(
        context,
        i,
        ['reviewer', ...i.path.filter((part): part is string | number => typeof part !== 'symbol')],
        raw,
      ),
    );
  return [
    issueAt(
      context,
      ['reviewer'],
      'schema',
      `reviewer must be \`none\` or a mapping, got ${describeValue(value)}`,
      'e.g. `reviewer: { agent: api, model: my-model }`, or `reviewer: none` to judge by the checks alone',
    ),
  ];
}

/** `verifiers.baseline` takes one of two words; say which, and which one was probably meant. */
function unknownBaselinePolicy(context: IssueContext, path: PlanPath, value: unknown): PlanIssue {
  const suggestion = typeof value === 'string' ? closest(value, BASELINE_POLICIES) : undefined;
  const hint = suggestion
    ? `did you mean \`${suggestion}\`?`
    : 'use `require_green` (stop when a check already fails on the base) or `allow_preexisting` (let it, as long as tasks do not make it worse)';
  return issueAt(
    context,
    path,
    'schema',
    `verifiers.baseline must be require_green or allow_preexisting, got ${describeValue(value)}`,
    hint,
  );
}

/** Names the place in words: `task "parse-args": depends_on[1]`, `budgets.cost_usd`, `the plan`. */
function label(path: PlanPath, raw: unknown): string {
  const [first, second] = path;
  if (first === 'tasks' && typeof second === 'number') {
    const id = valueAt(raw, ['tasks', second, 'id']);
    const task = typeof id === 'string' && id !== '' ? `task "${id}"` : `task #${second + 1}`;
    const rest = formatPath(path.slice(2));
    return rest === '' ? task : `${task}: ${rest}`;
  }
  return path.length === 0 ? 'the plan' : formatPath(path);
}

function formatPath(path: PlanPath): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text === '' ? part : `${text}.${part}`),
    '',
  );
}

/** The value at `path` in plain parsed data, or undefined when any step is missing. */
export function valueAt(raw: unknown, path: PlanPath): unknown {
  let current = raw;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping';
    case 'int':
      return 'a whole number';
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `a string ("${value.length > 40 ? `${value.slice(0, 40)}…` : value}")`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function typeHint(expected: string, value: unknown, path: PlanPath): string | undefined {
  if (value === null && path.length === 2 && path[0] === 'tasks')
    return 'write the task (id:, title:, …) in this list item, or remove the empty item';
  if (value === null && typeof path.at(-1) === 'number') return 'write the item after its `-`, or remove it';
  if (value === null) return 'write a value after the colon, or remove the key';
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `quote it: "${String(value)}"`;
  }
  if (expected === 'array' && typeof value === 'string') return `write a list: [${value}]`;
  if (expected === 'int') return 'use a whole number';
  if (expected === 'object' || expected === 'record') return 'write `key: value` pairs under it';
  return undefined;
}
