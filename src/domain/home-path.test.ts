import { describe, expect, it } from 'vitest';
import { expandHome } from './home-path.js';

describe('expandHome', () => {
  it('expands ~ and ~/x against the home, and leaves every other path alone', () => {
    expect(expandHome('~', '/home/ann')).toBe('/home/ann');
    expect(expandHome('~/.cache/pip', '/home/ann/')).toBe('/home/ann/.cache/pip');
    expect(expandHome('~/x', '/')).toBe('/x');
    expect(expandHome('~ann/x', '/home/ann')).toBe('~ann/x');
    expect(expandHome('/srv/cache', undefined)).toBe('/srv/cache');
    expect(expandHome('relative/~/x', '/home/ann')).toBe('relative/~/x');
  });

  it('is undefined for a ~ path without a home, so the caller decides', () => {
    expect(expandHome('~/x', undefined)).toBeUndefined();
    expect(expandHome('~', '')).toBeUndefined();
  });
});
