import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { VerifierResult } from '../domain/index.js';
import { lstatInWorktree } from './diff-limits.js';
import { isMissing } from './repo-files.js';
import { formatArgv, type VerifierCommand } from './verifier-command.js';

/** A file as a check's tool would see it, or a symbolic link (compared by its target, never followed). */
export type DefinitionFile = { text: string } | { link: string };

/** Read access to one tree of the repository: the base commit's, or the worktree's files. */
export interface DefinitionTree {
  /** Names at the tree's root; every definition file lives at the root or one folder below it. */
  rootNames(): Promise<readonly string[]>;
  /** The file at a repo-relative path; undefined when absent or not a file. */
  read(path: string): Promise<DefinitionFile | undefined>;
}

/** What in a file decides what a check does: the whole file, one JSON value, or a TOML/INI table. */
export type DefinitionPart =
  | { file: string; kind: 'file' }
  | { file: string; kind: 'json'; key: readonly string[] }
  | { file: string; kind: 'section'; section: string };

/** One way the task changed a check's definition, as a line the agent and the user can act on. */
export interface DefinitionChange {
  /** `package.json scripts.test`, `vitest.config.ts`, `pyproject.toml [tool.pytest]`, `the check "test"`. */
  what: string;
  how: string;
}

const file = (name: string): DefinitionPart => ({ file: name, kind: 'file' });
const section = (name: string, table: string): DefinitionPart => ({
  file: name,
  kind: 'section',
  section: table,
});
const packageField = (...key: string[]): DefinitionPart => ({ file: 'package.json', kind: 'json', key });
const withExtensions = (base: string, extensions: readonly string[]) =>
  extensions.map((e) => file(`${base}.${e}`));
const JS = ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'];

/**
 * The files of each tool that decide what a check run with it does: which tests it collects,
 * which files it lints, what it skips. Only the test, lint and type-check tools' own settings
 * are listed: a build tool's config, the code and the tests themselves (conftest.py included)
 * are the task's to change. `vitest` falls back to `vite.config.*` only when there is no
 * `vitest.config.*`, as vitest itself does.
 */
const TOOL_PARTS: Record<string, readonly DefinitionPart[]> = {
  vitest: [...withExtensions('vitest.config', JS), ...withExtensions('vitest.workspace', [...JS, 'json'])],
  jest: [...withExtensions('jest.config', [...JS, 'json']), packageField('jest')],
  mocha: [
    ...withExtensions('.mocharc', ['js', 'cjs', 'mjs', 'json', 'jsonc', 'yaml', 'yml']),
    packageField('mocha'),
  ],
  eslint: [
    ...withExtensions('eslint.config', JS),
    file('.eslintrc'),
    ...withExtensions('.eslintrc', ['js', 'cjs', 'json', 'yaml', 'yml']),
    file('.eslintignore'),
    packageField('eslintConfig'),
    packageField('eslintIgnore'),
  ],
  prettier: [
    file('.prettierrc'),
    ...withExtensions('.prettierrc', ['json', 'json5', 'yaml', 'yml', 'toml', ...JS]),
    ...withExtensions('prettier.config', JS),
    file('.prettierignore'),
    packageField('prettier'),
  ],
  // tsconfig.*.json is matched by pattern (tsconfigParts).
  tsc: [file('tsconfig.json')],
  pytest: [
    file('pytest.ini'),
    section('pyproject.toml', 'tool.pytest'),
    section('setup.cfg', 'tool:pytest'),
    section('tox.ini', 'pytest'),
  ],
  ruff: [file('ruff.toml'), file('.ruff.toml'), section('pyproject.toml', 'tool.ruff')],
  mypy: [
    file('mypy.ini'),
    file('.mypy.ini'),
    section('pyproject.toml', 'tool.mypy'),
    section('setup.cfg', 'mypy'),
  ],
  make: [file('GNUmakefile'), file('makefile'), file('Makefile')],
  // A `[target.*] runner` in Cargo's config replaces the test binaries' execution.
  cargo: [
    file('.cargo/config.toml'),
    file('.cargo/config'),
    section('Cargo.toml', 'lints'),
    section('Cargo.toml', 'workspace.lints'),
  ],
  clippy: [file('clippy.toml'), file('.clippy.toml')],
};

