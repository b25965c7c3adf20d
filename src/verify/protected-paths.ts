import picomatch from 'picomatch';

/**
 * The paths (repo-relative, '/' separators) that any protected glob matches, in input order.
 * A glob ending in '/' or a plain directory name (no glob characters) also protects everything
 * under it, so `secrets` and `secrets/` both cover `secrets/key.pem`.
 */
export function matchProtectedPaths(paths: readonly string[], globs: readonly string[]): string[] {
  if (globs.length === 0) return [];
  const isProtected = picomatch(globs.flatMap(expandGlob), { dot: true });
  return paths.filter((path) => isProtected(path.replace(/^\.\//, '')));
}

function expandGlob(glob: string): string[] {
  const pattern = glob.replace(/^\.\//, '');
  if (pattern.endsWith('/')) return [`${pattern}**`];
  if (!picomatch.scan(pattern).isGlob) return [pattern, `${pattern}/**`];
  return [pattern];
}
