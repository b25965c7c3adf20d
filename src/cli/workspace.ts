import { resolve } from 'node:path';
import type { Engine } from '../engine/index.js';
import { createLogger, createWorkspaceEngine } from '../engine/index.js';

export interface GlobalOptions {
  db?: string;
  cwd?: string;
  debug?: boolean;
}

/** The directory the command works in (`-C dir`, else the process cwd). */
export const workDir = (options: GlobalOptions) => resolve(options.cwd ?? process.cwd());

/**
 * An engine over the workspace's store (opened lazily, so commands given bad input fail before
 * `.gaffer/` is created). With `--debug` the engine's own diagnostics go to stderr.
 */
export function engineFor(options: GlobalOptions): Engine {
  return createWorkspaceEngine({
    cwd: workDir(options),
    ...(options.db ? { db: options.db } : {}),
    ...(options.debug
      ? {
          logger: createLogger((record) =>
            process.stderr.write(
              `[${record.level} ${record.component}] ${record.message}${record.fields ? ` ${JSON.stringify(record.fields)}` : ''}\n`,
            ),
          ),
        }
      : {}),
  });
}
