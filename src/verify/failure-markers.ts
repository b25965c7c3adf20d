/*
 * The individual failures a check's output reports, as short normalised strings, so the same
 * check run on the base commit and in a task can be compared failure by failure: "lint failed
 * on the base" must not excuse a lint error the task added. A marker names what failed (a test,
 * or a file with its message and rule), never where in the file: line and column numbers move
 * whenever an agent edits above an existing error.
 */

/** CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks), as `usefulTail` strips them. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** At most this many markers per output; a check failing in thousands of ways is compared by its count. */
export const MAX_MARKERS = 500;
/** A marker longer than this is cut: the start names the failure, the rest is usually a dump. */
export const MAX_MARKER_LENGTH = 300;

export interface FailureMarkerOptions {
  /** Absolute paths (the worktree, the base checkout) written as `.`, so two checkouts print alike. */
  roots?: readonly string[];
}

// --- Test runners: the failing test is the failure. ---
/** pytest's summary: `FAILED tests/x.py::test_a - AssertionError…`, `ERROR tests/x.py - ImportError`. */
const PYTEST = /^(FAILED|ERROR) (\S*\.py\b.*?)(?: - .*)?$/;
/** unittest: `FAIL: test_a (tests.test_x.TestX)`. */
const UNITTEST = /^(FAIL|ERROR): (\S+ \([^)]*\))/;
/** go test: `--- FAIL: TestA (0.00s)`, subtests indented. */
const GO_TEST = /^--- FAIL: (\S+)/;
/** vitest `FAIL  src/a.test.ts > suite > name`, jest `FAIL src/a.test.js`, go `FAIL\tpkg\t0.01s`. */
const FAIL_LINE = /^FAIL\s+(\S.*)$/;
/** cargo test: `test tests::a ... FAILED`. */
const RUST_TEST = /^test (\S+) \.\.\. FAILED$/;
/** TAP (node --test, tape): `not ok 3 - name`; the number shifts when a test is added above. */
const TAP = /^not ok \d+(?: -)? (.+?)(?:\s+#.*)?$/;
/** vitest `× name 3ms`, jest `✕ name (3 ms)` and `● suite › name`, node's spec reporter `✖ name (1.2ms)`, `✗`, `✘`. */
const FAILED_GLYPH = /^[×✗✕✖✘●]\s+(.+)$/;
/** mocha's `2 failing`: only then are `N) name` lines its failures. */
const MOCHA_SUMMARY = /^\s*\d+ failing\b/m;
const MOCHA_TEST = /^\d+\) (.+)$/;

// --- Diagnostics: a file and what is wrong in it. ---
const PATH = String.raw`(?:[A-Za-z]:[\\/])?[^\s:(),'"]+`;
/** tsc: `src/a.ts(3,5): error TS2322: …`. */
const TSC = new RegExp(String.raw`^(${PATH})\(\d+,\d+\): (.+)$`);
/** eslint compact: `/abs/a.js: line 3, col 7, Error - 'x' is … (no-unused-vars)`. */
const ESLINT_COMPACT = new RegExp(String.raw`^(${PATH}): line \d+, col \d+, (Error|Warning) - (.+)$`);
/**
 * `path:line[:col]: message` (eslint unix, flake8, ruff, mypy, gcc, go vet) and
 * `path:line:col  message`; the message may not start with a digit, or a column would pass for it.
 */
