/** Tokens of `text`, estimated as characters ÷ 4 (close enough for budgeting, and deterministic). */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** A directory listing line never names more files than this; the rest are counted. */
const MAX_NAMES_PER_DIRECTORY = 40;

export interface FileTreeMap {
  /** One line per directory, `dir/: a.ts, b.ts`; empty when there are no files. */
  text: string;
  /** How many files the map names. */
  shownFiles: number;
  /** How many files did not fit the budget. */
  omittedFiles: number;
}

function groupByDirectory(paths: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const path of [...new Set(paths)].sort()) {
    const slash = path.lastIndexOf('/');
    const dir = slash === -1 ? '.' : path.slice(0, slash);
    const names = groups.get(dir) ?? [];
    names.push(path.slice(slash + 1));
    groups.set(dir, names);
  }
  return groups;
}

const depthOf = (dir: string) => (dir === '.' ? 0 : dir.split('/').length);

/**
 * A compact map of the repository's files, shallow directories first, cut to `budgetTokens`.
 * Deterministic for a given file list, so it can sit in a cached prompt prefix.
 */
export function renderFileTree(paths: readonly string[], budgetTokens: number): FileTreeMap {
  const groups = groupByDirectory(paths);
  const dirs = [...groups.keys()].sort((a, b) => depthOf(a) - depthOf(b) || a.localeCompare(b));
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  let truncated = 0;
  let omitted = 0;
  let omittedDirs = 0;
  for (const dir of dirs) {
    const names = groups.get(dir) ?? [];
    const listed = names.slice(0, MAX_NAMES_PER_DIRECTORY);
    const more = names.length - listed.length;
    const line = `${dir === '.' ? './' : `${dir}/`}: ${listed.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`;
    const cost = estimateTokens(line) + 1;
    if (omittedDirs > 0 || used + cost > budgetTokens) {
      omitted += names.length;
      omittedDirs += 1;
      continue;
    }
    lines.push(line);
    used += cost;
    shown += listed.length;
    truncated += more;
  }
  if (omittedDirs > 0)
    lines.push(`… ${omitted} more files in ${omittedDirs} deeper directories: use list_files to see them`);
  return { text: lines.join('\n'), shownFiles: shown, omittedFiles: omitted + truncated };
}
