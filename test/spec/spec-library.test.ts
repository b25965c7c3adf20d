import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { correctionLoop, keepPrevious } from '../../src/engine/spec/run-phase.js';
import type { SpecAsker } from '../../src/engine/spec/spec-session.js';
import { validatePlan } from '../../src/plan/index.js';
import type { Receipt } from '../../src/spec/index.js';
import {
  acquireSpecLock,
  blockedBy,
  checkSpecId,
  DEFAULT_GATES,
  describeChange,
  lockVerdict,
  nextReceiptNumber,
  parseRequirements,
  parseSpecConfig,
  phaseVerdict,
  readPlanReply,
  renderRepoMap,
  specPaths,
} from '../../src/spec/index.js';
import { REQUIREMENTS } from './spec-support.js';

describe('requirements.md', () => {
  it('reads user stories and their acceptance criteria with their ids and lines', () => {
    const parsed = parseRequirements(REQUIREMENTS);
    expect(parsed.ok).toBe(true);
    expect(parsed.stories.map((s) => [s.id, s.line, s.criteria.map((c) => [c.id, c.line])])).toEqual([
      [
        'US-1',
        3,
        [
          ['AC-1.1', 6],
          ['AC-1.2', 7],
        ],
      ],
    ]);
  });

  it('rejects a malformed document at file:line, every problem at once', () => {
    const parsed = parseRequirements(
      '## US-1: A\n- AC-1.1: the system should work\n- AC-2.1: WHEN x THE SYSTEM SHALL y\n## US-2 without colon\n- AC 1: nope\n## US-3: empty\n',
      'r.md',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => `${i.file}:${i.line}: ${i.message}`)).toEqual([
      'r.md:2: AC-1.1 is not in EARS form',
      'r.md:3: AC-2.1 is under US-1',
      'r.md:4: cannot read the user story heading "## US-2 without colon"',
      'r.md:5: cannot read the acceptance criterion "- AC 1: nope"',
      'r.md:6: US-3 has no acceptance criteria',
    ]);
    expect(parseRequirements('just prose').ok).toBe(false);
  });
});

const receipt = (inputs: Record<string, string>, output = 'out'): Receipt => ({
  format: 1,
  spec: 's',
  phase: 'design',
  number: 1,
  status: 'ok',
  startedAt: '',
  durationMs: 0,
  template: { name: 'design', version: 1 },
  promptSha256: '',
  agent: 'api',
  model: null,
  inputs: Object.entries(inputs).map(([name, sha256]) => ({ name, sha256 })),
  output: { file: 'design.md', sha256: output, chars: 1, maxChars: 1 },
  rounds: 1,
  usage: null,
  error: null,
  issues: [],
  gafferVersion: 'x',
});

