import type { PlanTask } from '../../domain/index.js';
import { estimateTokens, renderFileTree } from './file-tree-map.js';
import { GAFFER_RULES } from './system-rules.js';

/** What the stable prefix is built from: the same for every task of a run. */
export interface RepoSnapshot {
  /** Instruction files at the repository root, in the order they are shown (AGENTS.md, CLAUDE.md). */
  instructions: readonly { name: string; text: string }[];
  /** Every file of the repository, relative, with `/` separators. */
  files: readonly string[];
}

/** A task's context file as read from the worktree; `content` is undefined when it could not be read. */
export interface ContextFile {
  path: string;
  content?: string;
  /** Why it could not be read (missing, binary, outside the worktree, secret). */
  problem?: string;
}

/** The system prompt shared by every task of a run. */
export interface StablePrefix {
  text: string;
  /** Instruction texts shown in full, so the task message need not repeat them. */
  fullInstructions: readonly string[];
}

export interface PackedTaskMessage {
  text: string;
  /** Context files shown whole. */
  included: string[];
  /** Context files cut to fit the budget. */
  partial: string[];
  /** Context files left out for lack of budget. */
  omitted: string[];
  /** Context files that could not be read. */
  missing: string[];
}

/** Shares of the budget the prefix may spend on repository instructions and on the file map. */
const INSTRUCTIONS_SHARE = 1 / 4;
const TREE_SHARE = 1 / 8;
/** A file is only cut when at least this many tokens of it would still be shown. */
const MIN_PARTIAL_TOKENS = 256;

function cutToTokens(text: string, tokens: number): string {
  const cut = text.slice(0, Math.max(0, tokens * 4));
  const lastNewline = cut.lastIndexOf('\n');
  return lastNewline > cut.length / 2 ? cut.slice(0, lastNewline + 1) : cut;
}

/**
 * The system prompt: Gaffer's rules and tool guidance, the repository's instructions and a map
 * of its files. Nothing task-specific goes here, so every task of a run sends the same prefix.
 */
export function buildStablePrefix(repo: RepoSnapshot, budgetTokens: number): StablePrefix {
  const sections = [GAFFER_RULES];
  const fullInstructions: string[] = [];
  let instructionBudget = Math.floor(budgetTokens * INSTRUCTIONS_SHARE);
  for (const { name, text } of repo.instructions) {
    const trimmed = text.trim();
    if (trimmed === '') continue;
    const tokens = estimateTokens(trimmed);
    if (tokens <= instructionBudget) {
      sections.push(`# Repository instructions (${name})\n${trimmed}`);
      fullInstructions.push(trimmed);
      instructionBudget -= tokens;
    } else if (instructionBudget >= MIN_PARTIAL_TOKENS) {
      const shown = cutToTokens(trimmed, instructionBudget);
      sections.push(
        `# Repository instructions (${name}, first ${shown.length} of ${trimmed.length} characters; read_file ${name} for the rest)\n${shown}`,
      );
      instructionBudget = 0;
    } else {
      sections.push(`# Repository instructions\n${name} is too long to include: read it with read_file.`);
    }
  }
  const tree = renderFileTree(repo.files, Math.floor(budgetTokens * TREE_SHARE));
  if (tree.text !== '') {
    sections.push(`# Repository map (files at the start of the run, by directory)\n${tree.text}`);
  }
  return { text: sections.join('\n\n'), fullInstructions };
}

/**
 * The engine's prompt repeats the repository instructions (one file's text, or several under
 * `### <file>` headings); drop that section when the prefix already carries every file of it.
 */
