import { execFile } from 'node:child_process';
import { InvalidArgumentError } from 'commander';
import type { Engine } from '../engine/index.js';
import { createLogger, repositoryRoot } from '../engine/index.js';
import type { RunningServer } from '../server/index.js';
import { isLoopback, startServer } from '../server/index.js';
import type { Output } from './output.js';
import { paint } from './output.js';
import { gafferVersion } from './version.js';

/** Where and how `gaffer serve` and `gaffer run --serve` listen. */
export interface DashboardOptions {
  port: number;
  host: string;
  open: boolean;
  debug: boolean;
  /** Where the URL goes: stdout, or stderr when stdout carries NDJSON (`--json`). */
  printTo?: 'out' | 'err';
}

export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free one)');
  return n;
}

/**
 * Starts the HTTP API and dashboard over `engine` for the repository at `cwd`, prints the URL with
 * its fresh token (and opens it unless told not to), and warns when it listens beyond loopback.
 * Runs driven by the server log their failures; the rest of its diagnostics only with --debug.
 */
export async function openDashboard(
  engine: Engine,
  cwd: string,
  options: DashboardOptions,
  output: Output,
): Promise<RunningServer> {
  const logger = createLogger((record) => {
    if (!options.debug && (record.level === 'debug' || record.level === 'info')) return;
    output.err(`[${record.level} ${record.component}] ${record.message}\n`);
  }, 'server');
  if (!isLoopback(options.host))
    output.err(
      `${paint(output, 'yellow', 'warning')}: --host ${options.host} lets other machines reach the API; anyone with the token can start and steer runs\n`,
    );
  const server = await startServer(engine, {
    host: options.host,
    port: options.port,
    repoRoot: await repositoryRoot(cwd),
    logger,
    version: gafferVersion(),
  });
  output[options.printTo ?? 'out'](`gaffer serve: ${server.url}\n`);
  if (options.open) openBrowser(server.url);
  return server;
}

/** Resolves at the first Ctrl-C, SIGTERM or SIGHUP. */
export function stopSignal(): Promise<NodeJS.Signals> {
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
