import { Command, CommanderError } from 'commander';
import { GafferError, PlanValidationError } from '../domain/index.js';
import { formatPlanIssue } from '../engine/index.js';
import { registerApprovalCommands } from './commands/approval-commands.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerDoctorCommand } from './commands/doctor-command.js';
import { registerInspectCommands } from './commands/inspect-commands.js';
import { registerMcpCommand } from './commands/mcp-command.js';
import { registerRunCommands } from './commands/run-commands.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerSpecCommands } from './commands/spec-commands.js';
import { registerWorkspaceCommands } from './commands/workspace-commands.js';
import { EXIT } from './exit-codes.js';
import type { Output } from './output.js';
import { paint, processOutput } from './output.js';
import { gafferVersion } from './version.js';
import type { GlobalOptions } from './workspace.js';

/** Prints an error the way a user should see it; returns the exit code. */
export function reportError(output: Output, error: unknown, debug: boolean): number {
  if (
    error instanceof PlanValidationError ||
    (GafferError.isInstance(error) && error.code === 'GAFFER_PLAN_INVALID' && 'issues' in error)
  ) {
    const issues = (error as PlanValidationError).issues;
    for (const issue of issues)
      output.err(paint(output, 'red', 'error') + ': ' + formatPlanIssue(issue) + '\n');
    output.err(`${issues.length} problem${issues.length > 1 ? 's' : ''} in the plan\n`);
    return EXIT.badInput;
  }
  if (GafferError.isInstance(error)) {
    output.err(`${paint(output, 'red', 'error')}: ${error.message}\n`);
    if (error.hint) output.err(`  hint: ${error.hint}\n`);
    if (debug && error.stack) output.err(error.stack + '\n');
    return error.userError ? EXIT.badInput : EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.err(`${paint(output, 'red', 'internal error')}: ${message}\n`);
  output.err(
    debug && error instanceof Error && error.stack
      ? error.stack + '\n'
      : '  run again with --debug for details\n',
  );
  return EXIT.failed;
}

/** Builds the `gaffer` command line; `setCode` receives each command's exit code. */
export function buildProgram(output: Output, setCode: (code: number) => void): Command {
  const program = new Command('gaffer')
    .description(
      'The foreman for coding agents: plans of tasks run in parallel agent sessions, each in its own git worktree, verified and merged.',
    )
    .option(
      '--db <url>',
      'store: a SQLite file or postgres://… URL (default: .gaffer/gaffer.db; env GAFFER_DB)',
    )
    .option('-C, --cwd <dir>', 'run as if started in <dir>')
    .option('--debug', 'print stack traces')
    .version(gafferVersion(), '-v, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s), writeErr: (s) => output.err(s) });

  const act = async (fn: (global: GlobalOptions) => Promise<number>) => {
    const global = program.opts<GlobalOptions>();
    try {
      setCode(await fn(global));
    } catch (error) {
      setCode(reportError(output, error, Boolean(global.debug)));
    }
  };
  registerRunCommands(program, output, act);
  registerInspectCommands(program, output, act);
  registerApprovalCommands(program, output, act);
  registerWorkspaceCommands(program, output, act);
  registerMcpCommand(program, output, act);
  registerDemoCommand(program, output, act);
  registerDoctorCommand(program, output, act);
  registerServeCommand(program, output, act);
  registerSpecCommands(program, output, act);
  usageOnError(program);
  return program;
}

/**
 * A usage mistake prints commander's one-line error, then the command's usage line and where
 * the full help is — not the whole help, which buries the error.
 */
function usageOnError(command: Command, path: string[] = []): void {
  const name = [...path, command.name()].join(' ');
  command.showHelpAfterError(
    `usage: ${name} ${command.usage()}\n  hint: run \`${name} --help\` for the options`,
  );
  for (const sub of command.commands) usageOnError(sub, [...path, command.name()]);
}

/** Entry point of the `gaffer` binary; resolves with the exit code. */
export async function main(argv: string[], output: Output = processOutput()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(output, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes are bad input.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    return reportError(output, error, argv.includes('--debug'));
  }
  return code;
}