const DIAGNOSTIC = new RegExp(String.raw`^(${PATH}):\d+(?::\d+)?(?::\s*|\s+)(?!\d)(\S.*)$`);
/** Not failures: the notes and warnings that accompany errors, pytest's traceback frames (`: in test_a`). */
const NOT_A_FAILURE = /^(?:warning|note|info|hint|help)\b|^in \S+$|\[Warning\//i;
/** eslint stylish: a row `  3:7  error  'x' is … never used  no-unused-vars` under its file's line. */
const STYLISH_ROW = /^\s+\d+:\d+\s+(error|warning)\s+(\S.*)$/;
const STYLISH_FILE = /^(?:[A-Za-z]:[\\/]|\.{0,2}\/)?[^\s:]+(?: [^\s:]+)*\.[A-Za-z0-9]+$/;
/** rustc `error[E0425]: …` (its file follows on a ` --> ` line), tsc `error TS5023: …`, `error: …`. */
const ERROR_LINE = /^(error(?:\[\w+\])?|error TS\d+): (.+)$/;
const RUST_LOCATION = new RegExp(String.raw`^\s*--> (${PATH}):\d+`);

/**
 * The individual failures `output` reports, normalised (escapes, the given roots, durations and
 * line numbers dropped, whitespace collapsed), de-duplicated and capped. When the output names
 * failing tests, those are its failures: its `file:line` lines are then traceback frames and
 * assertion sites, which change with the code under test while the same tests fail.
 */
export function failureMarkers(output: string, options: FailureMarkerOptions = {}): string[] {
  const tests = new Set<string>();
  const diagnostics = new Set<string>();
  const lines = cleanLines(output, options.roots ?? []);
  const mocha = MOCHA_SUMMARY.test(lines.join('\n'));
  let stylishFile: string | undefined;
  let pendingError: string | undefined;
  const flushError = () => {
    if (pendingError !== undefined) add(diagnostics, pendingError);
    pendingError = undefined;
  };

  for (const line of lines) {
    const trimmed = line.trim();
    const test = testMarker(trimmed, mocha);
    if (test !== undefined) {
      add(tests, test);
      continue;
    }
    const row = STYLISH_ROW.exec(line);
    if (row) {
      if (stylishFile !== undefined && row[1] === 'error') add(diagnostics, `${stylishFile}: ${row[2]}`);
      continue;
    }
    stylishFile = STYLISH_FILE.test(line) ? relativePath(line) : undefined;
    const location = RUST_LOCATION.exec(line);
    if (location && pendingError !== undefined) {
      add(diagnostics, `${relativePath(location[1] ?? '')}: ${pendingError}`);
      pendingError = undefined;
      continue;
    }
    flushError();
    if (isSummary(trimmed)) continue;
    const error = ERROR_LINE.exec(line);
    if (error) pendingError = `${error[1]}: ${error[2]}`;
    else {
      const diagnostic = diagnosticMarker(line);
      if (diagnostic !== undefined) add(diagnostics, diagnostic);
    }
  }
  flushError();
  return [...(tests.size > 0 ? tests : diagnostics)];
}

/**
 * The failure counts a tool's summary states (`3 problems (3 errors, 0 warnings)`, `Found 3
 * errors`, `2 failed, 10 passed`, `FAILED (failures=2)`, …): the largest, or undefined when the
 * output has no summary this recognises.
 */
export function failureCounts(output: string): number | undefined {
  let largest: number | undefined;
  for (const line of output.replace(ANSI, '').split(/\r?\n/)) {
    const count = lineCount(line);
    if (count !== undefined) largest = Math.max(largest ?? 0, count);
  }
  return largest;
}

/** Each pattern's count: the first group, or the sum of every `name=N` (unittest). */
const COUNTS: readonly RegExp[] = [
  /\b\d+ problems? \((\d+) errors?, \d+ warnings?\)/, // eslint
  /\bFound (\d+) errors?\b/, // tsc, mypy, ruff
  /\b(\d+) (?:failed|failing)\b/, // pytest, vitest, jest, cargo test, mocha
  /^error: (\d+) errors?\b/,
  /\b(\d+) errors? generated\b/, // clang
  /\bdue to (\d+) previous errors?\b/, // rustc
];

function lineCount(line: string): number | undefined {
  const counts: number[] = [];
  for (const pattern of COUNTS) {
    const match = pattern.exec(line);
    if (match) counts.push(Number(match[1]));
  }
  const unittest = /\bFAILED \(([^)]*)\)/.exec(line);
  if (unittest) counts.push(sum(unittest[1] ?? '', /\b\w+=(\d+)/g));
  // pytest's last line: `=== 2 failed, 1 error, 5 passed in 0.12s ===`; failures and errors both failed.
  if (/^=+ .* in [\d.]+s\b.*=+$/.test(line.trim())) counts.push(sum(line, /\b(\d+) (?:failed|errors?)\b/g));
  return counts.length ? Math.max(...counts) : undefined;
}

function sum(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
}

/** A summary line counts failures; it names none (and its numbers change when failures do). */
function isSummary(line: string): boolean {
  return lineCount(line) !== undefined;
}