/** Spellings of a tool in a command line or script. */
const TOOL_ALIASES: Record<string, string> = {
  'vue-tsc': 'tsc',
  'py.test': 'pytest',
  'cargo-clippy': 'clippy',
};
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);

/**
 * The parts of the repository that define what the checks do — the scripts a package manager
 * runs (with their `pre`/`post` scripts and the scripts they call), and the settings of every
 * tool the command or those scripts name — compared between the base commit and the worktree.
 * Only checks the base ran are looked at (`baseChecks`, by name): a check the task adds is its
 * own and judges nothing the base had. A check of such a name whose command changed (a
 * detected `npm test` where the base ran `python3 -m pytest -q`) is a change too, unless the
 * plan names its command.
 */
export async function findDefinitionChanges(
  checks: readonly VerifierCommand[],
  baseChecks: readonly { name: string; command: string }[],
  base: DefinitionTree,
  now: DefinitionTree,
): Promise<DefinitionChange[]> {
  const guarded = checks.filter((check) => baseChecks.some((b) => b.name === check.name));
  if (guarded.length === 0) return [];
  const changes = commandChanges(guarded, baseChecks);
  const reader = cachedReads(base, now);
  const names = new Set([...(await base.rootNames()), ...(await now.rootNames())]);
  const scripts = {
    base: scriptsOf(await reader.base('package.json')),
    now: scriptsOf(await reader.now('package.json')),
  };
  const parts = unique(guarded.flatMap((check) => definitionParts(check.argv, scripts, names)));
  for (const part of parts) {
    const change = comparePart(part, await reader.base(part.file), await reader.now(part.file));
    if (change) changes.push(change);
  }
  return changes;
}

/** The failed result the evaluation gets for definition changes; undefined when there are none. */
export function definitionsResult(changes: readonly DefinitionChange[]): VerifierResult | undefined {
  if (changes.length === 0) return undefined;
  return {
    name: 'check definitions',
    command: 'compare what defines the checks with the base commit',
    passed: false,
    exitCode: null,
    durationMs: 0,
    timedOut: false,
    output: [
      'The task changed how the repository’s checks are defined; checks are defined by the base commit, not by the task:',
      ...changes.map((change) => `- ${change.what}: ${change.how}`),
      'Put these back as they are on the base commit: the checks judge the work, the work does not change them.',
      'If the task is meant to change them, set verifiers.trust_task_changes: true in the plan.',
    ].join('\n'),
  };
}

/** The definition parts one check's command depends on; `names` are the root entries of both trees. */
export function definitionParts(
  argv: readonly string[],
  scripts: { base: Scripts; now: Scripts },
  names: ReadonlySet<string>,
): DefinitionPart[] {
  const { script, tools } = invocation(argv);
  const used = script === undefined ? new Set<string>() : usedScripts(script, scripts);
  for (const name of used) {
    for (const text of [scripts.base[name], scripts.now[name]]) {
      if (text !== undefined) for (const tool of toolsIn(text)) tools.add(tool);
    }
  }
  const parts: DefinitionPart[] = [...used].sort().map((name) => packageField('scripts', name));
  for (const tool of [...tools].sort()) parts.push(...(TOOL_PARTS[tool] ?? []));
  if (tools.has('tsc'))
    parts.push(
      ...[...names]
        .filter((n) => /^tsconfig\..+\.json$/.test(n))
        .sort()
        .map(file),
    );
  if (tools.has('vitest') && ![...names].some((n) => n.startsWith('vitest.config.')))
    parts.push(...withExtensions('vite.config', JS));
  return parts.filter((part) => names.has(part.file.split('/')[0] ?? ''));
}

export type Scripts = Readonly<Record<string, string>>;

