/** CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks). */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Lines that usually name what broke, worth keeping even when they scrolled out of the tail. */
const FAILURE = /\bFAIL(?:ED|URE)?\b|Error\b|^error\b|✗|✕|×|\bnot ok\b|panicked|AssertionError/;

export interface UsefulTailOptions {
  /** Default 80. */
  maxLines?: number;
  /** Default 6000. */
  maxChars?: number;
}

/**
 * The part of a command's output worth showing an agent: escapes stripped, blank-line runs
 * squeezed, the last lines kept — plus, ahead of them, a few failure lines from above the
 * window, because test runners often print the first error long before their summary.
 * The '… (N lines omitted)' header comes on top of `maxChars`.
 */
export function usefulTail(output: string, options: UsefulTailOptions = {}): string {
  const maxLines = Math.max(1, options.maxLines ?? 80);
  const maxChars = Math.max(1, options.maxChars ?? 6000);
  const lines = cleanLines(output);
  if (lines.length <= maxLines && lines.join('\n').length <= maxChars) return lines.join('\n');

  // A quarter of the budget for early failures; the tail (with the summary) gets the rest.
  const lineBudget = Math.max(0, Math.floor(maxLines / 4));
  const charBudget = Math.floor(maxChars / 4);
  const tailStart = Math.max(0, lines.length - maxLines);
  const early: string[] = [];
  let earlyChars = 0;
  for (const line of lines.slice(0, tailStart)) {
    if (early.length >= lineBudget) break;
    if (!FAILURE.test(line) || earlyChars + line.length + 1 > charBudget) continue;
    early.push(line);
    earlyChars += line.length + 1;
  }

  const tail = takeTail(lines, maxLines - early.length, maxChars - earlyChars);
  const omitted = lines.length - early.length - tail.length;
  if (omitted === 0) return [...early, ...tail].join('\n');
  const header = `… (${omitted} lines omitted)`;
  return early.length > 0 ? [header, ...early, '…', ...tail].join('\n') : [header, ...tail].join('\n');
}

function cleanLines(output: string): string[] {
  const lines: string[] = [];
  for (const raw of output.replace(ANSI, '').split(/\r?\n/)) {
    // Progress bars redraw a line with \r: only the last drawing is what the user saw.
    const line = (raw.split('\r').pop() ?? '').trimEnd();
    if (line === '' && (lines.length === 0 || lines[lines.length - 1] === '')) continue;
    lines.push(line);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The last lines fitting both budgets; a single huge last line is cut to its end. */
function takeTail(lines: readonly string[], maxLines: number, maxChars: number): string[] {
  const tail: string[] = [];
  let chars = 0;
  for (let i = lines.length - 1; i >= 0 && tail.length < maxLines; i--) {
    const line = lines[i] as string;
    if (chars + line.length + 1 > maxChars) {
      if (tail.length === 0) tail.unshift(`…${line.slice(line.length - Math.max(0, maxChars - 1))}`);
      break;
    }
    tail.unshift(line);
    chars += line.length + 1;
  }
  return tail;
}
