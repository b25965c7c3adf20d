import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../domain/index.js';
import type { PlanIssue } from '../domain/index.js';
import { validatePlan, type ValidateOptions } from './index.js';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function issues(text: string, options?: ValidateOptions): PlanIssue[] {
  const result = validatePlan(text, options);
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues;
}

/** `line:column kind: message` — compact enough to assert whole lists exactly. */
function where(text: string, options?: ValidateOptions): string[] {
  return issues(text, options).map(
    (issue) => `${issue.line}:${issue.column} ${issue.kind}: ${issue.message}`,
  );
}

describe('validatePlan: defaults', () => {
  it('fills every default and names the plan after its file', () => {
    const result = validatePlan(yaml('tasks:', '  - id: only', '    title: The only task'), {
      file: 'plans/add-greeting.yaml',
    });
    expect(result).toEqual({
      ok: true,
      plan: {
        name: 'add-greeting',
        settings: {
          concurrency: 4,
          agent_concurrency: {},
          max_rework: 2,
          budgets: {},
          agent: 'claude-code',
          protected_paths: [],
          question_timeout_s: 600,
          pricing: {},
          retry: DEFAULT_RETRY_POLICY,
          agents: {},
        },
        tasks: [
          {
            id: 'only',
            title: 'The only task',
            description: '',
            depends_on: [],
            deliverables: [],
            acceptance_criteria: [],
            context_files: [],
          },
        ],
      },
    });
  });

  it('keeps every explicit setting and task field, with free-form agent records', () => {
    const result = validatePlan(
      yaml(
        'name: greet',
        'base_branch: main',
        'concurrency: 2',
        'agent_concurrency: { claude-code: 1 }',
        'max_rework: 0',
        'budgets: { cost_usd: 5, tokens: 2000000, wall_time_s: 3600 }',
        'agent: script',
        'protected_paths: [package-lock.json]',
        'question_timeout_s: 30',
        'pricing: { my-model: { input: 0.5, output: 1.5, cached_input: 0.05 } }',
        'verifiers: { only: [test], skip: [lint], commands: { test: "npm test", lint: [eslint, .] }, timeout_s: 600 }',
        'agents: { command: { argv: [my-agent, --yes], anything: { nested: true } } }',
        'tasks:',
        '  - id: a',
        '    title: A',
        '    description: |',
        '      Two',
        '      lines',
        '    deliverables: [src/a.ts]',
        '    acceptance_criteria: [works]',
        '    context_files: [README.md]',
        '    agent: command',
        '    order: 0',
        '    estimate_s: 90',
        '    verifiers: { skip: [build] }',
        '    agent_config: { steps: [{ write: a.ts }] }',
      ),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.plan.name).toBe('greet');
    expect(result.plan.settings).toEqual({
      base_branch: 'main',
      concurrency: 2,
      agent_concurrency: { 'claude-code': 1 },
      max_rework: 0,
      budgets: { cost_usd: 5, tokens: 2000000, wall_time_s: 3600 },
      agent: 'script',
      protected_paths: ['package-lock.json'],
      question_timeout_s: 30,
      pricing: { 'my-model': { input: 0.5, output: 1.5, cached_input: 0.05 } },
      retry: DEFAULT_RETRY_POLICY,
      verifiers: {
        only: ['test'],
        skip: ['lint'],
        commands: { test: 'npm test', lint: ['eslint', '.'] },
        timeout_s: 600,
      },
      agents: { command: { argv: ['my-agent', '--yes'], anything: { nested: true } } },
    });
    expect(result.plan.tasks[0]).toEqual({
      id: 'a',
      title: 'A',
      description: 'Two\nlines\n',
      depends_on: [],
      deliverables: ['src/a.ts'],
      acceptance_criteria: ['works'],
      context_files: ['README.md'],
      agent: 'command',
      order: 0,
      estimate_s: 90,
      verifiers: { skip: ['build'] },
      agent_config: { steps: [{ write: 'a.ts' }] },
    });
  });
});