describe('phase state', () => {
  it('is stale when an input differs from its last good run, naming the input and both hashes', () => {
    const lastOk = receipt({ 'feature.md': 'f1', 'requirements.md': 'r1' });
    const facts = { artifact: 'out', lastOk, last: lastOk };
    expect(phaseVerdict({ ...facts, current: { 'feature.md': 'f1', 'requirements.md': 'r1' } }).state).toBe(
      'done',
    );
    expect(phaseVerdict({ ...facts, current: { 'feature.md': 'f1', 'requirements.md': 'r2' } })).toEqual({
      state: 'stale',
      changed: [{ name: 'requirements.md', old: 'r1', new: 'r2' }],
      edited: false,
    });
    expect(
      phaseVerdict({ ...facts, artifact: 'hand', current: { 'feature.md': 'f1', 'requirements.md': 'r1' } }),
    ).toMatchObject({
      state: 'done',
      edited: true,
    });
    expect(
      phaseVerdict({ artifact: null, lastOk: undefined, last: { ...lastOk, status: 'timeout' }, current: {} })
        .state,
    ).toBe('failed');
  });

  it("counts a file that appeared and spec.yaml's plan settings as changes, never the repository map", () => {
    const lastOk: Receipt = {
      ...receipt({ 'feature.md': 'f1' }),
      inputs: [
        { name: 'feature.md', sha256: 'f1' },
        { name: 'design.md', sha256: null },
      ],
      context: [
        { name: 'repository map', sha256: 'm1' },
        { name: "spec.yaml's plan", sha256: 'p1' },
      ],
    };
    const facts = { artifact: 'out', lastOk, last: lastOk };
    const same = { 'feature.md': 'f1', 'design.md': null, 'repository map': 'm2', "spec.yaml's plan": 'p1' };
    expect(phaseVerdict({ ...facts, current: same }).state).toBe('done');
    const changed = phaseVerdict({
      ...facts,
      current: { ...same, 'design.md': 'd1', "spec.yaml's plan": 'p2' },
    });
    expect(changed.changed).toEqual([
      { name: 'design.md', old: null, new: 'd1' },
      { name: "spec.yaml's plan", old: 'p1', new: 'p2' },
    ]);
    expect(changed.changed.map(describeChange)).toEqual([
      'design.md appeared (d1)',
      "spec.yaml's plan: settings changed (p1 → p2)",
    ]);
  });

  it('runs a phase only after the earlier ones are done and, where gated, approved', () => {
    const done = { state: 'done' as const, approved: false };
    expect(
      blockedBy(
        'design',
        { requirements: { state: 'stale', approved: false }, design: done, tasks: done },
        DEFAULT_GATES,
        's',
      )?.reason,
    ).toBe('design needs requirements first, which is stale');
    const gated = { ...DEFAULT_GATES, design: true };
    expect(blockedBy('tasks', { requirements: done, design: done, tasks: done }, gated, 's')?.reason).toBe(
      'tasks waits for a person to approve design',
    );
    expect(
      blockedBy(
        'tasks',
        { requirements: done, design: { state: 'done', approved: true }, tasks: done },
        gated,
        's',
      ),
    ).toBeUndefined();
    // A quick spec's plan stands on the requirements alone: a design never written holds nothing up.
    const noDesign = {
      requirements: done,
      design: { state: 'missing' as const, approved: false },
      tasks: done,
    };
    expect(blockedBy('tasks', noDesign, gated, 's')?.reason).toBe(
      'tasks needs design first, which is missing',
    );
    expect(blockedBy('tasks', noDesign, gated, 's', { quick: true })).toBeUndefined();
  });
});

describe('spec locks', () => {
  const world = {
    host: 'here',
    now: Date.parse('2026-01-01T01:00:00Z'),
    maxAgeMs: 3_600_000,
    isAlive: () => true,
  };
  it("hold while the holder lives, however long; a dead pid on this host, or another host's old lock, is stale", () => {
    const info = { pid: 7, host: 'here', startedAt: '2026-01-01T00:30:00Z' };
    expect(lockVerdict(info, world)).toEqual({ type: 'held' });
    expect(lockVerdict(info, { ...world, isAlive: () => false })).toMatchObject({ type: 'stale' });
    expect(lockVerdict({ ...info, host: 'there' }, { ...world, isAlive: () => false })).toEqual({
      type: 'held',
    });
    const old = { ...info, startedAt: '2025-12-31T00:00:00Z' };
    expect(lockVerdict(old, world)).toEqual({ type: 'held' });
    expect(lockVerdict({ ...old, host: 'there' }, world)).toMatchObject({ type: 'stale' });
    // A lock file being written (empty) is held until it is old.
    expect(lockVerdict(undefined, world, world.now)).toEqual({ type: 'held' });
  });

  it('are exclusive: a second taker is refused, a stale lock is taken only with force', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'spec-lock-')), 'lock');
    const first = acquireSpecLock(path, { specId: 's' });
    expect(() => acquireSpecLock(path, { specId: 's' })).toThrow(/spec s is locked by process/);
    const dead = { isAlive: () => false };
    expect(() => acquireSpecLock(path, { specId: 's', world: dead })).toThrow(/stale lock/);
    const taken = acquireSpecLock(path, { specId: 's', world: dead, force: true, pid: 99 });
    first.release(); // no longer ours: left alone
    expect(() => acquireSpecLock(path, { specId: 's', world: { isAlive: () => true } })).toThrow(
      /locked by process 99/,
    );
    taken.release();
    acquireSpecLock(path, { specId: 's' }).release();
  });
});

