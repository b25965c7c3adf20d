import type { Command } from 'commander';
import { createWorkspaceEngine } from '../../engine/index.js';
import { DEFAULT_PORT } from '../../server/index.js';
import { openDashboard, portNumber, stopSignal } from '../dashboard-server.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { workDir } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

interface ServeOptions {
  port: number;
  host: string;
  open: boolean;
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
  const engine = createWorkspaceEngine({ cwd, ...(global.db ? { db: global.db } : {}) });
  const server = await openDashboard(engine, cwd, { ...opts, debug: Boolean(global.debug) }, output).catch(
    async (error: unknown) => {
      await engine.close();
      throw error;
    },
  );
  output.out(
    paint(
      output,
      'gray',
      'the token in this URL is needed for every API call; Ctrl-C stops (and pauses the runs started here)\n',
    ),
  );
  await stopSignal();
  output.err('stopping: pausing the runs this server drives…\n');
  try {
    await server.close();
  } finally {
    await engine.close();
  }
  return EXIT.ok;
}
