import { userError, type VerifierSettings } from '../domain/index.js';
import { splitCommand } from './split-command.js';
import { sortVerifiers, type VerifierCommand } from './verifier-command.js';

/**
 * Applies verifier settings, broadest first (plan, then task). At each level `commands` add or
 * replace verifiers by name and switch them on, then `only` chooses among everything known so
 * far — so a task can pick a verifier its plan left out — and `skip` switches names off.
 * Names in `only` that nothing defines are ignored.
 */
export function resolveVerifiers(
  detected: readonly VerifierCommand[],
  ...settings: (VerifierSettings | undefined)[]
): VerifierCommand[] {
  const known = new Map<string, VerifierCommand>(detected.map((command) => [command.name, command]));
  const enabled = new Set<string>(known.keys());
  for (const level of settings) {
    if (!level) continue;
    for (const [name, command] of Object.entries(level.commands ?? {})) {
      known.set(name, { name, argv: toArgv(name, command), source: 'plan' });
      enabled.add(name);
    }
    if (level.only) {
      enabled.clear();
      for (const name of level.only) if (known.has(name)) enabled.add(name);
    }
    for (const name of level.skip ?? []) enabled.delete(name);
  }
  return sortVerifiers([...known.values()].filter((command) => enabled.has(command.name)));
}

function toArgv(name: string, command: string | readonly string[]): string[] {
  const argv = typeof command === 'string' ? splitCommand(command) : [...command];
  if (argv.length === 0 || argv[0] === '') {
    throw userError(
      'GAFFER_BAD_INPUT',
      `verifier "${name}" has an empty command`,
      `give verifiers.commands.${name} a command, or list "${name}" under verifiers.skip`,
      { verifier: name },
    );
  }
  return argv;
}
