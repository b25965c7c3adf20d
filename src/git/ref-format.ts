import { userError } from '../domain/index.js';

// ASCII control characters, DEL, space and the characters git reserves for revision syntax.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\x00-\x20\x7f~^:?*[\\]/;

/**
 * Whether `name` is a valid branch name by the rules of `git check-ref-format --branch`:
 * no `..`, no control characters, space or `~^:?*[\`, no leading `-`, no component starting
 * with `.` or ending with `.lock`, no `@{`, not `@` or `HEAD`, no empty component (leading,
 * trailing or double `/`), no trailing `.`.
 */
export function isValidBranchName(name: string): boolean {
  return branchNameProblem(name) === undefined;
}

/** Throws a user error (GAFFER_INVALID_BRANCH) naming the broken rule when `name` is not a valid branch name. */
export function assertValidBranchName(name: string): void {
  const problem = branchNameProblem(name);
  if (problem !== undefined) {
    throw userError(
      'GAFFER_INVALID_BRANCH',
      `invalid branch name ${JSON.stringify(name)}: ${problem}`,
      'use letters, digits, "-", "_", "." and "/" between non-empty parts, e.g. feature/add-login',
      { name, problem },
    );
  }
}

/** The first rule `name` breaks, or undefined when it is valid. */
function branchNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '@') return 'it is "@"';
  if (name === 'HEAD') return 'it is "HEAD"';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (FORBIDDEN_CHARS.test(name)) return 'it contains a space, a control character or one of ~^:?*[\\';
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name.endsWith('.')) return 'it ends with "."';
  for (const component of name.split('/')) {
    if (component === '') return 'it has an empty part (leading, trailing or double "/")';
    if (component.startsWith('.')) return `part ${JSON.stringify(component)} starts with "."`;
    if (component.endsWith('.lock')) return `part ${JSON.stringify(component)} ends with ".lock"`;
  }
  return undefined;
}
