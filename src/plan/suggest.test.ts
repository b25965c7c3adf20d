import { describe, expect, it } from 'vitest';
import { closest, levenshtein } from './suggest.js';

describe('levenshtein', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein('depend_on', 'depends_on')).toBe(1);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });
});

describe('closest', () => {
  it('suggests within two edits and never for words that short', () => {
    expect(closest('titel', ['id', 'title', 'description'])).toBe('title');
    expect(closest('colour', ['id', 'title'])).toBeUndefined();
    expect(closest('ab', ['id'])).toBeUndefined();
  });
});
