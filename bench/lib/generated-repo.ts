/**
 * Generated git repositories of a chosen size for the benchmarks: nested directories of
 * source-like files (2–8 KB of TypeScript-looking text each), a `.gitignore`, and a short
 * history whose commits each change a few files — so a checkout writes what a real project's
 * does, and two neighbouring commits differ the way an integration branch moves between tasks.
 * Deterministic for a seed; packed like a fresh clone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mulberry32 } from '../../test/support/scheduler/random.js';

/** Options of {@link generateRepo}. */
export interface GeneratedRepoOptions {
  /** Source files in the first commit (the extra files below come on top). */
  files: number;
  /** Commits in all, the first included; each later one changes `changesPerCommit` files and adds one. */
  commits?: number;
  changesPerCommit?: number;
  seed?: number;
  /** Directory to create the repository in; default a fresh temporary directory. */
  dir?: string;
  /** Further files of the first commit by path (a package.json with scripts, a test file, a plan). */
  extraFiles?: Record<string, string>;
  /** Pack the objects like a clone has them (default true); loose objects make checkouts slower. */
  pack?: boolean;
}

/** A generated repository: its root and its commits, oldest first, on branch `main`. */
export interface GeneratedRepo {
  root: string;
  commits: string[];
  /** Tracked files at the last commit. */
  files: number;
  /** Bytes of the tracked files at the first commit. */
  bytes: number;
}

/** Files per directory before the next one is started: about what real source trees have. */
const FILES_PER_DIR = 12;
const MIN_BYTES = 2048;
const MAX_BYTES = 8192;

// No automatic gc: on 20,000 loose objects a commit would start one in the background.
const GIT_OPTIONS = [
  '-c',
  'user.name=bench',
  '-c',
  'user.email=bench@example.invalid',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
];
const WORDS = [
  'account',
  'batch',
  'cache',
  'cart',
  'config',
  'cursor',
  'event',
  'filter',
  'graph',
  'handler',
  'index',
  'item',
  'ledger',
  'limit',
  'loader',
  'order',
  'parser',
  'policy',
  'queue',
  'record',
  'route',
  'schema',
  'session',
  'stock',
  'store',
  'stream',
  'task',
  'token',
  'user',
  'window',
];

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const camel = (a: string, b: string) => a + b[0]!.toUpperCase() + b.slice(1);

/**
 * Where file `i` lives: directory `d = i / 12` written in base 6 gives nested folders
 * (`packages/pkg-2/src/cache/m4/…`), so 20,000 files spread over a tree about four levels deep.
 */
export function sourcePath(i: number): string {
  let d = Math.floor(i / FILES_PER_DIR);
  const digits: number[] = [];
  do {
    digits.push(d % 6);
    d = Math.floor(d / 6);
  } while (d > 0);
  const [pkg = 0, area = 0, ...rest] = digits;
  const nested = rest.map((digit, level) => `${WORDS[(digit + level * 7) % WORDS.length]}-${level}`);
  const name = `${WORDS[i % WORDS.length]}-${i}.ts`;
  return join('packages', `pkg-${pkg}`, 'src', WORDS[area * 5]!, ...nested, name);
}

/** One function of plausible TypeScript, a few hundred bytes. */
function sourceBlock(next: () => number, n: number): string {
  const noun = pick(next, WORDS);
  const other = pick(next, WORDS);
  const fn = camel(pick(next, ['load', 'build', 'merge', 'check', 'format', 'apply']), noun);
  return [
    `/** ${camel(noun, other)} #${n}: keeps the ${other} in step with the ${noun} it came from. */`,
    `export function ${fn}${n}(${noun}: ${camel('the', noun)}, ${other}: readonly string[]): number {`,
    `  let total = ${Math.floor(next() * 1000)};`,
    `  for (const entry of ${other}) {`,
    `    if (entry.startsWith('${noun.slice(0, 3)}')) total += entry.length * ${1 + Math.floor(next() * 9)};`,
    `    else total -= ${noun}.${other}Count ?? 0;`,
    '  }',
    `  return Math.max(0, total % ${100 + Math.floor(next() * 900)});`,
    '}',
    '',
  ].join('\n');
}

function sourceFile(next: () => number, i: number): string {
  const target = MIN_BYTES + Math.floor(next() * (MAX_BYTES - MIN_BYTES));
  const parts = [
    `// ${sourcePath(i)}\nimport type { ${camel('the', pick(next, WORDS))} } from './types.js';\n\n`,
  ];
  let size = parts[0]!.length;
  for (let n = 0; size < target; n++) {
    const block = sourceBlock(next, n);
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}

function git(root: string, args: string[]): string {
  return execFileSync('git', [...GIT_OPTIONS, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
}

function write(root: string, path: string, content: string): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** Creates the repository: first commit with every file, then the later commits of a few changes each. */
export function generateRepo(options: GeneratedRepoOptions): GeneratedRepo {
  const next = mulberry32(options.seed ?? 1);
  const root = options.dir ?? mkdtempSync(join(tmpdir(), `gaffer-bench-repo-${options.files}-`));
  mkdirSync(root, { recursive: true });
  git(root, ['init', '-q', '-b', 'main']);
  write(root, '.gitignore', 'node_modules/\ndist/\n*.log\n');
  write(root, 'README.md', `# generated\n\n${options.files} generated source files for benchmarks.\n`);
  for (const [path, content] of Object.entries(options.extraFiles ?? {})) write(root, path, content);
  let bytes = 0;
  for (let i = 0; i < options.files; i++) {
    const content = sourceFile(next, i);
    bytes += content.length;
    write(root, sourcePath(i), content);
  }
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', 'initial import']);
  const commits = [git(root, ['rev-parse', 'HEAD']).trim()];
  let added = options.files;
  const changes = Math.min(options.changesPerCommit ?? 5, options.files);
  for (let c = 1; c < (options.commits ?? 4); c++) {
    for (let k = 0; k < changes; k++) {
      const path = sourcePath(Math.floor(next() * options.files));
      const before = readFileSync(join(root, path), 'utf8');
      writeFileSync(join(root, path), before + sourceBlock(next, 1000 + c * 10 + k));
    }
    write(root, sourcePath(added), sourceFile(next, added));
    added++;
    git(root, ['add', '-A']);
    git(root, ['commit', '-q', '-m', `change ${c}: ${changes} files edited, one added`]);
    commits.push(git(root, ['rev-parse', 'HEAD']).trim());
  }
  if (options.pack !== false) git(root, ['gc', '--quiet', '--prune=now']);
  const files = git(root, ['ls-files', '-z']).split('\0').filter(Boolean).length;
  return { root, commits, files, bytes };
}
