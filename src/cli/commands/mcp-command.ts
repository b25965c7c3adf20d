import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from '../../engine/index.js';
import { createLogger, repositoryRoot } from '../../engine/index.js';
import { createMcpServer } from '../../mcp/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { gafferVersion } from '../version.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor, workDir } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `gaffer mcp`: Gaffer's tools for a coding agent, over MCP on stdin and stdout. */
export function registerMcpCommand(program: Command, output: Output, act: Act): void {
  program
    .command('mcp')
    .description(
      'serve this repository to a coding agent over MCP (stdio): check plans, start, follow and steer runs, decide approvals, answer questions',
    )
    .action(() =>
      act(async (global) => {
        // Outside a repository this fails here, as a usage error on stderr, before any protocol starts.
        const repoRoot = await repositoryRoot(workDir(global));
        guardStdout();
        const engine = engineFor({ ...global, cwd: repoRoot });
        const server = createMcpServer(engine, {
          repoRoot,
          logger: stderrLogger(output, Boolean(global.debug)),
          version: gafferVersion(),
        });
        const ended = untilClientLeaves(server.server);
        await server.connect(new StdioServerTransport());
        await ended;
        // Runs driven here pause cleanly and resume later, with `resume_run` or `gaffer resume`.
        try {
          await server.close();
        } finally {
          await engine.close();
        }
        return EXIT.ok;
      }),
    );
}

/**
 * Stdout carries the protocol and nothing else: a stray `console.log` anywhere in the process
 * (a dependency's warning) would corrupt it, so the console's stdout methods go to stderr.
 */
function guardStdout(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}

/** The server's diagnostics on stderr: errors always, everything with `--debug`. */
function stderrLogger(output: Output, debug: boolean): Logger {
  return createLogger((record) => {
    if (!debug && record.level !== 'error') return;
    const fields = record.fields ? ` ${JSON.stringify(record.fields)}` : '';
    output.err(`[${record.level} ${record.component}] ${record.message}${fields}\n`);
  });
}

/**
 * Resolves when the client is gone: stdin ends (the usual way an MCP client stops its server),
 * the connection closes, or a signal asks the process to stop. A second signal exits at once.
 */
function untilClientLeaves(connection: { onclose?: (() => void) | undefined }): Promise<void> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
      resolve();
    };
    process.stdin.once('end', () => resolve());
    for (const signal of SIGNALS) process.on(signal, onSignal);
    connection.onclose = () => resolve();
  });
}