function testMarker(line: string, mocha: boolean): string | undefined {
  let match = PYTEST.exec(line);
  if (match) return `${match[1]} ${match[2]}`;
  if ((match = UNITTEST.exec(line))) return `${match[1]}: ${match[2]}`;
  if ((match = GO_TEST.exec(line))) return `--- FAIL: ${match[1]}`;
  if ((match = FAIL_LINE.exec(line))) return `FAIL ${match[1]}`;
  if ((match = RUST_TEST.exec(line))) return `test ${match[1]} ... FAILED`;
  if ((match = TAP.exec(line))) return `not ok ${match[1]}`;
  // One glyph for all: the reporter's choice of cross says nothing about the failure.
  if ((match = FAILED_GLYPH.exec(line)) && !isSummary(line)) return `× ${match[1]}`;
  if (mocha && (match = MOCHA_TEST.exec(line))) return `failing: ${match[1]}`;
  return undefined;
}

function diagnosticMarker(line: string): string | undefined {
  let match = TSC.exec(line);
  if (match) return `${relativePath(match[1] ?? '')}: ${match[2]}`;
  if ((match = ESLINT_COMPACT.exec(line)))
    return match[2] === 'Error' ? `${relativePath(match[1] ?? '')}: ${match[3]}` : undefined;
  match = DIAGNOSTIC.exec(line);
  if (!match || !/[/\\.]/.test(match[1] ?? '') || !/[A-Za-z]/.test(match[1] ?? '')) return undefined;
  // tsc --pretty: `src/a.ts:3:5 - error TS2322: …`.
  const message = (match[2] ?? '').replace(/^- /, '');
  return NOT_A_FAILURE.test(message) ? undefined : `${relativePath(match[1] ?? '')}: ${message}`;
}

function add(markers: Set<string>, marker: string): void {
  if (markers.size >= MAX_MARKERS) return;
  const normalised = dropDurations(marker).replace(/\s+/g, ' ').trim();
  if (normalised !== '') markers.add(normalised.slice(0, MAX_MARKER_LENGTH));
}

/** `(12 ms)`, `[1.2s]`, a trailing `12ms` or go's `0.005s`: how long it took is not what failed. */
function dropDurations(text: string): string {
  return text
    .replace(/\s*[([]\d+(?:\.\d+)?\s*(?:ms|s|m)[)\]]/g, '')
    .replace(/\s+\d+(?:\.\d+)?\s*(?:ms|s)$/, '');
}

/** `./src/a.ts` and `src/a.ts` are one file. */
function relativePath(path: string): string {
  return path.trim().replace(/^(?:\.\/)+/, '');
}

function cleanLines(output: string, roots: readonly string[]): string[] {
  // The longest first, so a root inside another one cannot leave half of it behind.
  const sorted = roots.filter((root) => root !== '').sort((a, b) => b.length - a.length);
  return output.split(/\r?\n/).map((raw) => {
    // Progress bars redraw a line with \r: only the last drawing is what the user saw.
    let line = (raw.split('\r').pop() ?? '').replace(ANSI, '').trimEnd();
    for (const root of sorted) line = line.replaceAll(root, '.');
    return line;
  });
}

/** What a check that failed on the base records, so a task's run of it can be compared failure by failure. */
export interface RecordedFailures {
  /** Absent when the output named no failure this recognises, or was cut: the list would be partial. */
  markers?: string[];
  failureCount?: number;
}

/**
 * The markers and count of a base check's failed output. A cut output (`usefulTail` dropped
 * lines) records no markers: a failure scrolled out of it would look new in every task.
 */
export function recordedFailures(output: string, options: FailureMarkerOptions = {}): RecordedFailures {
  const markers = isCutOutput(output) ? [] : failureMarkers(output, options);
  const failureCount = failureCounts(output);
  return {
    ...(markers.length > 0 ? { markers } : {}),
    ...(failureCount === undefined ? {} : { failureCount }),
  };
}

/** Whether `usefulTail` left lines out of `output`: it starts with its `… (N lines omitted)` header. */
export function isCutOutput(output: string): boolean {
  return /^… \(\d+ lines omitted\)/.test(output);
}
