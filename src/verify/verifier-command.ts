/** One repository check, run as an argv without a shell. */
export interface VerifierCommand {
  /** `build`, `typecheck`, `lint`, `test`, or a name chosen in the plan. */
  name: string;
  argv: string[];
  /** Where the command came from, for humans: 'package.json scripts.test', 'Cargo.toml', 'plan'. */
  source: string;
}

/** Cheap checks first, so a broken build is reported before the slow test run. */
export const CANONICAL_ORDER: readonly string[] = ['build', 'typecheck', 'lint', 'test'];

/** Known names in canonical order, then any other names in the order they were given. */
export function sortVerifiers(commands: readonly VerifierCommand[]): VerifierCommand[] {
  const rank = (name: string) => {
    const index = CANONICAL_ORDER.indexOf(name);
    return index === -1 ? CANONICAL_ORDER.length : index;
  };
  // Array.prototype.sort is stable, so unknown names keep their relative order.
  return [...commands].sort((a, b) => rank(a.name) - rank(b.name));
}

/** An argv as one line a human can read and `splitCommand` can parse back. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

function quoteArg(arg: string): string {
  if (arg !== '' && !/[\s'"\\]/.test(arg)) return arg;
  if (!arg.includes("'")) return `'${arg}'`;
  return `"${arg.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}
