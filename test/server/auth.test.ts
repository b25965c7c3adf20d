import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.js';
import { createServerApp } from '../../src/server/index.js';
import { sameToken } from '../../src/server/auth.js';
import { apiClient, serverFor, TOKEN } from './harness.js';

const PLAN = `agent: script
autonomy: review_all
tasks:
  - id: a
    title: Write a
    agent_config: { steps: [ { write: { path: a.txt, content: "a" } } ] }
`;

/** Every API route as the OpenAPI document lists it, with its path parameters filled in. */
async function everyRoute(api: ReturnType<typeof apiClient>, runId: string): Promise<[string, string][]> {
  const doc = await api<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json');
  expect(doc.status).toBe(200);
  const ids: Record<string, string> = {
    runId,
    attemptId: `${runId}.a.1`,
    approvalId: `${runId}.a.1.eval`,
    questionId: `${runId}.a.1.q1`,
  };
  return Object.entries(doc.body.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method): [string, string] => [
      method.toUpperCase(),
      path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? name) +
        (path === '/api/events' ? `?run=${runId}` : ''),
    ]),
  );
}

describe('the HTTP API: token, Host and errors', () => {
  it('refuses every route without the right token (401) and changes nothing', async () => {
    const { api, engine, repo } = await serverFor(PLAN);
    const run = await engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    const routes = await everyRoute(api, run.id);
    expect(routes.length).toBeGreaterThanOrEqual(16);
    const eventIds = async () => {
      const ids = [];
      for await (const e of engine.tailEvents(run.id)) ids.push(e.id);
      return ids;
    };
    const before = await eventIds();
    for (const [method, path] of [...routes, ['GET', '/api/openapi.json'] as [string, string]]) {
      const body =
        method === 'POST'
          ? { plan: 'plan.yaml', reason: 'r', answer: 'a', limits: { tokens: 9 } }
          : undefined;
      for (const token of [null, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
        const res = await api(method, path, { token, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${path} with ${token}`).toBe(401);
        expect(res.body.error?.code).toBe('GAFFER_UNAUTHORIZED');
      }
      const basic = await api(method, path, { token: null, headers: { authorization: `Basic ${TOKEN}` } });
      expect(basic.status, `${method} ${path} with Basic`).toBe(401);
    }
    expect(await eventIds()).toEqual(before);
    expect((await engine.listRuns()).map((r) => [r.id, r.status])).toEqual([[run.id, 'pending']]);

    // The token in the query is what an EventSource sends, and counts only there; the header is
    // what everything else sends.
    expect((await api('GET', `/api/runs/${run.id}?token=${TOKEN}`, { token: null })).status).toBe(401);
    expect((await api('GET', `/api/runs/${run.id}`)).status).toBe(200);
  });

  it('unit: tokens compare equal only when they are', () => {
    expect(sameToken(TOKEN, TOKEN)).toBe(true);
    expect(sameToken(`${TOKEN} `, TOKEN)).toBe(false);
    expect(sameToken('', TOKEN)).toBe(false);
  });

  it('refuses a Host that is not the bound address with 403, and sends no CORS headers', async () => {
    const { engine, repo } = await serverFor(PLAN);
    const app = createServerApp(engine, {
      token: TOKEN,
      repoRoot: repo,
      allowedHosts: () => ['127.0.0.1:4477'],
    });
    const api = apiClient(app);
    for (const host of ['evil.example:4477', '127.0.0.1:4478', '127.0.0.1']) {
      for (const path of ['/api/runs', '/']) {
        const res = await api('GET', path, { headers: { host } });
        expect(res.status, `${host} ${path}`).toBe(403);
        expect(res.body.error?.code).toBe('GAFFER_FORBIDDEN_HOST');
      }
    }
    expect((await api('GET', '/api/runs')).status).toBe(403); // no Host at all
    const ok = await api('GET', '/api/runs', {
      headers: { host: '127.0.0.1:4477', origin: 'https://evil.example' },
    });
    expect(ok.status).toBe(200);
    const preflight = await api('OPTIONS', '/api/runs', {
      headers: {
        host: '127.0.0.1:4477',
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
      },
    });
    for (const res of [ok, preflight])
      expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    const page = await api('GET', '/', { headers: { host: '127.0.0.1:4477' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="root">');
  });

  it('answers a fault of Gaffer with a 500 that shows no message, stack or secret', async () => {
    const { engine, repo } = await serverFor(PLAN);
    const broken: Engine = {
      ...engine,
      listRuns: () => Promise.reject(new Error(`boom: ${TOKEN} at /home/someone/secret`)),
    };
    const api = apiClient(createServerApp(broken, { token: TOKEN, repoRoot: repo }));
    const res = await api('GET', '/api/runs');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { code: 'GAFFER_INTERNAL', message: 'internal error', hint: 'the server log has the details' },
    });
  });
});
