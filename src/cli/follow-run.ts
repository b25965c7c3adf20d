import type { StoredEvent } from '../domain/index.js';
import type { Engine } from '../engine/index.js';
import { taskActivities } from '../engine/index.js';
import { describeEvent } from './describe-event.js';
import type { Output } from './output.js';
import { paint } from './output.js';
import { formatDuration, renderTaskTable } from './task-table.js';

export type FollowMode = 'table' | 'lines' | 'json';

export interface Follower {
  /** Shows everything recorded so far, then stops. */
  stop(): Promise<void>;
}

const time = (iso: string) => iso.slice(11, 19);

/** A line per event for logs and non-TTY output. */
export function eventLine(output: Output, event: StoredEvent, maxWidth?: number): string {
  let text = describeEvent(event);
  // In the live view one event is one screen line, or the redraw would drift.
  if (maxWidth !== undefined) {
    text = text.replace(/\s*\n\s*/g, ' ');
    const room = Math.max(20, maxWidth - 10);
    if (text.length > room) text = text.slice(0, room - 1) + '…';
  }
  const color =
    event.type.endsWith('failed') || event.type.endsWith('blocked') || event.type === 'merge.conflicted'
      ? 'red'
      : event.type === 'task.rework' || event.type.includes('paused')
        ? 'yellow'
        : event.type === 'task.passed' || event.type === 'run.completed'
          ? 'green'
          : undefined;
  return `${paint(output, 'gray', time(event.at))}  ${color ? paint(output, color, text) : text}`;
}

/**
 * Follows a run through the event log — the same table every process reads, so what a user
 * sees cannot be lost or reordered. `table` redraws a live task table in place; `lines`
 * prints one line per event; `json` prints events as NDJSON.
 */
export function followRun(
  engine: Engine,
  runId: string,
  output: Output,
  mode: FollowMode,
  intervalMs = 200,
): Follower {
  let drawnLines = 0;
  const recent: string[] = [];
  const controller = new AbortController();

  // The newest check started per task: the note column says which one runs.
  const checkStarted = new Map<string, StoredEvent>();

  const show = (event: StoredEvent) => {
    if (event.type === 'evaluation.check-started' && event.taskId) checkStarted.set(event.taskId, event);
    if (mode === 'json') output.out(JSON.stringify(event) + '\n');
    else if (mode === 'lines') output.out(eventLine(output, event) + '\n');
    else if (
      !['attempt.running', 'task.ready', 'merge.completed', 'evaluation.check-started'].includes(event.type)
    ) {
      recent.push(eventLine(output, event, output.columns - 1));
      if (recent.length > 5) recent.shift();
    }
  };

  const redraw = async () => {
    const view = await engine.runView(runId);
    const { run, tasks } = view;
    const notes = await taskActivities(view, checkStarted.values());
    const passed = tasks.filter((t) => t.status === 'passed').length;
    const elapsed = formatDuration(
      (run.finishedAt ? Date.parse(run.finishedAt) : Date.now()) - Date.parse(run.createdAt),
    );
    const frame = [
      `${paint(output, 'bold', `run ${run.id}`)}  ${run.status}  ${passed}/${tasks.length} passed  ${elapsed}`,
      ...renderTaskTable(output, tasks, Date.now(), undefined, notes),
      '',
      ...recent,
    ];
    const clear = drawnLines ? `\u001b[${drawnLines}A\u001b[J` : '';
    output.out(clear + frame.join('\n') + '\n');
    drawnLines = frame.length;
  };

  let after = 0;
  // Reads what is new; the tail ends at the newest event, and the loop comes back for more.
  const drain = async () => {
    for await (const event of engine.tailEvents(runId, { after })) {
      after = event.id;
      show(event);
    }
    if (mode === 'table') await redraw();
  };
  const loop = async () => {
    while (!controller.signal.aborted) {
      await drain();
      await pause(intervalMs, controller.signal);
    }
  };
  const running = loop();

  return {
    async stop() {
      controller.abort();
      await running;
      await drain();
    },
  };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // The listener goes when the timer fires: one per redraw would pile up on the signal.
    const onAbort = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
