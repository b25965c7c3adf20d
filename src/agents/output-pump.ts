import type { AgentEvent } from '../domain/index.js';
import { createLineSplitter } from './line-splitter.js';
import type { Backlog, Emit } from './session.js';

/** A child's output on its way to a session, as runProcess's `onOutput` hands it over. */
export interface OutputPump {
  /** Takes a chunk; a returned promise tells runProcess to stop reading until it settles. */
  write(stream: 'stdout' | 'stderr', text: string): Promise<void> | undefined;
  /** Emits the trailing lines that have no newline; once the process's output has ended. */
  flush(): Promise<void>;
}

/**
 * The child's output as `output` events, one a line, emitted only while the session's backlog
 * has room: once it is full the rest of the chunk waits and the returned promise tells
 * runProcess to stop reading until the engine has caught up. The session's queue then holds at
 * most its high-water mark of lines, whatever the child prints and however slow the engine.
 */
export function createOutputPump(emit: Emit, backlog: Backlog): OutputPump {
  // The events themselves, so a line costs one object on its way.
  const lines: AgentEvent[] = [];
  let next = 0;
  const splitters = {
    stdout: createLineSplitter((text) => lines.push({ type: 'output', stream: 'stdout', text })),
    stderr: createLineSplitter((text) => lines.push({ type: 'output', stream: 'stderr', text })),
  };
  const emitLines = (): Promise<void> | undefined => {
    for (; next < lines.length; next += 1) {
      if (backlog.full) return backlog.whenWritable().then(emitLines);
      const line = lines[next];
      if (line !== undefined) emit(line);
    }
    lines.length = 0;
    next = 0;
    return backlog.full ? backlog.whenWritable() : undefined;
  };
  return {
    write(stream, text) {
      splitters[stream].write(text);
      return emitLines();
    },
    async flush() {
      splitters.stdout.flush();
      splitters.stderr.flush();
      await emitLines();
    },
  };
}
