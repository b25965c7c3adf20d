/**
 * `~` and `~/x` against `home`; any other path as it is. Undefined when the path starts with `~`
 * and there is no home to expand it against: each caller says what that means (an error in a
 * plan, the process's own home for a CLI's config).
 */
export function expandHome(p: string, home: string | undefined): string | undefined {
  if (p !== '~' && !p.startsWith('~/')) return p;
  if (home === undefined || home === '') return undefined;
  const base = home.length > 1 ? home.replace(/\/+$/, '') : home;
  return p === '~' ? base : `${base === '/' ? '' : base}${p.slice(1)}`;
}
