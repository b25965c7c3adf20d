import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GafferError } from '../../domain/index.js';
import { createCodexAgent } from './codex-agent.js';

/** The engine's environment as preflight sees it: PATH and a HOME without codex credentials. */
const env = { PATH: process.env.PATH, HOME: os.tmpdir() };

async function preflightError(
  config: Record<string, unknown>,
  agent = createCodexAgent(),
): Promise<GafferError> {
  try {
    await agent.preflight?.(config, env);
  } catch (error) {
    if (GafferError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('preflight passed');
}

describe('createCodexAgent', () => {
  it('declares resume and usage, and no steering, hook or questions', () => {
    const adapter = createCodexAgent();
    expect(adapter.name).toBe('codex');
    expect(adapter.capabilities).toEqual({
      resume: true,
      steer: false,
      permissionHook: false,
      questions: false,
      usage: true,
    });
    expect(adapter.envKeys).toContain('OPENAI_API_KEY');
  });

  it('preflight: a bad config is a user error naming the key', async () => {
    const error = await preflightError({ sandbox: 'none' });
    expect(error).toMatchObject({ code: 'GAFFER_BAD_INPUT', userError: true });
    expect(error.message).toMatch(/invalid codex agent config: sandbox: /);
  });

  it("sandbox: an object is Gaffer's widening (checked, kept from codex); a string is codex's own mode", async () => {
    // A widening passes codex's schema (codex keeps its default mode) and only a bad binary is left to report.
    const widened = await preflightError({
      sandbox: { writable: ['/srv/cache'], network: ['registry.npmjs.org:443'] },
      executable: '/nonexistent/bin/codex',
    });
    expect(widened.code).toBe('GAFFER_AGENT_MISSING');
    const typo = await preflightError({ sandbox: { writeable: ['/srv/cache'] } });
    expect(typo).toMatchObject({ code: 'GAFFER_BAD_INPUT', details: { key: 'sandbox' } });
    expect(typo.message).toMatch(/invalid codex agent config: sandbox: .*writeable/);
    expect(typo.hint).toContain('{ writable: [paths], readable: [paths], network: [host:port] }');
    const mode = createCodexAgent().sandboxNeeds?.({ sandbox: 'read-only' }, env);
    expect(mode?.network).toEqual(['api.openai.com:443']);
  });

  it('preflight: a missing binary says how to install codex', async () => {
    const error = await preflightError({ executable: '/nonexistent/bin/codex' });
    expect(error).toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
      userError: true,
      hint: 'npm i -g @openai/codex, or set agents.codex.executable',
    });
    expect(error.message).toContain('/nonexistent/bin/codex');
  });

  it('preflight: a provider whose key variable is unset names the variable', async () => {
    const error = await preflightError({
      provider: { name: 'local', base_url: 'http://127.0.0.1:9/v1', env_key: 'GAFFER_TEST_UNSET_CODEX_KEY' },
    });
    expect(error).toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
      hint: 'export GAFFER_TEST_UNSET_CODEX_KEY=…',
    });
  });

  it('preflight: the packaged codex and a keyless local provider are enough', async () => {
    await expect(
      createCodexAgent().preflight?.({ provider: { name: 'local', base_url: 'http://127.0.0.1:9/v1' } }, env),
    ).resolves.toBeUndefined();
  });

  it("preflight: under the plan's sandbox: off, codex's own sandbox must work unless it is off too", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gaffer-fake-codex-'));
    try {
      // A stand-in for codex on a host without user namespaces: `codex sandbox` cannot start.
      const fake = path.join(dir, 'codex');
      await writeFile(
        fake,
        '#!/bin/sh\necho "bwrap: No permissions to create a new namespace" >&2\nexit 1\n',
      );
      await chmod(fake, 0o755);
      const config = { executable: fake, provider: { name: 'local', base_url: 'http://127.0.0.1:9/v1' } };
      // Under `sandbox: off` codex's own sandbox is what would confine its commands.
      const off = { sandboxed: false };
      const error: GafferError | undefined = await createCodexAgent()
        .preflight?.(config, env, off)
        .then(
          () => undefined,
          (caught: unknown) => caught as GafferError,
        );
      expect(error).toMatchObject({ code: 'GAFFER_AGENT_MISSING', details: { sandbox: 'unavailable' } });
      expect(error?.message).toContain('bwrap: No permissions to create a new namespace');
      expect(error?.hint).toContain('danger-full-access');
      await expect(
        createCodexAgent().preflight?.({ ...config, sandbox: 'danger-full-access' }, env, off),
      ).resolves.toBeUndefined();
      // In Gaffer's sandbox (the default) codex's own is not used, so it is not probed.
      await expect(createCodexAgent().preflight?.(config, env, { sandboxed: true })).resolves.toBeUndefined();
      await expect(createCodexAgent().preflight?.(config, env)).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('preflight: reads the environment it is given, not our own', async () => {
    const error = await preflightError({
      provider: { name: 'local', base_url: 'http://127.0.0.1:9/v1', env_key: 'GAFFER_TEST_CODEX_KEY' },
    });
    expect(error.message).toBe('no API key for codex: GAFFER_TEST_CODEX_KEY is not set');
    const withKey = { ...env, GAFFER_TEST_CODEX_KEY: 'sk' };
    await expect(
      createCodexAgent().preflight?.(
        { provider: { name: 'local', base_url: 'http://127.0.0.1:9/v1', env_key: 'GAFFER_TEST_CODEX_KEY' } },
        withKey,
      ),
    ).resolves.toBeUndefined();
  });

  it('preflight: an unknown key is an error with a suggestion', async () => {
    const error = await preflightError({ sandbx: 'read-only' });
    expect(error).toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      message: 'invalid codex agent config: unknown key "sandbx"',
      hint: expect.stringContaining('did you mean "sandbox"?') as string,
    });
  });
});
