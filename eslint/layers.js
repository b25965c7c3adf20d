// @ts-check
/**
 * The forbidden arrows of DESIGN.md ("Layout and direction of dependencies") as `import-x/no-restricted-paths`
 * zones. eslint.config.js turns them on; test/lint/layers.test.ts lints one crossing per zone against the very same
 * objects, so a zone that is deleted, misspelt or widened makes that test fail.
 *
 * In a zone, `target` is the folder whose files are checked (the importer) and `from` the folders they must not
 * import. Paths are relative to the repository root, not to the directory ESLint runs in. A zone may name a folder
 * that does not exist yet (src/server, web/): it is enforced from the first file that appears there.
 */
import path from 'node:path';
import { createNodeResolver } from 'eslint-plugin-import-x';

/** The repository root, which zone paths are relative to. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/**
 * @typedef {object} LayerZone
 * @property {string[]} target Folders whose files the zone checks.
 * @property {string[]} from Folders those files must not import.
 * @property {string[]} [except] Folders inside `from`, relative to it, that stay allowed.
 * @property {string} message The rule in words, appended to the lint error.
 */

/** Layers below the engine: libraries the engine ties together, which never reach up to a shell. */
export const LIBRARY_LAYERS = [
  'src/plan',
  'src/spec',
  'src/verify',
  'src/git',
  'src/agents',
  'src/sandbox',
  'src/process',
  'src/store',
  'src/doctor',
  'src/demo',
];

/** The shells over the engine's library API. */
export const SHELL_LAYERS = ['src/cli', 'src/server', 'src/mcp'];

/** @type {readonly LayerZone[]} */
export const LAYER_ZONES = [
  {
    target: ['src/domain'],
    from: ['src'],
    except: ['./domain'],
    message:
      'src/domain depends on nothing: it imports no other folder of src (types, statuses, errors only).',
  },
  {
    target: ['src/engine'],
    from: SHELL_LAYERS,
    message: 'src/engine never imports src/cli, src/server or src/mcp: the shells sit on top of the engine.',
  },
  {
    target: LIBRARY_LAYERS,
    from: SHELL_LAYERS,
    message: 'Library layers never import src/cli, src/server or src/mcp: the shells sit on top of them.',
  },
  {
    target: ['src/agents'],
    from: ['src/engine', 'src/store'],
    message:
      'src/agents never imports src/engine or src/store: the engine drives adapters through their interface.',
  },
  {
    target: ['src/store'],
    from: ['src/engine'],
    message:
      'src/store never imports src/engine: the engine reaches the store through repository interfaces.',
  },
  {
    target: ['src/plan'],
    from: ['src/engine', 'src/store'],
    message:
      'src/plan never imports src/engine or src/store: plans are parsed and checked on domain types alone.',
  },
  {
    target: ['src/git', 'src/verify'],
    from: ['src/engine', 'src/store', 'src/agents'],
    message:
      'src/git and src/verify never import src/engine, src/store or src/agents: they depend on src/domain.',
  },
  {
    target: ['web'],
    from: ['src/engine', 'src/store'],
    message:
      'web/ never imports src/engine or src/store: the dashboard reads the run through the server (HTTP, SSE).',
  },
  {
    target: SHELL_LAYERS,
    from: ['src/store', 'src/git', 'src/plan'],
    message:
      'src/cli, src/server and src/mcp never import src/store, src/git or src/plan: they are thin shells over the engine library API.',
  },
];

/** Options of `import-x/no-restricted-paths`, as eslint.config.js passes them. */
export const restrictedPathsOptions = { basePath: REPO_ROOT, zones: LAYER_ZONES };

/**
 * Resolves import specifiers the way TypeScript's NodeNext resolution does: `./x.js` finds `./x.ts`. Without it
 * import-x resolves no relative import of a .ts source, and `no-restricted-paths` silently passes.
 */
export const layerResolver = createNodeResolver({
  extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.node'],
  extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'], '.cjs': ['.cts', '.cjs'] },
});

/**
 * import-x settings for TypeScript sources: the resolver above, and the extensions import-x may parse when it
 * follows an import (by default only .js, so `no-cycle` never looked inside a .ts file).
 */
export const importXSettings = {
  'import-x/resolver-next': [layerResolver],
  'import-x/extensions': ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'],
};