describe('validatePlan: YAML and top level', () => {
  it('reports a syntax error at the parser position and checks nothing else', () => {
    expect(
      issues(yaml('tasks:', '  - id: a', '    title: [unclosed', 'bogus: 1'), { file: 'p.yaml' }),
    ).toEqual([expect.objectContaining({ file: 'p.yaml', line: 4, column: 1, kind: 'yaml' })]);
  });

  it('reports a repeated key as a YAML error with its own hint', () => {
    expect(issues(yaml('tasks: []', 'tasks: []'))).toEqual([
      {
        file: 'plan.yaml',
        line: 2,
        column: 1,
        kind: 'yaml',
        message: 'Map keys must be unique',
        hint: 'each key may appear once per mapping: remove or merge the repeated one',
      },
    ]);
  });

  it('rejects an empty file and a file of only comments', () => {
    expect(where('')).toEqual(['1:1 schema: the plan file is empty']);
    expect(where('# nothing yet\n')).toEqual(['1:1 schema: the plan file is empty']);
  });

  it('rejects a top level that is not a mapping', () => {
    expect(where(yaml('', '- id: a'))).toEqual([
      '2:1 schema: the plan must be a mapping of settings and `tasks`',
    ]);
  });
});

describe('validatePlan: schema', () => {
  it('points at missing id and title on the task, and at the wrong types themselves', () => {
    const text = yaml(
      'concurrency: 0',
      'max_rework: 1.5',
      'tasks:',
      '  - title: no id',
      '  - id: b',
      '    depends_on: setup',
      '  - id: c',
      '    title:',
      '  - id: 42',
      '    title: numeric id',
    );
    expect(where(text)).toEqual([
      '1:14 schema: concurrency must be at least 1',
      '2:13 schema: max_rework must be a whole number, got number 1.5',
      '4:5 schema: task #1 is missing `id`',
      '5:5 schema: task "b" is missing `title`',
      '6:17 schema: task "b": depends_on must be a list, got a string ("setup")',
      '8:5 schema: task "c": title must be a string, got an empty value',
      '9:9 schema: task #4: id must be a string, got number 42',
    ]);
    const hints = issues(text).map((issue) => issue.hint);
    expect(hints).toContain('write a list: [setup]');
    expect(hints).toContain('quote it: "42"');
    expect(hints).toContain('add `title: <one-line summary of the task>`');
  });

  it('shows the allowed pattern for a malformed id', () => {
    expect(issues(yaml('tasks:', '  - id: "-no spaces"', '    title: t'))).toEqual([
      {
        file: 'plan.yaml',
        line: 2,
        column: 9,
        kind: 'schema',
        message: 'task id "-no spaces" is not valid',
        hint: 'ids start with a letter or digit and use only letters, digits, ".", "_" and "-" (pattern /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/)',
      },
    ]);
  });

  it('rejects an empty and a missing task list', () => {
    expect(where(yaml('name: x', 'tasks: []'))).toEqual(['2:8 schema: the plan has no tasks']);
    expect(where(yaml('name: x'))).toEqual(['1:1 schema: the plan is missing `tasks`']);
  });

  it('checks budgets, verifier commands and agent records', () => {
    const text = yaml(
      'budgets:',
      '  cost_usd: -1',
      'verifiers:',
      '  commands: { test: 3 }',
      'agents:',
      '  script: not-a-mapping',
      'tasks: [{ id: a, title: A }]',
    );
    expect(where(text)).toEqual([
      '2:13 schema: budgets.cost_usd must be greater than 0',
      '4:21 schema: verifiers.commands.test must be a command string or an argv list',
      '6:11 schema: agents.script must be a mapping, got a string ("not-a-mapping")',
    ]);
  });
});

describe('validatePlan: unknown keys', () => {
  it('points at the key itself and suggests the close known key', () => {
    const text = yaml(
      'concurency: 2',
      'budgets: { cost: 1 }',
      'tasks:',
      '  - id: a',
      '    title: A',
      '    depend_on: []',
      '    verifiers: { skipp: [lint] }',
      '    colour: red',
    );
    expect(
      issues(text).map((issue) => `${issue.line}:${issue.column} ${issue.message} | ${issue.hint}`),
    ).toEqual([
      '1:1 unknown key `concurency` | did you mean `concurrency`?',
      '2:12 unknown key `cost` in budgets | allowed keys: cost_usd, tokens, wall_time_s, attempts, per_task',
      '6:5 unknown key `depend_on` in task "a" | did you mean `depends_on`?',
      '7:18 unknown key `skipp` in task "a": verifiers | did you mean `skip`?',
      '8:5 unknown key `colour` in task "a" | allowed keys: id, title, description, depends_on, deliverables, acceptance_criteria, context_files, covers, agent, order, estimate_s, verifiers, allow_empty, sandbox, agent_config, budgets',
    ]);
    expect(new Set(issues(text).map((issue) => issue.kind))).toEqual(new Set(['unknown-key']));
  });

  it('accepts any keys inside agents and agent_config', () => {
    const text = yaml(
      'agents: { anything: { goes: [1, 2] } }',
      'tasks:',
      '  - id: a',
      '    title: A',
      '    agent_config: { whatever: { deep: true } }',
    );
    expect(validatePlan(text).ok).toBe(true);
  });
});

