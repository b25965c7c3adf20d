import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/server/dashboard.js';
import { TOKEN, serverFor } from '../server/harness.js';

const PLAN = 'agent: script\ntasks: []\n';

describe('serving the built dashboard', () => {
  it('finds dist/web from the sources, as it does from dist/server', () => {
    expect(dashboardDir()).toBe(resolve(import.meta.dirname, '../../dist/web'));
  });

  it('answers / and client routes with index.html, assets with a long cache, and nothing outside the build', async () => {
    const { api } = await serverFor(PLAN);
    for (const path of ['/', '/runs/some-run', '/runs/some-run/']) {
      const page = await api('GET', path, { token: null });
      expect(page.status, path).toBe(200);
      expect(page.text, path).toContain('<div id="root"></div>');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const [script] = readdirSync(resolve(dashboardDir() ?? '', 'assets')).filter((f) => f.endsWith('.js'));
    const asset = await api('GET', `/assets/${script}`, { token: null });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');

    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e/%2e%2e/server/app.js',
      '/assets/missing.js',
      '/index.html/..%2f..%2fpackage.json',
    ]) {
      const res = await api('GET', path, { token: null });
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('"name": "gaffer"');
    }
    // The API keeps its own answers: the token first, then its JSON 404.
    expect((await api('GET', '/api/nothing-here', { token: null })).status).toBe(401);
    const missing = await api('GET', '/api/nothing-here', { token: TOKEN });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBeDefined();
  });
});
