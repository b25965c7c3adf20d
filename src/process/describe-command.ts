/**
 * An argv as one line for records and logs, cut at `maxChars`: an argument may be a whole
 * prompt, which belongs in the transcript, not in every process record.
 */
export function describeCommand(argv: readonly string[], maxChars = 200): string {
  const line = argv.map((arg) => (/^[\w./:=@%+,-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
  return line.length <= maxChars ? line : `${line.slice(0, maxChars - 1)}…`;
}