/** What a command runs: a package script (npm test, pnpm run lint, yarn build) or tools by name. */
function invocation(argv: readonly string[]): { script?: string; tools: Set<string> } {
  const [command = '', ...rest] = argv.map(toolName);
  const args = rest.filter((arg) => !arg.startsWith('-'));
  if (PACKAGE_MANAGERS.has(command)) {
    const [first, second] = args;
    if (first === 'exec' || first === 'dlx' || first === 'x')
      return { tools: toolsIn(args.slice(1).join(' ')) };
    if (first === 'run' || first === 'run-script')
      return second === undefined ? { tools: new Set() } : { script: second, tools: new Set() };
    if (command === 'npm' && (first === 't' || first === 'tst')) return { script: 'test', tools: new Set() };
    // `bun test` is bun's own runner; any other first word is a script for every manager.
    if (command === 'bun' && first === 'test') return { tools: new Set() };
    return first === undefined ? { tools: new Set() } : { script: first, tools: new Set() };
  }
  if (command === 'npx' || command === 'bunx') return { tools: toolsIn(args.join(' ')) };
  const module = /^python[\d.]*$/.test(command) ? rest[rest.indexOf('-m') + 1] : undefined;
  const tools = toolsIn([module ?? command, ...args].join(' '));
  if (command === 'cargo' && args.includes('clippy')) tools.add('clippy');
  return { tools };
}

/** A script, its `pre`/`post` scripts and every script they call, in either tree's version. */
function usedScripts(start: string, scripts: { base: Scripts; now: Scripts }): Set<string> {
  const known = new Set([...Object.keys(scripts.base), ...Object.keys(scripts.now)]);
  // The start counts even where no version has it: a script the task added or removed is a change.
  const used = new Set<string>();
  const queue = [start];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (used.has(name)) continue;
    used.add(name);
    const words = [scripts.base[name], scripts.now[name]].flatMap((text) => (text ? wordsOf(text) : []));
    for (const candidate of known) {
      if (used.has(candidate)) continue;
      // A called script appears as a word of its own (`npm run build`, `run-s lint:*`).
      const called = words.some((word) => wordMatches(word, candidate));
      if (called || candidate === `pre${name}` || candidate === `post${name}`) queue.push(candidate);
    }
  }
  return used;
}

