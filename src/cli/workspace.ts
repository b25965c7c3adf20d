import { resolve } from 'node:path';
import { GafferError } from '../domain/index.js';
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
 * `.gaffer/` is created). With `--debug` the engine's own diagnostics go to stderr. Commands
 * that only read pass `readOnly`: with no store yet they say there are no runs and create none.
 */
export function engineFor(options: GlobalOptions, mode: { readOnly?: boolean } = {}): Engine {
  return createWorkspaceEngine({
    cwd: workDir(options),
    ...(mode.readOnly ? { readOnly: true } : {}),
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

/** A read-only engine's answer when the workspace has no store yet: nothing ever ran here. */
export const isNoStoreError = (error: unknown) =>
  GafferError.isInstance(error) && error.code === 'GAFFER_RUN_NOT_FOUND' && error.details.missing === true;
