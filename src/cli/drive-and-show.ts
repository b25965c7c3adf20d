import type { Engine } from '../engine/index.js';
import type { RunRecord } from '../domain/index.js';
import { exitCodeFor } from './exit-codes.js';
import type { FollowMode } from './follow-run.js';
import { followRun } from './follow-run.js';
import type { Output } from './output.js';
import { paint } from './output.js';
import { renderSummary } from './summary.js';

/**
 * Drives a run in this process while showing it, pausing cleanly on Ctrl-C (a second Ctrl-C
 * exits at once; `gaffer resume` picks up either way). Returns the exit code.
 */
export async function driveAndShow(
  engine: Engine,
  runId: string,
  output: Output,
  json: boolean,
): Promise<number> {
  const store = await engine.store();
  const mode: FollowMode = json ? 'json' : output.isTTY ? 'table' : 'lines';
  const follower = followRun(store, runId, output, mode);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    output.err('\npausing… (Ctrl-C again to exit now)\n');
    controller.abort('interrupted by Ctrl-C');
  };
  process.on('SIGINT', onSigint);
  let final: RunRecord;
  try {
    final = await engine.driveRun(runId, { signal: controller.signal });
  } finally {
    process.off('SIGINT', onSigint);
    await follower.stop();
  }
  if (!json) {
    output.out('\n' + (await renderSummary(engine, final, output)).join('\n') + '\n');
    if (final.status === 'paused') {
      output.out(
        paint(output, 'yellow', `paused: ${final.reason ?? ''}`) +
          `\ncontinue with: gaffer resume ${final.id}\n`,
      );
    }
  }
  return exitCodeFor(final.status);
}
