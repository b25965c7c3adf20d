/** What the repository map is built from: tracked files, and the key symbols of some of them. */
export interface RepoMapInput {
  files: readonly string[];
  symbols: ReadonlyMap<string, readonly string[]>;
  maxChars: number;
}

const EXPORT =
  /^export\s+(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(function\*?|class|const|let|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;
const PY_DEF = /^(def|class)\s+([A-Za-z_]\w*)/gm;
const GO_FUNC = /^func\s+(?:\([^)]*\)\s*)?([A-Z]\w*)/gm;

/** The names a source file exports (TS/JS `export …`, Python top-level defs, Go exported funcs). */
export function exportedSymbols(path: string, text: string): string[] {
  if (/\.(?:[cm]?[jt]sx?)$/.test(path)) return [...text.matchAll(EXPORT)].map((m) => m[2] ?? '');
  if (path.endsWith('.py'))
    return [...text.matchAll(PY_DEF)].map((m) => m[2] ?? '').filter((n) => !n.startsWith('_'));
  if (path.endsWith('.go')) return [...text.matchAll(GO_FUNC)].map((m) => m[1] ?? '');
  return [];
}

/**
 * A compact map of the repository for the design and tasks prompts: one line per tracked file,
 * with its key exported symbols, cut at `maxChars` with a note of how much was left out — so an
 * existing codebase grounds the design without flooding the prompt.
 */
export function renderRepoMap(input: RepoMapInput): string {
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  for (const file of input.files) {
    const symbols = input.symbols.get(file) ?? [];
    const line =
      symbols.length === 0
        ? file
        : `${file}: ${symbols.slice(0, 12).join(', ')}${symbols.length > 12 ? ', …' : ''}`;
    if (used + line.length + 1 > input.maxChars) break;
    lines.push(line);
    used += line.length + 1;
    shown += 1;
  }
  if (input.files.length === 0) return '(an empty repository: no tracked files yet)';
  const left = input.files.length - shown;
  return left > 0 ? `${lines.join('\n')}\n(… and ${left} more files)` : lines.join('\n');
}
