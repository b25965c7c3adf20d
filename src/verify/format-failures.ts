import type { VerifierResult } from '../domain/index.js';

/**
 * The failed results as a prompt section for a rework attempt: per verifier, what ran, how it
 * ended and the tail of its output. Empty when everything passed.
 */
export function formatFailures(results: readonly VerifierResult[]): string {
  return results
    .filter((result) => !result.passed)
    .map((result) => {
      const output = result.output.trim() || '(no output)';
      const fence = '`'.repeat(Math.max(3, longestBacktickRun(output) + 1));
      return [
        `### ${result.name} failed (${ending(result)})`,
        '',
        `Command: ${result.command}`,
        '',
        fence,
        output,
        fence,
      ].join('\n');
    })
    .join('\n\n');
}

function ending(result: VerifierResult): string {
  if (result.timedOut) return `timed out after ${Math.round(result.durationMs / 1000)} s`;
  if (result.exitCode === null) return 'did not complete';
  return `exit code ${result.exitCode}`;
}

/** A fence longer than any backtick run inside, so test output cannot close the code block. */
function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}
