import { openRepo } from '../git/index.js';
import { openStore, resolveStoreUrl } from '../store/index.js';
import type { Engine } from './engine.js';
import { createEngine } from './engine.js';
import type { Logger } from './logger.js';

export interface WorkspaceEngineOptions {
  /** The directory commands work in. */
  cwd: string;
  /** A SQLite file or postgres:// URL; else env `GAFFER_DB`, else `.gaffer/gaffer.db` of the repository. */
  db?: string;
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

/**
 * An engine over a workspace's store, as the CLI uses it. The store is opened lazily, so a
 * command given bad input fails before `.gaffer/` is created.
 */
export function createWorkspaceEngine(options: WorkspaceEngineOptions): Engine {
  const env = options.env ?? process.env;
  return createEngine({
    env,
    ...(options.logger ? { logger: options.logger } : {}),
    store: async () => {
      const explicit = options.db ?? env.GAFFER_DB;
      const root = explicit ? options.cwd : (await openRepo(options.cwd)).root;
      return openStore(resolveStoreUrl(options.db, env, root));
    },
  });
}
