import { Document, isAlias, isNode, isScalar, LineCounter, parse, parseDocument, visit } from 'yaml';
import type { Plan, PlanIssue } from '../domain/index.js';
import { formatPlanIssue, validatePlan } from '../plan/index.js';
import { lastBlock } from './answer-blocks.js';
import { coverageGaps } from './coverage.js';
import { MODEL_TASK_KEYS } from './templates/index.js';

/** The tasks phase's answer read: the plan file's text, and whether (and why not) it can run. */
export interface PlanReply {
  /**
   * plan.yaml as it would be written: spec.yaml's plan settings, then the model's name and tasks,
   * serialised from what was read (the model's text itself never goes into the file).
   */
  text: string;
  plan: Plan | undefined;
  /** Problems, each with its line in the model's own block (what goes back to it). */
  forModel: string[];
  /** The same problems at their line in `text` (what a person reading plan.yaml.partial sees). */
  forPerson: string[];
  /** Acceptance criteria no task covers (only when the plan validates). */
  gaps: string[];
}

interface PlanContext {
  settings: Record<string, unknown>;
  criteria: readonly string[];
  file: string;
  repoRoot?: string;
}

const HEADER =
  "# Written by gaffer spec (tasks phase). The settings come from spec.yaml's plan:, the tasks from the model.\n";
const MODEL_BLOCK = 'your YAML block';
const TOP_KEYS = new Set(['name', 'tasks']);
const TASK_KEYS = new Set<string>(MODEL_TASK_KEYS);

/**
 * Reads the plan from a tasks-phase answer (its last ```yaml block, else the whole answer) and
 * checks it with the plan validator, the same as a hand-written plan, with the spec's criteria
 * known so that `covers` names only real ones. The model writes only `name` and `tasks`, and tasks
 * only the work (MODEL_TASK_KEYS): what tasks may do comes from spec.yaml's `plan:` settings.
 * The block is parsed on its own and only those keys are taken from it; the plan is then built
 * as data and serialised, because text joined to the settings could continue them (a block whose
 * first line is indented would add keys to the last setting's mapping). A block with YAML anchors
 * or aliases is refused unread ({@link aliasIssues}).
 */
export function readPlanReply(answer: string, context: PlanContext): PlanReply {
  const found = lastBlock(answer, ['yaml', 'yml']);
  const block = (found?.body ?? answer).trimEnd() + '\n';
  const cutOff =
    found && !found.closed
      ? [
          `the \`\`\`yaml block opened at line ${found.line} of your reply is never closed: write the whole plan, then close the block`,
        ]
      : [];
  const validation = {
    knownCriteria: context.criteria,
    ...(context.repoRoot === undefined ? {} : { repoRoot: context.repoRoot }),
  };
  // Refused before anything reads the block as data: that would expand every alias.
  const aliases = aliasIssues(block);
  if (aliases.length > 0) return unreadable(block, aliases, cutOff, context.file);
  // The block alone, checked where the model wrote it, so that every problem has its own line.
  const own = validatePlan(block, { file: MODEL_BLOCK, ...validation });
  const ownIssues = own.ok ? [] : own.issues;
  const part = modelPart(block);
  if (part === undefined) return unreadable(block, ownIssues, cutOff, context.file);

  const text = HEADER + planYaml({ ...settingsOf(context.settings), ...part.value });
  const checked = validatePlan(text, { file: context.file, ...validation });
  const issues: PlanIssue[] = checked.ok ? [] : checked.issues;
  // What only the whole file shows (spec.yaml's settings themselves): at its place in the file.
  const seen = new Set(ownIssues.map(issueKey));
  const fileOnly = issues.filter((i) => !seen.has(issueKey(i)));
  const forModel = [
    ...cutOff,
    ...part.refused,
    ...ownIssues.map(formatPlanIssue),
    ...fileOnly.map((i) => `${formatPlanIssue(i)} (from spec.yaml's plan: settings)`),
  ];
  const forPerson = [...cutOff, ...part.refused, ...issues.map(formatPlanIssue)];
  const usable = checked.ok && part.refused.length === 0 && cutOff.length === 0;
  const plan = usable ? checked.plan : undefined;
  return { text, plan, forModel, forPerson, gaps: plan ? coverageGaps(context.criteria, plan.tasks) : [] };
}

/**
 * The model's `name` and `tasks`, each task reduced to the keys it may write, with one message
 * for every key dropped; undefined when the block is not a YAML mapping at all.
 */