describe('validatePlan: retry', () => {
  const settingsOf = (text: string) => {
    const result = validatePlan(text);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.plan.settings;
  };

  it('merges a partial policy over the defaults', () => {
    const settings = settingsOf(
      yaml('retry: { attempts: 5, max_interval_s: 30 }', 'tasks: [{ id: a, title: A }]'),
    );
    expect(settings.retry).toEqual({ ...DEFAULT_RETRY_POLICY, attempts: 5, max_interval_s: 30 });
  });

  it('replaces non_retryable as a whole and allows turning retries off', () => {
    const settings = settingsOf(
      yaml('retry:', '  attempts: 0', '  non_retryable: [auth, timeout]', 'tasks: [{ id: a, title: A }]'),
    );
    expect(settings.retry).toEqual({
      ...DEFAULT_RETRY_POLICY,
      attempts: 0,
      non_retryable: ['auth', 'timeout'],
    });
  });

  it('does not share the default policy between plans', () => {
    const first = settingsOf(yaml('tasks: [{ id: a, title: A }]'));
    first.retry.non_retryable.push('timeout');
    expect(settingsOf(yaml('tasks: [{ id: a, title: A }]')).retry).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('names an unknown failure kind and suggests the close one', () => {
    const text = yaml(
      'retry:',
      '  non_retryable: [auth, rate_limit, wobbly]',
      'tasks: [{ id: a, title: A }]',
    );
    expect(
      issues(text).map((issue) => `${issue.line}:${issue.column} ${issue.message} | ${issue.hint}`),
    ).toEqual([
      '2:25 unknown failure kind `rate_limit` in retry.non_retryable[1] | did you mean `rate_limited`?',
      '2:37 unknown failure kind `wobbly` in retry.non_retryable[2] | failure kinds: rate_limited, server_error, auth, config, binary_missing, timeout, crashed, task_failed',
    ]);
  });

  it('rejects unknown keys and bad values', () => {
    const text = yaml(
      'retry: { atempts: 2, backoff: 0.5, initial_interval_s: -1 }',
      'tasks: [{ id: a, title: A }]',
    );
    expect(
      issues(text).map((issue) => `${issue.line}:${issue.column} ${issue.message} | ${issue.hint}`),
    ).toEqual([
      '1:10 unknown key `atempts` in retry | did you mean `attempts`?',
      '1:31 retry.backoff must be at least 1 | undefined',
      '1:56 retry.initial_interval_s must be at least 0 | undefined',
    ]);
  });
});

describe('validatePlan: positions at the edges', () => {
  it('points at the empty list item itself, wherever it is in the list', () => {
    const text = yaml('tasks:', '  - id: a', '    title: A', '  -', '  - id: b', '    title: B');
    expect(issues(text).map((issue) => `${issue.line} ${issue.message} | ${issue.hint}`)).toEqual([
      '4 task #2 must be a mapping, got an empty value | write the task (id:, title:, …) in this list item, or remove the empty item',
    ]);
    expect(where(yaml('tasks: [ { id: a, title: A }, null ]'))).toEqual([
      '1:31 schema: task #2 must be a mapping, got an empty value',
    ]);
    expect(where(yaml('tasks:', '  - id: a', '    title: A', '  - '))[0]).toMatch(/^4:/);
  });

  it('keeps a YAML syntax error at the end of the file on one of its lines, where the quote or bracket opens', () => {
    const text = yaml('tasks:', '  - id: a', '    title: "A');
    expect(text.split('\n')).toHaveLength(4); // three lines and the final newline
    expect(where(text)).toEqual(['3:12 yaml: Missing closing "quote']);
    expect(where("tasks:\n  - id: a\n    title: 'A\n\n\n")).toEqual(["3:12 yaml: Missing closing 'quote"]);
    expect(where(yaml('tasks: [ { id: a, title: A }'))[0]).toMatch(/^1:8 yaml: /);
  });

  it('says "not a text file" for binary input, not a schema error', () => {
    expect(issues('tasks:\0\0\0\n')).toEqual([
      {
        file: 'plan.yaml',
        line: 1,
        column: 1,
        kind: 'not-text',
        message: 'plan.yaml is not a text file (it contains a NUL byte at line 1, column 7)',
        hint: 'pass the YAML plan itself (e.g. plan.yaml); `gaffer demo` writes an example',
      },
    ]);
  });
});
