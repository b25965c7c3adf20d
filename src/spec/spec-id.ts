import { userError } from '../domain/index.js';

/** A spec id names a folder under `.gaffer/specs/`: lower-case letters, digits and dashes. */
export const SPEC_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `id` itself when it is a valid spec id; otherwise a user error saying what one looks like. */
export function checkSpecId(id: string): string {
  if (SPEC_ID_PATTERN.test(id)) return id;
  throw userError(
    'GAFFER_BAD_INPUT',
    `"${id}" is not a valid spec id`,
    'use lower-case letters, digits and dashes, starting with a letter or digit (e.g. `login-form`), at most 63 characters',
    { spec: id },
  );
}
