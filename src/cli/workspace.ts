import { resolve } from 'node:path';
import type { Engine } from '../engine/index.js';
import { createEngine } from '../engine/index.js';
import { openRepo } from '../git/index.js';
import { openStore, resolveStoreUrl } from '../store/index.js';

export interface GlobalOptions {
  db?: string;
  cwd?: string;
  debug?: boolean;
}

/** The directory the command works in (`-C dir`, else the process cwd). */
export const workDir = (options: GlobalOptions) => resolve(options.cwd ?? process.cwd());

/**
 * An engine over the workspace's store. The store is opened lazily so that commands given
 * bad input fail before `.gaffer/` is created.
 */
export function engineFor(options: GlobalOptions): Engine {
  const cwd = workDir(options);
  return createEngine({
    store: async () => {
      const explicit = options.db ?? process.env.GAFFER_DB;
      const root = explicit ? cwd : (await openRepo(cwd)).root;
      return openStore(resolveStoreUrl(options.db, process.env, root));
    },
  });
}
