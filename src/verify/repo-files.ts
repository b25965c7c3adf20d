import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The file's text, or undefined when it does not exist (or is not a readable file). */
export async function readTextIfExists(dir: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** True when `name` exists under `dir`, whatever its type. */
export async function pathExists(dir: string, name: string): Promise<boolean> {
  try {
    await stat(join(dir, name));
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** Entries of `dir`, or none when it does not exist. */
export async function listDir(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** A path that is absent, or that crosses a file where a directory was expected, is simply not there. */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
