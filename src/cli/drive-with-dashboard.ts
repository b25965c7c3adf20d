import type { Engine } from '../engine/index.js';
import { openDashboard, stopSignal } from './dashboard-server.js';
import { driveAndShow } from './drive-and-show.js';
import { exitCodeFor } from './exit-codes.js';
import type { Output } from './output.js';
import { paint } from './output.js';

/**
 * `gaffer run --serve`: the dashboard opens before the first task starts, the run is driven and
 * shown here as without it, and the dashboard stays until Ctrl-C — to read the finished run, or to
 * approve what waits (a decision made there continues the run in this process). The exit code is
 * the run's as it stands when the dashboard closes (a run approved there and completed exits 0).
 */
export async function driveWithDashboard(
  engine: Engine,
  runId: string,
  output: Output,
  options: { cwd: string; port: number; open: boolean; json: boolean; debug: boolean },
): Promise<number> {
  const server = await openDashboard(
    engine,
    options.cwd,
    {
      port: options.port,
      host: '127.0.0.1',
      open: options.open,
      debug: options.debug,
      printTo: options.json ? 'err' : 'out',
    },
    output,
  );
  try {
    await driveAndShow(engine, runId, output, options.json);
    output.err(
      paint(
        output,
        'gray',
        `the dashboard stays at ${server.url} — decisions made there continue the run; Ctrl-C stops\n`,
      ),
    );
    await stopSignal();
  } finally {
    // Pauses a run the dashboard continued and still drives: resumable as any paused run.
    await server.close();
  }
  return exitCodeFor((await engine.getRun(runId)).status);
}
