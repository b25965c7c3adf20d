import type { Plan } from '../../domain/index.js';
import { effectiveDependencies } from '../../plan/index.js';
import type { KnowledgeEntry } from './task-knowledge.js';

/** How much of the prompt earlier tasks' knowledge may take, in characters (~1,500 tokens). */
export const KNOWLEDGE_BUDGET_CHARS = 6000;
const MAX_FILES = 15;

/**
 * The prompt section on what earlier tasks did, for `taskId`: the tasks it depends on first
 * (nearest first), then the others, newest first; each entry whole or not at all, until the
 * budget is spent. Empty when nothing passed yet.
 */
export function renderKnowledge(
  plan: Plan,
  entries: readonly KnowledgeEntry[],
  taskId: string,
  budget = KNOWLEDGE_BUDGET_CHARS,
  /** Without the section's heading and instruction (for a prompt that has its own, the foreman's). */
  bare = false,
): string {
  const others = entries.filter((e) => e.taskId !== taskId);
  if (others.length === 0) return '';
  const distance = dependencyDistance(plan, taskId);
  const titles = new Map(plan.tasks.map((t) => [t.id, t.title]));
  const order = others
    .map((entry, index) => ({ entry, index, distance: distance.get(entry.taskId) ?? Infinity }))
    .sort((a, b) => a.distance - b.distance || b.index - a.index);
  const blocks: string[] = [];
  let used = 0;
  let left = 0;
  for (const { entry, distance: d } of order) {
    const block = renderEntry(entry, titles.get(entry.taskId) ?? '', Number.isFinite(d));
    if (used + block.length > budget) {
      left += 1;
      continue;
    }
    blocks.push(block);
    used += block.length;
  }
  if (blocks.length === 0) return '';
  const more = left > 0 ? `\n(${left} more earlier task${left === 1 ? '' : 's'} left out for space)` : '';
  const body = `${blocks.join('\n\n')}${more}`;
  return bare
    ? body
    : `## What earlier tasks did\nFollow their decisions unless your task says otherwise.\n\n${body}`;
}

function renderEntry(entry: KnowledgeEntry, title: string, dependency: boolean): string {
  const lines = [`### ${entry.taskId}: ${title}${dependency ? ' (your task builds on it)' : ''}`];
  const files = (label: string, list: readonly string[]) => {
    if (list.length === 0) return;
    const shown = list.slice(0, MAX_FILES).map(safePath).join(', ');
    lines.push(`${label}: ${shown}${list.length > MAX_FILES ? `, and ${list.length - MAX_FILES} more` : ''}`);
  };
  files('Created', entry.created);
  files('Changed', entry.changed);
  files('Deleted', entry.deleted);
  if (entry.decisions.length) lines.push('Decisions:', ...entry.decisions.map((d) => `- ${d}`));
  if (entry.patterns.length) lines.push('Patterns:', ...entry.patterns.map((p) => `- ${p}`));
  return lines.join('\n');
}

/** How many dependency edges each task the given one depends on lies away from it (1 = direct). */
function dependencyDistance(plan: Plan, taskId: string): Map<string, number> {
  const deps = effectiveDependencies(plan);
  const distance = new Map<string, number>();
  let frontier = [taskId];
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const dep of deps.get(id) ?? [])
        if (!distance.has(dep)) {
          distance.set(dep, d);
          next.push(dep);
        }
    frontier = next;
  }
  return distance;
}

/**
 * A path as later prompts show it: an agent chooses its file names, so one holding line breaks
 * or other control characters (which could start a heading of its own) is shown quoted, and long
 * ones are cut.
 */
function safePath(path: string): string {
  const cut = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  return /^[\w./@+-]+$/.test(cut) ? cut : JSON.stringify(cut);
}
