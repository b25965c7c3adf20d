import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LockInfo, LockWorld } from './lock.js';
import {
  acquireSpecLock,
  beginTakeover,
  inspectLock,
  lockVerdict,
  moveAside,
  readLock,
  settleMoved,
  takeOverLock,
  takeoverPath,
} from './lock.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const HOURS = 3_600_000;
const world: LockWorld = {
  host: 'here',
  now: NOW,
  maxAgeMs: 2 * HOURS,
  graceMs: 10_000,
  isAlive: () => true,
  identify: () => 'boot:100',
};
const info = (over: Partial<LockInfo> = {}): LockInfo => ({
  pid: 7,
  host: 'here',
  startedAt: new Date(NOW - 60_000).toISOString(),
  processStart: 'boot:100',
  ...over,
});
const lockFile = () => join(mkdtempSync(join(tmpdir(), 'spec-lock-')), 'lock');

describe('lockVerdict', () => {
  it('holds a live holder of this host however long it has run, and never on age alone', () => {
    const old = info({ startedAt: new Date(NOW - 30 * HOURS).toISOString() });
    expect(lockVerdict(old, world)).toEqual({ type: 'held' });
    expect(lockVerdict(info({ startedAt: 'not a date' }), world)).toEqual({ type: 'held' });
  });

  it('is stale when the holder of this host is gone, or its pid is another process now', () => {
    expect(lockVerdict(info(), { ...world, isAlive: () => false })).toEqual({
      type: 'stale',
      reason: 'its process 7 on here is gone',
    });
    expect(lockVerdict(info(), { ...world, identify: () => 'boot:999' })).toEqual({
      type: 'stale',
      reason: 'its process 7 on here is gone (that pid is another process now)',
    });
    // Where the system cannot tell (no /proc, an old lock without it), a live pid is held.
    expect(lockVerdict(info(), { ...world, identify: () => undefined })).toEqual({ type: 'held' });
    expect(lockVerdict(info({ processStart: undefined }), world)).toEqual({ type: 'held' });
  });

  it('judges a lock of another host by its age, as its process cannot be checked from here', () => {
    const there = { ...world, isAlive: () => false };
    expect(lockVerdict(info({ host: 'there' }), there)).toEqual({ type: 'held' });
    expect(
      lockVerdict(info({ host: 'there', startedAt: new Date(NOW - 3 * HOURS).toISOString() }), there),
    ).toMatchObject({ type: 'stale', reason: expect.stringContaining('another host') as string });
  });

  it('holds an unreadable lock only for the grace of its write, then calls it stale', () => {
    expect(lockVerdict(undefined, world, NOW - 1_000)).toEqual({ type: 'held' });
    expect(lockVerdict(undefined, world, NOW - 60_000)).toEqual({
      type: 'stale',
      reason: 'the lock file is empty or damaged, and was written 60s ago (a lock is written at once)',
    });
  });
});

describe('the lock file', () => {
  it.each([
    ['an empty', ''],
    ['a damaged', '{"pid": 7, "ho'],
  ])('%s lock file past the grace is stale, and --force takes it', (_kind, text) => {
    const path = lockFile();
    writeFileSync(path, text);
    const past = (NOW - 60_000) / 1000;
    utimesSync(path, past, past);
    expect(() => acquireSpecLock(path, { specId: 's', world: { now: NOW } })).toThrow(
      /spec s has a stale lock \(a lock file that cannot be read .*\): the lock file is empty or damaged/,
    );
    const taken = acquireSpecLock(path, { specId: 's', world: { now: NOW }, force: true });
    expect(readLock(path)).toEqual(taken.info);
    taken.release();
    expect(readdirSync(join(path, '..'))).toEqual([]);
  });

  it('a fresh empty lock file is being written: refused even with --force', () => {
    const path = lockFile();
    writeFileSync(path, '');
    expect(() => acquireSpecLock(path, { specId: 's', force: true })).toThrow(
      /spec s is locked by a lock file that cannot be read/,
    );
  });

  it('a live process of this host keeps its lock past the age limit, even against --force', () => {
    const path = lockFile();
    const mine = acquireSpecLock(path, { specId: 's' });
    const later = { now: Date.now() + 30 * HOURS };
    expect(() => acquireSpecLock(path, { specId: 's', world: later, force: true })).toThrow(
      `spec s is locked by process ${process.pid}`,
    );
    expect(readLock(path)).toEqual(mine.info);
    mine.release();
  });

  it('a holder whose pid is another process now is stale', () => {
    const path = lockFile();
    writeFileSync(path, JSON.stringify(info({ pid: process.pid, processStart: 'another-boot:1' })));
    expect(() =>
      acquireSpecLock(path, { specId: 's', world: { host: 'here', identify: () => 'boot:5' } }),
    ).toThrow(/that pid is another process now/);
  });
});

