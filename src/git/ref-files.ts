import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files backend's formats, as git writes them: a loose ref file, `packed-refs`, and the names
 * a reader may take at their word. Every parser here answers undefined for anything it does not
 * know exactly, so its caller asks git instead of guessing.
 */

/** A full object id, SHA-1 or SHA-256, lower case as git writes it. */
export const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** What a loose ref file says: an object id, or (a symbolic ref) the name of another ref. */
export type LooseRef = { id: string } | { target: string };

/**
 * A loose ref file's content, as git writes it: `<id>\n` or `ref: refs/…\n`. Undefined for
 * anything else (leading spaces, trailing text, upper case, an all-zero id, a target that is no
 * plain ref name), which git may read differently or call broken.
 */
export function parseLooseRef(text: string): LooseRef | undefined {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (line.startsWith('ref: ')) {
    const target = line.slice('ref: '.length);
    return isPlainRefName(target) ? { target } : undefined;
  }
  return OBJECT_ID.test(line) && !/^0+$/.test(line) ? { id: line } : undefined;
}

/**
 * The refs of a `packed-refs` file, name → object id, the header and the peeled `^` lines of
 * annotated tags left out. Undefined when a line is neither of those nor `<id> <name>`: git
 * itself refuses such a file, and only git's own error should be shown.
 */
export function parsePackedRefs(text: string): Map<string, string> | undefined {
  const refs = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    const id = line.slice(0, space);
    if (space === -1 || !OBJECT_ID.test(id)) return undefined;
    refs.set(line.slice(space + 1), id);
  }
  return refs;
}

/**
 * Whether `name` is a ref name below `refs/` that git lists as it is: parts of letters, digits,
 * `.`, `_` and `-`, none empty, none starting with `.` or ending with `.` or `.lock`, no `..`.
 * Stricter than git (which allows more characters), never looser: every name passing here is one
 * `for-each-ref` shows, and one that is safe to read as a path below the common dir.
 */
export function isPlainRefName(name: string): boolean {
  const parts = name.split('/');
  return (
    parts.length >= 2 &&
    parts[0] === 'refs' &&
    parts.every(
      (part) =>
        /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(part) &&
        !part.includes('..') &&
        !part.endsWith('.') &&
        !part.endsWith('.lock'),
    )
  );
}

/** Whether the repository keeps its refs in a reftable (whose `refs/heads` is a decoy file, not a folder). */
export async function usesReftable(commonDir: string): Promise<boolean> {
  return (await stat(join(commonDir, 'reftable')).catch(() => undefined)) !== undefined;
}