export function withoutRepeatedInstructions(prompt: string, fullInstructions: readonly string[]): string {
  const heading = '## Repository instructions\n';
  const start = prompt.indexOf(heading);
  if (start === -1 || fullInstructions.length === 0) return prompt;
  const next = prompt.indexOf('\n\n## ', start + heading.length);
  const end = next === -1 ? prompt.length : next;
  const section = prompt.slice(start + heading.length, end);
  // Repeated only when nothing but the prefix's files (and their headings) is left in it.
  let rest = section;
  for (const text of fullInstructions) rest = rest.replace(text.trim(), '');
  const repeated = rest.replace(/^### .*$/gm, '').trim() === '';
  return repeated ? `${prompt.slice(0, start)}${heading}(in the system prompt)${prompt.slice(end)}` : prompt;
}

/** Does the task's own text (not the engine's list of context files) name `path`? */
function isNamedByTask(path: string, task: PlanTask): boolean {
  if (task.deliverables.includes(path)) return true;
  const text = [task.title, task.description, ...task.acceptance_criteria, ...task.deliverables].join('\n');
  const base = path.slice(path.lastIndexOf('/') + 1);
  return (
    text.includes(path) ||
    (base.length >= 3 && new RegExp(`(^|[^\\w.-])${escapeRegExp(base)}($|[^\\w-])`).test(text))
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Files the task names come first, then smaller before larger (more files fit), then by path. */
export function rankContextFiles(files: readonly ContextFile[], task: PlanTask): ContextFile[] {
  const keyed = files.map((file) => ({
    file,
    named: isNamedByTask(file.path, task) ? 0 : 1,
    size: file.content?.length ?? 0,
  }));
  keyed.sort((a, b) => a.named - b.named || a.size - b.size || a.file.path.localeCompare(b.file.path));
  return keyed.map(({ file }) => file);
}

const fileBlock = (path: string, content: string, note = '') =>
  `<file path="${path}"${note}>\n${content.endsWith('\n') || content === '' ? content : `${content}\n`}</file>`;

/**
 * The first user message: the engine's prompt, then the task's context files, ranked and cut to
 * what is left of `budgetTokens` after the prefix and the prompt. It says what it left out.
 */
export function buildTaskMessage(input: {
  prompt: string;
  task: PlanTask;
  contextFiles: readonly ContextFile[];
  prefix: StablePrefix;
  budgetTokens: number;
}): PackedTaskMessage {
  const prompt = withoutRepeatedInstructions(input.prompt, input.prefix.fullInstructions).trimEnd();
  const packed: PackedTaskMessage = { text: prompt, included: [], partial: [], omitted: [], missing: [] };
  let left = input.budgetTokens - estimateTokens(input.prefix.text) - estimateTokens(prompt);
  const blocks: string[] = [];
  for (const file of rankContextFiles(input.contextFiles, input.task)) {
    if (file.content === undefined) {
      packed.missing.push(`${file.path} (${file.problem ?? 'unreadable'})`);
      continue;
    }
    const whole = fileBlock(file.path, file.content);
    const cost = estimateTokens(whole);
    if (cost <= left) {
      blocks.push(whole);
      packed.included.push(file.path);
      left -= cost;
    } else if (left >= MIN_PARTIAL_TOKENS) {
      const shown = cutToTokens(file.content, left - 40);
      const lines = shown.split('\n').length - 1;
      blocks.push(fileBlock(file.path, shown, ` cut="first ${lines} lines; read_file for the rest"`));
      packed.partial.push(file.path);
      left = 0;
    } else {
      packed.omitted.push(file.path);
    }
  }
  const notes: string[] = [];
  if (packed.partial.length) notes.push(`cut to fit the context budget: ${packed.partial.join(', ')}`);
  if (packed.omitted.length)
    notes.push(`left out for the context budget (read them with read_file): ${packed.omitted.join(', ')}`);
  if (packed.missing.length) notes.push(`could not be read: ${packed.missing.join(', ')}`);
  if (blocks.length || notes.length) {
    const body = [...blocks, ...notes.map((note) => `Note: ${note}.`)].join('\n\n');
    packed.text = `${prompt}\n\n## Context files\n${body}`;
  }
  return packed;
}
