import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { userError } from '../domain/index.js';

/**
 * A plan path given by a client of the API or MCP server: relative to the served repository, and
 * inside it once every symbolic link is followed — so no request reads a file elsewhere on the
 * machine (`../secrets.yaml`, or a `plan.yaml` that links to one). A plan that does not exist is
 * left for the plan loader to report as missing.
 */
export async function planPathInside(repoRoot: string, plan: string): Promise<string> {
  const outside = () =>
    userError(
      'GAFFER_BAD_INPUT',
      `plan "${plan}" is not inside the served repository`,
      'give its path relative to the repository root, e.g. plan.yaml',
    );
  if (isAbsolute(plan)) throw outside();
  const root = await realpath(repoRoot);
  const path = resolve(root, plan);
  const real = await realpath(path).catch(() => path);
  const inside = relative(root, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw outside();
  return path;
}
