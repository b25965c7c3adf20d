import { describe, expect, it } from 'vitest';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';
import { spawnGaffer } from './spawn-gaffer.js';

// The built binary (`npm run build` first, as `npm test` does), as a user starts it.
describe('gaffer serve', () => {
  it('prints a URL with a fresh token; the API answers 200 with it and 401 without, and SIGTERM stops it', async () => {
    const repo = makeRepo({ 'README.md': 'hi\n' });
    const { child, exited, printed } = spawnGaffer(['serve', '--port', '0', '--no-open'], repo);
    const [, origin, , token] = await waitFor(
      () => /gaffer serve: (http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]+)\n/.exec(printed.stdout),
      `the URL gaffer serve prints (stderr: ${printed.stderr})`,
    );
    expect(token).toHaveLength(32); // 24 random bytes, base64url

    const withToken = await fetch(`${origin}/api/runs`, { headers: { authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toEqual({ runs: [] });
    const without = await fetch(`${origin}/api/runs`);
    expect(without.status).toBe(401);
    const wrong = await fetch(`${origin}/api/runs`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${origin}/`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
