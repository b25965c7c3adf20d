import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const OPENER = fileURLToPath(new URL('./store-opener.ts', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gaffer-parallel-open-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the openers, waits until every one has loaded, then lets them all go at once. */
async function openInParallel(url: string, count: number): Promise<string[]> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', OPENER, url], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const outputs = children.map((child) => {
    let text = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('ready\n')) resolve();
      }),
    );
    const done = new Promise<string>((resolve) => child.on('close', () => resolve(text)));
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const child of children) child.stdin.end('go\n');
  const texts = await Promise.all(outputs.map((o) => o.done));
  return texts.map((text) => text.replace('ready\n', '').trim());
}

describe('opening one fresh SQLite store from several processes at once', () => {
  it('migrates it once, and every process opens it', async () => {
    const file = join(dir, '.gaffer', 'gaffer.db');
    const results = await openInParallel(file, 6);
    expect(results).toEqual(Array.from({ length: 6 }, () => 'opened'));
    const raw = new Database(file, { readonly: true });
    try {
      const names = raw.prepare('select name from kysely_migration order by name').all() as {
        name: string;
      }[];
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names.map((n) => n.name)).size).toBe(names.length);
    } finally {
      raw.close();
    }
  });
});