function modelPart(block: string): { value: Record<string, unknown>; refused: string[] } | undefined {
  let raw: unknown;
  try {
    raw = parse(block);
  } catch {
    return undefined; // the block's own validation reports the syntax error with its position
  }
  if (!isRecord(raw)) return undefined;
  const refused = Object.keys(raw)
    .filter((k) => !TOP_KEYS.has(k))
    .map(
      (k) =>
        `\`${k}\` cannot be set by the plan's author (top-level keys: name, tasks); spec.yaml's plan: holds the settings`,
    );
  const value: Record<string, unknown> = {};
  if (raw.name !== undefined) value.name = raw.name;
  if (raw.tasks === undefined) return { value, refused };
  if (!Array.isArray(raw.tasks)) {
    refused.push('`tasks` must be a list of tasks, each starting with `- id: …`');
    return { value, refused };
  }
  value.tasks = (raw.tasks as unknown[]).map((task) => {
    // Anything but a mapping holds no keys; the validator says what is wrong with it.
    if (!isRecord(task)) return task;
    const kept: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(task))
      if (TASK_KEYS.has(key)) kept[key] = entry;
      else
        refused.push(
          `task "${String(task.id)}": \`${key}\` cannot be set here (allowed: ${MODEL_TASK_KEYS.join(', ')})`,
        );
    return kept;
  });
  return { value, refused };
}

/** At most this many anchors and aliases are named one by one; the rest are counted. */
const ALIASES_NAMED = 5;

/**
 * The YAML anchors (`&d`) and aliases (`*d`) of the model's block, each at its line. An alias
 * repeats what it names wherever it stands, so a block within max_output_chars could expand into
 * a plan.yaml (or .partial) of megabytes; a plan a person reads has every value written out anyway.
 */
function aliasIssues(block: string): PlanIssue[] {
  if (!/[&*]/.test(block)) return [];
  const lines = new LineCounter();
  const doc = parseDocument(block, { lineCounter: lines });
  const found: { offset: number; message: string }[] = [];
  visit(doc, (_key, node) => {
    if (isAlias(node))
      found.push({ offset: node.range?.[0] ?? 0, message: `\`*${node.source}\` is a YAML alias` });
    else if (isNode(node) && node.anchor) {
      // The node's range starts at its value: its anchor is the last `&name` before that.
      const at = block.lastIndexOf(`&${node.anchor}`, node.range?.[0] ?? 0);
      found.push({ offset: Math.max(0, at), message: `\`&${node.anchor}\` is a YAML anchor` });
    }
  });
  const hint = 'write each value out; no YAML anchors or aliases';
  const issues = found.slice(0, ALIASES_NAMED).map(({ offset, message }): PlanIssue => {
    const { line, col } = lines.linePos(offset);
    return { file: MODEL_BLOCK, line, column: col, message: `${message}: ${hint}`, kind: 'yaml-alias' };
  });
  const more = found.length - issues.length;
  const last = issues.at(-1);
  if (last && more > 0) last.message += ` (and ${more} more anchors or aliases)`;
  return issues;
}

/** spec.yaml's plan settings, less what only the model writes. */
function settingsOf(settings: Record<string, unknown>): Record<string, unknown> {
  const { tasks: _tasks, ...rest } = settings;
  return rest;
}

/**
 * A block that is not a mapping: nothing is taken from it. The file a person reads keeps it
 * commented out (never as YAML, so it cannot be run by renaming the file), each problem at its
 * commented line.
 */
function unreadable(block: string, issues: PlanIssue[], cutOff: string[], file: string): PlanReply {
  const note = "# The model's block below could not be read as a plan; it is kept commented out.\n";
  const text = HEADER + note + block.replace(/^/gm, '# ').replace(/# $/, '');
  const offset = 2;
  const forModel = [...cutOff, ...issues.map(formatPlanIssue)];
  const forPerson = [
    ...cutOff,
    ...issues.map((i) => formatPlanIssue({ ...i, file, line: i.line + offset, column: i.column + 2 })),
  ];
  return {
    text,
    plan: undefined,
    forModel: forModel.length > 0 ? forModel : ['your YAML block is not a mapping of `name` and `tasks`'],
    forPerson: forPerson.length > 0 ? forPerson : [`${file}: the model's block is not a plan`],
    gaps: [],
  };
}

/** The plan as YAML: lists of plain values on one line (`covers: [AC-1.1]`), as a person writes them. */
function planYaml(value: Record<string, unknown>): string {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

const issueKey = (issue: PlanIssue) => `${issue.kind}\u0000${issue.message}`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