describe('the plan a tasks phase writes', () => {
  it('checks covers against the spec criteria, at the line, in the validator', () => {
    const text = 'tasks:\n  - id: a\n    title: A\n    covers: [AC-1.1, AC-7.1]\n';
    expect(validatePlan(text).ok).toBe(true);
    const checked = validatePlan(text, { knownCriteria: ['AC-1.1'] });
    expect(checked.ok ? [] : checked.issues.map((i) => [i.line, i.message])).toEqual([
      [4, 'covers "AC-7.1", which is no acceptance criterion of the spec'],
    ]);
  });

  it("refuses settings from the model and reports the gap, with the model's own line numbers", () => {
    const reply = readPlanReply(
      '```yaml\nname: x\nconcurrency: 9\ntasks:\n  - id: a\n    title: A\n    sandbox: { network: [x] }\n    covers: [AC-9.9]\n```',
      {
        settings: { agent: 'script', max_rework: 1 },
        criteria: ['AC-1.1'],
        file: 'plan.yaml.partial',
      },
    );
    expect(reply.plan).toBeUndefined();
    expect(reply.text.startsWith('# Written by gaffer spec')).toBe(true);
    expect(reply.forModel.join('\n')).toContain('`concurrency` cannot be set');
    expect(reply.forModel.join('\n')).toContain('`sandbox` cannot be set here');
    expect(reply.forModel.join('\n')).toContain('your YAML block:7:');
    const ok = readPlanReply('```yaml\ntasks:\n  - id: a\n    title: A\n```', {
      settings: {},
      criteria: ['AC-1.1'],
      file: 'p',
    });
    expect([ok.plan?.tasks.length, ok.gaps]).toEqual([1, ['AC-1.1']]);
  });
});

describe('history/', () => {
  it('keeps a replaced artifact under a free name, never over a file kept there; its numbers are never reused', () => {
    const root = mkdtempSync(join(tmpdir(), 'spec-history-'));
    const spec = { root, id: 's', paths: specPaths(join(root, 's')) };
    mkdirSync(spec.paths.history, { recursive: true });
    const kept = (name: string) => join(spec.paths.history, name);
    writeFileSync(kept('2-requirements.md'), 'a hand edit\n');
    writeFileSync(spec.paths.artifact('requirements'), "the model's\n");
    expect(keepPrevious(spec, 'requirements', 2)).toBe(kept('2.2-requirements.md'));
    writeFileSync(spec.paths.artifact('requirements'), 'the next\n');
    expect(keepPrevious(spec, 'requirements', 2)).toBe(kept('2.3-requirements.md'));
    expect(readFileSync(kept('2-requirements.md'), 'utf8')).toBe('a hand edit\n');
    expect(readFileSync(kept('2.2-requirements.md'), 'utf8')).toBe("the model's\n");
    expect(readFileSync(kept('2.3-requirements.md'), 'utf8')).toBe('the next\n');
    expect(keepPrevious(spec, 'requirements', 4)).toBeNull();
    // No receipts at all (a person deleted them): history's numbers are taken still.
    expect(nextReceiptNumber(spec, 'requirements')).toBe(3);
    expect(nextReceiptNumber(spec, 'design')).toBe(1);
    writeFileSync(kept('7-plan.yaml'), 'x\n');
    expect(nextReceiptNumber(spec, 'tasks')).toBe(8);
  });
});

describe('the correction loop', () => {
  it('has one time limit for the phase run: each round gets what the rounds before it left', async () => {
    vi.useFakeTimers();
    try {
      const asked: string[] = [];
      // Each answer takes 600 ms; the first is not usable, the second would be.
      const asker: SpecAsker = {
        agent: 'fake',
        model: null,
        ask: (_prompt, label, signal) =>
          new Promise((resolve) => {
            asked.push(label);
            const text = asked.length === 1 ? 'not yet' : 'fine';
            const timer = setTimeout(() => resolve({ text }), 600);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              resolve({ text: '', error: 'aborted' });
            });
          }),
      };
      const loop = correctionLoop({
        config: parseSpecConfig('correction_rounds: 3\n', 'spec.yaml'),
        asker,
        timeoutMs: 1000,
        first: 'prompt',
        label: (round) => `round-${round}`,
        again: 'the whole block',
        check: (text) => ({ problems: text === 'fine' ? [] : ['not fine'], gaps: [] }),
      });
      await vi.advanceTimersByTimeAsync(5000);
      expect(await loop).toMatchObject({
        status: 'timeout',
        rounds: 2,
        error: 'no complete answer within 1s',
      });
      expect(asked).toEqual(['round-1', 'round-2']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the rest', () => {
  it('validates spec ids and bounds the repository map', () => {
    expect(checkSpecId('login-2')).toBe('login-2');
    expect(() => checkSpecId('-x')).toThrow(/not a valid spec id/);
    const files = Array.from({ length: 100 }, (_, i) => `src/file-${i}.ts`);
    const map = renderRepoMap({ files, symbols: new Map([['src/file-0.ts', ['main']]]), maxChars: 200 });
    expect(map.length).toBeLessThan(260);
    expect(map).toContain('src/file-0.ts: main');
    expect(map).toMatch(/and \d+ more files/);
  });
});
