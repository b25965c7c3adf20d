import { execFile } from 'node:child_process';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createLogger, createWorkspaceEngine, repositoryRoot } from '../../engine/index.js';
import { DEFAULT_PORT, isLoopback, startServer } from '../../server/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import { gafferVersion } from '../version.js';
import type { GlobalOptions } from '../workspace.js';
import { workDir } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

interface ServeOptions {
  port: number;
  host: string;
  open: boolean;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free one)');
  return n;
}

/** `gaffer serve`: the HTTP API (and later the dashboard) over this workspace, until Ctrl-C. */
export function registerServeCommand(program: Command, output: Output, act: Act): void {
  program
    .command('serve')
    .description('serve the HTTP API and dashboard of this workspace on 127.0.0.1, with a fresh token')
    .option('--port <n>', `port to listen on (0: a free one)`, portNumber, DEFAULT_PORT)
    .option(
      '--host <host>',
      'address to bind (anything but loopback exposes the API to the network)',
      '127.0.0.1',
    )
    .option('--no-open', 'do not open a browser')
    .action((opts: ServeOptions) => act((global) => serve(global, opts, output)));
}

async function serve(global: GlobalOptions, opts: ServeOptions, output: Output): Promise<number> {
  const cwd = workDir(global);
  const repoRoot = await repositoryRoot(cwd);
  // Runs driven here log their failures; the rest of the engine's diagnostics only with --debug.
  const logger = createLogger((record) => {
    if (!global.debug && (record.level === 'debug' || record.level === 'info')) return;
    output.err(`[${record.level} ${record.component}] ${record.message}\n`);
  }, 'server');
  const engine = createWorkspaceEngine({ cwd, logger, ...(global.db ? { db: global.db } : {}) });
  if (!isLoopback(opts.host))
    output.err(
      `${paint(output, 'yellow', 'warning')}: --host ${opts.host} lets other machines reach the API; anyone with the token can start and steer runs\n`,
    );
  const server = await startServer(engine, {
    host: opts.host,
    port: opts.port,
    repoRoot,
    logger,
    version: gafferVersion(),
  }).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  output.out(`gaffer serve: ${server.url}\n`);
  output.out(
    paint(
      output,
      'gray',
      'the token in this URL is needed for every API call; Ctrl-C stops (and pauses the runs started here)\n',
    ),
  );
  if (opts.open) openBrowser(server.url);
  await stopSignal();
  output.err('stopping: pausing the runs this server drives…\n');
  try {
    await server.close();
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}

/** Resolves at the first Ctrl-C, SIGTERM or SIGHUP. */
function stopSignal(): Promise<NodeJS.Signals> {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, stop);
      resolve(signal);
    };
    for (const s of signals) process.on(s, stop);
  });
}

/** Best effort, without a shell: the URL is an argument, never parsed as a command. */
function openBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'linux' ? 'xdg-open' : undefined;
  if (!opener) return;
  const child = execFile(opener, [url], { timeout: 10_000 }, () => undefined);
  child.on('error', () => undefined);
  child.unref();
}
