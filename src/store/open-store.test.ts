import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStoreUrl } from './open-store.js';
import { redactUrl } from './postgres-dialect.js';

describe('resolveStoreUrl', () => {
  it('prefers the option, then GAFFER_DB, then the workspace default', () => {
    const env = { GAFFER_DB: 'postgres://db/gaffer' };
    expect(resolveStoreUrl('/tmp/x.db', env, '/ws')).toBe('/tmp/x.db');
    expect(resolveStoreUrl(undefined, env, '/ws')).toBe('postgres://db/gaffer');
    expect(resolveStoreUrl(undefined, {}, '/ws')).toBe(join('/ws', '.gaffer', 'gaffer.db'));
  });

  it('treats empty values as unset', () => {
    expect(resolveStoreUrl('', { GAFFER_DB: '' }, '/ws')).toBe(join('/ws', '.gaffer', 'gaffer.db'));
  });
});

describe('redactUrl', () => {
  it('removes the password and keeps the rest', () => {
    expect(redactUrl('postgres://me:hunter2@db.example:5433/gaffer?sslmode=require')).toBe(
      'postgres://me@db.example:5433/gaffer?sslmode=require',
    );
    expect(redactUrl('postgresql://db/gaffer')).toBe('postgresql://db/gaffer');
  });

  it('removes the password from a URL it cannot parse', () => {
    const redacted = redactUrl('postgres://me:hunter2@[bad/x');
    expect(redacted).not.toContain('hunter2');
    expect(redacted).toContain('me@');
  });
});
