import type { SetupFacts } from './baseline-classify.js';
import { pathExists, readTextIfExists } from './repo-files.js';

/** Lockfiles and the command that installs exactly what they pin; npm's is the fallback. */
const NODE_SETUP: readonly [lockfile: string, command: string][] = [
  ['pnpm-lock.yaml', 'pnpm install --frozen-lockfile'],
  ['yarn.lock', 'yarn install --frozen-lockfile'],
  ['bun.lockb', 'bun install --frozen-lockfile'],
  ['bun.lock', 'bun install --frozen-lockfile'],
  ['package-lock.json', 'npm ci'],
  ['npm-shrinkwrap.json', 'npm ci'],
];

/**
 * What the repository's setup looks like in `checkout` (a worktree of the base commit), for
 * telling a check that cannot run from one that fails. Worktrees live under the main working
 * tree (`.gaffer/…`), so Node finds the dependencies installed at `repoRoot` by walking up: those
 * count as installed. Reads files only.
 */
export async function inspectSetup(repoRoot: string, checkout: string): Promise<SetupFacts> {
  const packageJson = await readTextIfExists(checkout, 'package.json');
  const installed =
    (await pathExists(repoRoot, 'node_modules')) || (await pathExists(checkout, 'node_modules'));
  let nodeSetup = 'npm install';
  for (const [lockfile, command] of NODE_SETUP) {
    if (await pathExists(checkout, lockfile)) {
      nodeSetup = command;
      break;
    }
  }
  return {
    repoRoot,
    nodeModulesMissing: packageJson !== undefined && declaresDependencies(packageJson) && !installed,
    nodeSetup,
    pythonSetup: await pythonSetup(checkout),
  };
}

function declaresDependencies(packageJson: string): boolean {
  try {
    const json = JSON.parse(packageJson) as Record<string, unknown> | null;
    return ['dependencies', 'devDependencies', 'optionalDependencies'].some((key) => {
      const deps = json?.[key];
      return typeof deps === 'object' && deps !== null && Object.keys(deps).length > 0;
    });
  } catch {
    // Detection already reports an unreadable package.json; here it only means "no clue".
    return false;
  }
}

async function pythonSetup(checkout: string): Promise<string | undefined> {
  if (await pathExists(checkout, 'requirements-dev.txt')) return 'pip install -r requirements-dev.txt';
  if (await pathExists(checkout, 'requirements.txt')) return 'pip install -r requirements.txt';
  if (await pathExists(checkout, 'pyproject.toml')) return 'pip install -e .';
  return undefined;
}
