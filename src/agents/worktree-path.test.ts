import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInsideRelative, resolveInside, unusableCwd } from './worktree-path.js';

describe('worktree paths', () => {
  it.each(['a.txt', 'src/a.ts', './a', 'a/../b', '..foo/x'])('accepts %s', (relative) => {
    expect(isInsideRelative(relative)).toBe(true);
    expect(resolveInside('/work/tree', relative)?.startsWith('/work/tree/')).toBe(true);
  });

  it.each(['', '.', '..', '../x', 'a/../../x', '/etc/passwd', 'C:\\x', '..\\x'])('rejects %j', (relative) => {
    expect(isInsideRelative(relative)).toBe(false);
    expect(resolveInside('/work/tree', relative)).toBeUndefined();
  });

  it('tells why a cwd cannot be used', async () => {
    expect(await unusableCwd(process.cwd())).toBeUndefined();
    expect(await unusableCwd(path.join(process.cwd(), 'package.json'))).toMatch(/not a directory/);
    expect(await unusableCwd('/nowhere/at/all')).toMatch(/does not exist/);
  });
});