function wordMatches(word: string, name: string): boolean {
  if (word === name) return true;
  if (!word.includes('*')) return false;
  const pattern = word.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/** Tool names among a command line's words (`./node_modules/.bin/vitest` is `vitest`). */
function toolsIn(text: string): Set<string> {
  const tools = new Set<string>();
  for (const word of wordsOf(text)) {
    const name = toolName(word);
    if (name in TOOL_PARTS) tools.add(name);
  }
  return tools;
}

const toolName = (word: string) => {
  const name = word.split('/').pop() ?? word;
  return TOOL_ALIASES[name] ?? name;
};

const wordsOf = (text: string) => text.split(/[\s;&|()<>"'`=]+/).filter((word) => word !== '');

/** The `scripts` of a package.json, strings only; none when absent or not JSON. */
function scriptsOf(content: DefinitionFile | undefined): Scripts {
  const scripts = (jsonOf(content) as { scripts?: unknown } | undefined)?.scripts;
  if (typeof scripts !== 'object' || scripts === null) return {};
  return Object.fromEntries(
    Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** Undefined when the part is the same in both trees; what changed otherwise. */
export function comparePart(
  part: DefinitionPart,
  before: DefinitionFile | undefined,
  after: DefinitionFile | undefined,
): DefinitionChange | undefined {
  const what = describePart(part);
  if (isLink(before) || isLink(after)) {
    if (isLink(before) && isLink(after) && before.link === after.link) return undefined;
    if (isLink(after)) return { what, how: `is now a symbolic link to ${after.link}` };
    return { what, how: after === undefined ? 'removed' : 'was a symbolic link, now a file' };
  }
  const was = extract(part, before);
  const now = extract(part, after);
  if (was === now) return undefined;
  if (was === undefined) return { what, how: now && part.kind === 'json' ? `added, ${now}` : 'added' };
  if (now === undefined) return { what, how: part.kind === 'json' ? `removed (was ${was})` : 'removed' };
  return { what, how: part.kind === 'json' ? `was ${was}, now ${now}` : 'changed' };
}

function describePart(part: DefinitionPart): string {
  if (part.kind === 'json') return `${part.file} ${part.key.join('.')}`;
  if (part.kind === 'section') return `${part.file} [${part.section}]`;
  return part.file;
}

const isLink = (content: DefinitionFile | undefined): content is { link: string } =>
  content !== undefined && 'link' in content;

/** The part's content as comparable text: a JSON value as JSON, a table's lines, the whole file. */
function extract(part: DefinitionPart, content: DefinitionFile | undefined): string | undefined {
  if (content === undefined || isLink(content)) return undefined;
  if (part.kind === 'file') return content.text;
  if (part.kind === 'section') return tableText(content.text, part.section);
  let value = jsonOf(content);
  for (const key of part.key) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined ? undefined : shorten(JSON.stringify(value));
}

function jsonOf(content: DefinitionFile | undefined): unknown {
  if (content === undefined || isLink(content)) return undefined;
  try {
    return JSON.parse(content.text) as unknown;
  } catch {
    return undefined;
  }
}

const shorten = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);

/**
 * The lines of a TOML or INI table and its subtables (`tool.pytest` takes `[tool.pytest.ini_options]`;
 * `mypy` takes `[mypy-pkg.*]`), plus the tables above it (the top of the file, `[tool]`) where a
 * dotted key could set it too. Blank lines and trailing spaces do not count; undefined when
 * none of it exists.
 */
export function tableText(text: string, table: string): string | undefined {
  const above = new Set([
    '',
    ...table
      .split('.')
      .slice(0, -1)
      .map((_, i, all) => all.slice(0, i + 1).join('.')),
  ]);
  const inside = (name: string) =>
    name === table || name.startsWith(`${table}.`) || name.startsWith(`${table}-`);
  let current = '';
  let found = false;
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:[#;].*)?$/.exec(line);
    if (header) {
      current = (header[1] ?? '').replace(/\s*\.\s*/g, '.').replace(/["']/g, '');
      if (inside(current)) found = true;
    }
    if ((inside(current) || above.has(current)) && line.trim() !== '') lines.push(line);
  }
  return found || lines.some((line) => !/^\s*\[/.test(line)) ? lines.join('\n') : undefined;
}

/** Every guarded check whose command differs from all the base ran under its name (plan commands excepted). */
function commandChanges(
  checks: readonly VerifierCommand[],
  baseChecks: readonly { name: string; command: string }[],
): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  for (const check of checks) {
    if (check.source === 'plan') continue;
    const before = baseChecks.filter((b) => b.name === check.name).map((b) => b.command);
    const command = formatArgv(check.argv);
    if (before.includes(command)) continue;
    changes.push({
      what: `the check "${check.name}"`,
      how: `ran \`${before.join('`, `')}\` on the base commit, now \`${command}\` (${check.source})`,
    });
  }
  return changes;
}

function cachedReads(base: DefinitionTree, now: DefinitionTree) {
  const cache = (tree: DefinitionTree) => {
    const seen = new Map<string, Promise<DefinitionFile | undefined>>();
    return (path: string) => {
      let read = seen.get(path);
      if (!read) seen.set(path, (read = tree.read(path)));
      return read;
    };
  };
  return { base: cache(base), now: cache(now) };
}

function unique(parts: readonly DefinitionPart[]): DefinitionPart[] {
  const byKey = new Map(parts.map((part) => [JSON.stringify(part), part]));
  return [...byKey.values()];
}

/**
 * The worktree's files as a {@link DefinitionTree}. A symbolic link is reported by its target and
 * never followed — also when it is a parent folder (`.cargo` linked elsewhere): the tool would
 * read through it, so the definition is then a link, not the base's file.
 */
export function worktreeTree(worktree: string): DefinitionTree {
  return {
    rootNames: async () => {
      try {
        return await readdir(worktree);
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },
    read: async (path) => {
      const parts = path.split('/');
      for (let depth = 1; depth < parts.length; depth++) {
        const parent = parts.slice(0, depth).join('/');
        const stats = await lstatInWorktree(worktree, parent);
        if (stats?.isSymbolicLink())
          return { link: `${await readlink(join(worktree, parent))}/${parts.slice(depth).join('/')}` };
        if (!stats?.isDirectory()) return undefined;
      }
      const stats = await lstatInWorktree(worktree, path);
      if (stats?.isSymbolicLink()) return { link: await readlink(join(worktree, path)) };
      if (!stats?.isFile()) return undefined;
      return { text: await readFile(join(worktree, path), 'utf8') };
    },
  };
}
