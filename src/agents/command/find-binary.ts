import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    const info = await stat(candidate);
    if (!info.isFile()) return false;
    await access(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `command` would be found: a name with a `/` is taken as a path (relative to `cwd`) and
 * must exist; a bare name is searched in every `PATH` directory for an executable file.
 */
export async function findBinary(
  command: string,
  pathEnv: string | undefined,
  cwd = process.cwd(),
): Promise<string | undefined> {
  if (command.includes('/')) {
    const candidate = path.resolve(cwd, command);
    return (await isExecutableFile(candidate)) ? candidate : undefined;
  }
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}
