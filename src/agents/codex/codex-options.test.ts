import { describe, expect, it } from 'vitest';
import type { SessionInput } from '../../domain/index.js';
import { parseCodexConfig } from './codex-config.js';
import type { CodexConfig } from './codex-config.js';
import { codexEnv, codexHomeFor, configOverrides, threadOptions } from './codex-options.js';

function config(raw: Record<string, unknown> = {}): CodexConfig {
  const parsed = parseCodexConfig(raw);
  if (!parsed.success) throw new Error(parsed.error);
  return parsed.config;
}

const binary = {
  path: '/opt/codex/bin/codex',
  pathDirs: ['/opt/codex/codex-path'],
  source: 'package' as const,
};

describe('configOverrides', () => {
  it('keeps /tmp and $TMPDIR out of the writable roots unless writable_tmp', () => {
    expect(configOverrides(config())).toEqual({
      features: { unbounded_connection_retries: false },
      sandbox_workspace_write: { exclude_slash_tmp: true, exclude_tmpdir_env_var: true },
    });
    expect(configOverrides(config({ writable_tmp: true })).sandbox_workspace_write).toEqual({
      exclude_slash_tmp: false,
      exclude_tmpdir_env_var: false,
    });
  });

  it('turns a provider into a model_providers entry and selects it', () => {
    const overrides = configOverrides(
      config({
        provider: { name: 'local', base_url: 'http://127.0.0.1:9/v1', env_key: 'K', request_max_retries: 1 },
      }),
    );
    expect(overrides.model_provider).toBe('local');
    expect(overrides.model_providers).toEqual({
      local: {
        name: 'local',
        base_url: 'http://127.0.0.1:9/v1',
        wire_api: 'responses',
        env_key: 'K',
        request_max_retries: 1,
      },
    });
  });

  it('takes the plan codex_config over our defaults but does not let it re-open /tmp', () => {
    const overrides = configOverrides(
      config({
        codex_config: {
          model_reasoning_summary: 'none',
          features: { unbounded_connection_retries: true },
          sandbox_workspace_write: { exclude_slash_tmp: false, writable_roots: ['/srv/cache'] },
        },
      }),
    );
    expect(overrides).toEqual({
      model_reasoning_summary: 'none',
      features: { unbounded_connection_retries: true },
      sandbox_workspace_write: {
        exclude_slash_tmp: true,
        exclude_tmpdir_env_var: true,
        writable_roots: ['/srv/cache'],
      },
    });
  });
});

describe('threadOptions', () => {
  it('runs in the worktree, sandboxed, offline and without approval prompts', () => {
    expect(threadOptions(config({ model: 'gpt-5.5' }), '/w/task')).toEqual({
      workingDirectory: '/w/task',
      skipGitRepoCheck: true,
      sandboxMode: 'workspace-write',
      networkAccessEnabled: false,
      approvalPolicy: 'never',
      webSearchMode: 'disabled',
      model: 'gpt-5.5',
    });
  });

  it('enables the network and web search only when asked', () => {
    const options = threadOptions(config({ network: true }), '/w');
    expect(options.networkAccessEnabled).toBe(true);
    expect(options.webSearchMode).toBeUndefined();
  });
});

describe('codexEnv', () => {
  const input = { env: { PATH: '/usr/bin', HOME: '/home/u' } } as unknown as SessionInput;

  it('is the explicit env plus CODEX_HOME and the helper dirs on PATH', () => {
    expect(codexEnv(input, config(), binary, '/home/u/.codex', { SECRET: 'x' })).toEqual({
      PATH: '/opt/codex/codex-path:/usr/bin',
      HOME: '/home/u',
      CODEX_HOME: '/home/u/.codex',
    });
  });

  it("adds the provider's env_key from the parent when the engine did not pass it", () => {
    const withKey = config({ provider: { name: 'p', base_url: 'http://h/v1', env_key: 'P_KEY' } });
    expect(codexEnv(input, withKey, binary, '/c', { P_KEY: 'parent', OTHER: 'x' })).toMatchObject({
      P_KEY: 'parent',
    });
    expect(codexEnv(input, withKey, binary, '/c', { OTHER: 'x' })).not.toHaveProperty('OTHER');
  });
});

describe('codexHomeFor', () => {
  it('prefers codex_home, then CODEX_HOME, then ~/.codex', () => {
    expect(codexHomeFor(config({ codex_home: '~/codex-gaffer' }), { HOME: '/home/u' })).toBe(
      '/home/u/codex-gaffer',
    );
    expect(codexHomeFor(config(), { HOME: '/home/u', CODEX_HOME: '/srv/codex' })).toBe('/srv/codex');
    expect(codexHomeFor(config(), { HOME: '/home/u' })).toBe('/home/u/.codex');
    expect(codexHomeFor(config(), {})).toBeUndefined();
  });
});
