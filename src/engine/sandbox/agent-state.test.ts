import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentStateDir, prepareAgentState } from './agent-state.js';

function userConfig() {
  const home = mkdtempSync(join(tmpdir(), 'gaffer-state-test-'));
  mkdirSync(join(home, '.claude'));
  writeFileSync(join(home, '.claude', '.credentials.json'), '{"token":"t"}');
  writeFileSync(join(home, '.claude', 'settings.json'), '{}');
  mkdirSync(join(home, '.claude', 'projects'));
  writeFileSync(join(home, '.claude', 'projects', 'old-session.jsonl'), 'private history');
  return home;
}

describe('a task’s private CLI state', () => {
  it('lives under .gaffer/agent-state, one per run, task and backend', () => {
    expect(agentStateDir('/repo', 'r1', 'a', 'claude-code')).toBe(
      '/repo/.gaffer/agent-state/r1/a/claude-code',
    );
  });

  it('holds copies of the seed files only: a missing one is skipped, nothing else of the user’s comes along', () => {
    const home = userConfig();
    const dir = prepareAgentState(join(home, 'state', 'claude-code'), [
      { from: join(home, '.claude', '.credentials.json'), to: '.credentials.json' },
      { from: join(home, '.claude', 'settings.json'), to: 'nested/settings.json' },
      { from: join(home, '.claude.json'), to: '.claude.json' },
    ]);
    expect(readdirSync(dir).sort()).toEqual(['.credentials.json', 'nested']);
    expect(readFileSync(join(dir, '.credentials.json'), 'utf8')).toBe('{"token":"t"}');
    expect(readFileSync(join(dir, 'nested', 'settings.json'), 'utf8')).toBe('{}');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('is made once: what the sessions wrote there stays, and the user’s later changes are not copied over it', () => {
    const home = userConfig();
    const seed = [{ from: join(home, '.claude', 'settings.json'), to: 'settings.json' }];
    const dir = prepareAgentState(join(home, 'state'), seed);
    writeFileSync(join(dir, 'settings.json'), '{"refreshed":true}');
    writeFileSync(join(home, '.claude', 'settings.json'), '{"user":"changed"}');
    prepareAgentState(join(home, 'state'), seed);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe('{"refreshed":true}');
  });

  it('starts over from a copy a crash left half made', () => {
    const home = userConfig();
    mkdirSync(join(home, 'state.making'));
    writeFileSync(join(home, 'state.making', 'junk'), 'x');
    const dir = prepareAgentState(join(home, 'state'), [
      { from: join(home, '.claude', 'settings.json'), to: 'settings.json' },
    ]);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });
});
