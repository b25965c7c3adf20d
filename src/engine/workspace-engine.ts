import { existsSync } from 'node:fs';
import { userError } from '../domain/index.js';
import { openRepo } from '../git/index.js';
import type { Store } from '../store/index.js';
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
  /**
   * For commands that only read (status, logs, runs, checks): a SQLite store that does not
   * exist yet is not created — there is nothing to read, and a look around must leave no
   * `.gaffer/` behind — but reported as the user error "there are no runs in this workspace yet".
   */
  readOnly?: boolean;
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
    store: () => openWorkspaceStore(options, env),
  });
}

async function openWorkspaceStore(
  options: WorkspaceEngineOptions,
  env: Record<string, string | undefined>,
): Promise<Store> {
  const explicit = options.db ?? env.GAFFER_DB;
  const root = explicit ? options.cwd : (await openRepo(options.cwd)).root;
  const url = resolveStoreUrl(options.db, env, root);
  if (options.readOnly && isSqliteFile(url) && !existsSync(url)) {
    throw userError(
      'GAFFER_RUN_NOT_FOUND',
      'there are no runs in this workspace yet',
      'start one with `gaffer run plan.yaml` (or `gaffer demo` to see one)',
      { store: url, missing: true },
    );
  }
  return openStore(url);
}

const isSqliteFile = (url: string) => !/^postgres(ql)?:\/\//i.test(url) && url !== ':memory:';
