import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { GAFFER_BIN } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

// The built binary (`npm run build` first, as `npm test` does), as a user starts it.
describe('gaffer serve', () => {
  it('prints a URL with a fresh token; the API answers 200 with it and 401 without, and SIGTERM stops it', async () => {
    const repo = makeRepo({ 'README.md': 'hi\n' });
    const home = mkdtempSync(join(tmpdir(), 'gaffer-home-'));
    const child = spawn(process.execPath, [GAFFER_BIN, 'serve', '--port', '0', '--no-open'], {
      cwd: repo,
      env: { ...process.env, HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    onTestFinished(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const printed = await new Promise<RegExpExecArray>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /gaffer serve: (http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]+)\n/.exec(stdout);
        if (found) resolve(found);
      });
      child.on('close', () => reject(new Error(`gaffer serve exited early: ${stderr}`)));
    });
    const [, origin, , token] = printed;
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
