import type { Engine } from '../engine/index.js';
import type { RunRecord } from '../domain/index.js';
import { exitCodeFor } from './exit-codes.js';
import type { FollowMode } from './follow-run.js';
import { followRun } from './follow-run.js';
import type { Output } from './output.js';
import { paint } from './output.js';
import { renderSummary } from './summary.js';
import { raiseHint } from './budget-lines.js';

/**
 * Drives a run in this process while showing it, pausing cleanly on Ctrl-C. Returns the exit code.
 */
export async function driveAndShow(
  engine: Engine,
  runId: string,
  output: Output,
  json: boolean,
): Promise<number> {
  const mode: FollowMode = json ? 'json' : output.isTTY ? 'table' : 'lines';
  const follower = followRun(engine, runId, output, mode);
  const controller = new AbortController();
  // Ctrl-C, a closed terminal or a polite kill pause the run cleanly; a second one exits at
  // once (the agents' process groups are killed on exit, and `gaffer resume` picks up either way).
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    output.err(`\npausing… (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to exit now)\n`);
    controller.abort(`interrupted by ${signal === 'SIGINT' ? 'Ctrl-C' : signal}`);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  let final: RunRecord;
  try {
    final = await engine.driveRun(runId, { signal: controller.signal });
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    await follower.stop();
  }
  if (!json) {
    output.out('\n' + (await renderSummary(engine, final, output)).join('\n') + '\n');
    if (final.status === 'paused') {
      const waiting = (await engine.approvals(final.id)).filter((a) => a.open);
      const decide = waiting.length
        ? `\ndecide: gaffer approvals ${final.id}, then gaffer approve <id> or gaffer deny <id> --reason "…"`
        : '';
      const budget = (await engine.runView(final.id)).budget;
      const raise = budget ? raiseHint(budget) : undefined;
      output.out(
        paint(output, 'yellow', `paused: ${final.reason ?? ''}`) +
          `${decide}\ncontinue with: gaffer resume ${final.id}${raise ? ` ${raise}` : ''}\n`,
      );
    }
  }
  return exitCodeFor(final.status);
}
