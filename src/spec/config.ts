import { isMap, isNode, isScalar, isSeq, LineCounter, parse, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import type { PlanIssue } from '../domain/index.js';
import { userError } from '../domain/index.js';
import { validatePlan } from '../plan/index.js';
import { DEFAULT_GATES } from './gates.js';

const freeForm = z.record(z.string(), z.unknown());

/**
 * `.gaffer/specs/<id>/spec.yaml`: which backend answers the phases and how, read at every run.
 * `plan` holds the settings the generated plan.yaml starts from: the model writes only its
 * tasks, never what they may do (agents, sandbox, checks and budgets stay the person's).
 */
export const specConfigSchema = z.strictObject({
  agent: z.string().min(1).default('api'),
  agents: z.record(z.string(), freeForm).default({}),
  // One limit for a phase run, its correction rounds included (each round gets what is left).
  timeout_s: z.number().positive().default(600),
  // 0: the first answer is used or refused as it is, never sent back.
  correction_rounds: z.number().int().min(0).max(10).default(3),
  max_output_chars: z.number().int().positive().default(60_000),
  gates: z
    .strictObject({
      requirements: z.boolean().default(DEFAULT_GATES.requirements),
      design: z.boolean().default(DEFAULT_GATES.design),
      tasks: z.boolean().default(DEFAULT_GATES.tasks),
    })
    .default(DEFAULT_GATES),
  plan: freeForm.default({}),
});

export type SpecConfig = z.infer<typeof specConfigSchema>;

/** What `gaffer spec new` writes: every setting at its default, with the backend to fill in. */
export const STARTER_CONFIG = `# How gaffer spec run answers this spec's phases (read at every run).
agent: api
agents:
  api:
    provider: openai-compatible   # or anthropic, openai
    # base_url: http://127.0.0.1:11434/v1
    model: qwen2.5-coder:7b
timeout_s: 600          # per phase run, its correction rounds included; --timeout overrides
correction_rounds: 3    # answers that do not validate go back with their errors this many times (0: never)
max_output_chars: 60000
gates: { requirements: false, design: false, tasks: true }   # approval needed before what follows
plan:                   # settings plan.yaml starts from; the model writes only its tasks
  agent: claude-code
`;

/** Reads spec.yaml (absent: every default); a bad file is a user error naming the key. */
export function parseSpecConfig(text: string | undefined, file: string): SpecConfig {
  let raw: unknown = {};
  if (text !== undefined) {
    try {
      raw = parse(text) ?? {};
    } catch (error) {
      throw userError(
        'GAFFER_BAD_INPUT',
        `${file}: ${error instanceof Error ? error.message : String(error)}`,
        'fix the YAML',
      );
    }
  }
  const parsed = specConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw userError(
    'GAFFER_BAD_INPUT',
    `${file}: ${first?.path.join('.') || '(top level)'}: ${first?.message ?? 'invalid'}`,
    `the keys are ${Object.keys(specConfigSchema.shape).join(', ')}`,
  );
}

/** Keys of plan.yaml that the model writes: set in spec.yaml too, every answer would repeat them. */
const MODEL_KEYS = ['name', 'tasks'] as const;

/**
 * spec.yaml's `plan:` settings checked as the plan.yaml they start (with a placeholder task), before
 * any model is asked: a bad setting would otherwise fail every answer of the tasks phase in turn,
 * each correction round spent on a mistake that is not the model's. Refused at its line in spec.yaml.
 */
export function checkPlanSettings(
  settings: Record<string, unknown>,
  text: string | undefined,
  file: string,
): void {
  const where = settingsLocator(text ?? '');
  const own = MODEL_KEYS.filter((key) => key in settings);
  if (own.length > 0)
    throw userError(
      'GAFFER_BAD_INPUT',
      `${file}:${where([own[0]!]).line}: plan: sets ${own.map((k) => `\`${k}\``).join(' and ')}, which the model writes`,
      `remove it from spec.yaml's plan: block; it holds only the settings plan.yaml starts from`,
      { file },
    );
  const document = stringify({ ...settings, tasks: [PLACEHOLDER_TASK] }, { lineWidth: 0 });
  const checked = validatePlan(document, { file });
  if (checked.ok) return;
  const pathAt = keyPaths(document);
  const issues = checked.issues.map((issue): PlanIssue => {
    const path = pathAt.get(issue.line) ?? [];
    return { ...issue, ...where(path[0] === 'tasks' ? [] : path) };
  });
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw userError(
    'GAFFER_BAD_INPUT',
    `${first.file}:${first.line}:${first.column}: plan: ${first.message}${more}`,
    `${first.hint ? `${first.hint}; ` : ''}fix spec.yaml's plan: block (plan.yaml's settings, as in a hand-written plan); no model was asked`,
    { file, issues },
  );
}

const PLACEHOLDER_TASK = { id: 'placeholder', title: 'placeholder' };

type KeyPath = (string | number)[];

/** The deepest key (or list item) starting on each line of `document`: a validator line → its setting. */
function keyPaths(document: string): Map<number, KeyPath> {
  const lines = new LineCounter();
  const doc = parseDocument(document, { lineCounter: lines });
  const out = new Map<number, KeyPath>();
  const note = (node: unknown, path: KeyPath) => {
    const start = isNode(node) ? node.range?.[0] : undefined;
    if (start !== undefined) out.set(lines.linePos(start).line, path);
  };
  const walk = (node: unknown, path: KeyPath): void => {
    if (isMap(node))
      for (const pair of node.items) {
        const key: unknown = pair.key;
        const at = [...path, String(isScalar(key) ? key.value : key)];
        note(key, at);
        walk(pair.value, at);
      }
    else if (isSeq(node))
      node.items.forEach((item, index) => {
        note(item, [...path, index]);
        walk(item, [...path, index]);
      });
  };
  walk(doc.contents, []);
  return out;
}

/** Where a setting of `plan:` is in spec.yaml's text: its key, else its nearest parent's, else the top. */
function settingsLocator(text: string): (path: KeyPath) => { line: number; column: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const startOf = (path: KeyPath): number | undefined => {
    const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const last = path.at(-1);
    if (isMap(parent))
      for (const pair of parent.items) {
        const key: unknown = pair.key;
        if (isNode(key) && String(isScalar(key) ? key.value : key) === String(last)) return key.range?.[0];
      }
    const item: unknown = isSeq(parent) && typeof last === 'number' ? parent.items[last] : undefined;
    return isNode(item) ? item.range?.[0] : undefined;
  };
  return (path) => {
    for (let length = path.length + 1; length >= 1; length -= 1) {
      const start = startOf(['plan', ...path].slice(0, length));
      if (start !== undefined) {
        const { line, col } = lines.linePos(start);
        return { line, column: col };
      }
    }
    return { line: 1, column: 1 };
  };
}