describe('taking over a stale lock', () => {
  it('lets only one of two interleaved takeovers win', () => {
    const path = lockFile();
    writeFileSync(path, JSON.stringify(info({ pid: 999_999 })));
    // Both judged the same stale file before either moved.
    const seenByA = inspectLock(path)!;
    const seenByB = inspectLock(path)!;
    const a = info({ pid: 1, startedAt: '2026-01-01T12:00:01.000Z' });
    const b = info({ pid: 2, startedAt: '2026-01-01T12:00:02.000Z' });
    expect(takeOverLock(path, seenByA, a)).toBe(true);
    expect(takeOverLock(path, seenByB, b)).toBe(false);
    // B read the lock again under its takeover file: A's new lock, not the one it judged; left alone.
    expect(readLock(path)).toEqual(a);
    expect(readdirSync(join(path, '..'))).toEqual(['lock']);
  });

  it('takes nothing when the file it judged was replaced by a racer`s lock before it moved it', () => {
    const path = lockFile();
    writeFileSync(path, JSON.stringify(info({ pid: 999_999 })));
    const seen = inspectLock(path)!;
    rmSync(path);
    writeFileSync(path, JSON.stringify(info({ pid: 4 })));
    expect(takeOverLock(path, seen, info({ pid: 5 }))).toBe(false);
    expect(readLock(path)?.pid).toBe(4);
    expect(readdirSync(join(path, '..'))).toEqual(['lock']);
  });
});

describe('takeovers are serialised, and never delete a lock they did not verify', () => {
  const stale = () => {
    const path = lockFile();
    writeFileSync(path, JSON.stringify(info({ pid: 999_999 })));
    return { path, seen: inspectLock(path)! };
  };
  const names = (path: string) => readdirSync(join(path, '..')).sort();

  it('a takeover racing a plain run keeps the lock it moved aside by mistake instead of deleting it', () => {
    const { path, seen } = stale();
    const a = info({ pid: 1, startedAt: '2026-01-01T12:00:01.000Z' });
    const b = info({ pid: 2 });
    const c = info({ pid: 3, startedAt: '2026-01-01T12:00:03.000Z' });
    expect(takeOverLock(path, seen, a, world)).toBe(true);
    // B judged the stale file before A took it over, and moves A's fresh lock aside…
    const aside = moveAside(path, b)!;
    // …a plain run C finds no lock and creates its own…
    writeFileSync(path, JSON.stringify(c), { flag: 'wx' });
    // …so B cannot put A's lock back: it must not delete it either.
    expect(settleMoved(path, aside, seen, b)).toBe(false);
    expect(readLock(path)).toEqual(c);
    expect(readLock(aside)).toEqual(a);
  });

  it('one takeover at a time: another is refused while it runs, without moving anything, and may go on after', () => {
    const { path, seen } = stale();
    const end = beginTakeover(path, info({ pid: 1 }), world)!;
    expect(end).toBeTypeOf('function');
    expect(takeOverLock(path, seen, info({ pid: 2 }), world)).toBe(false);
    expect(readLock(path)?.pid).toBe(999_999);
    expect(names(path)).toEqual(['lock', 'lock.takeover']);
    end();
    expect(names(path)).toEqual(['lock']);
    expect(takeOverLock(path, seen, info({ pid: 2 }), world)).toBe(true);
    expect(readLock(path)?.pid).toBe(2);
    expect(names(path)).toEqual(['lock']);
  });

  it('a takeover that follows one that won reads the lock again and leaves the new one in place', () => {
    const { path, seen } = stale();
    expect(takeOverLock(path, seen, info({ pid: 1 }), world)).toBe(true);
    const before = inspectLock(path)!;
    expect(takeOverLock(path, seen, info({ pid: 2 }), world)).toBe(false);
    expect(inspectLock(path)).toEqual(before);
  });

  it('a takeover file left by a taker that died is removed past the grace, not before', () => {
    const { path, seen } = stale();
    writeFileSync(takeoverPath(path), JSON.stringify(info({ pid: 888_888 })));
    const wrote = inspectLock(takeoverPath(path))!.mtimeMs;
    expect(takeOverLock(path, seen, info({ pid: 2 }), { ...world, now: wrote + 5_000 })).toBe(false);
    expect(readLock(path)?.pid).toBe(999_999);
    expect(takeOverLock(path, seen, info({ pid: 2 }), { ...world, now: wrote + 60_000 })).toBe(true);
    expect(readLock(path)?.pid).toBe(2);
    expect(names(path)).toEqual(['lock']);
  });
});
