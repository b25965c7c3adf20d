import { describe, expect, it } from 'vitest';
import { serverFor } from './harness.js';

const ROUTES = [
  'GET /api/runs',
  'POST /api/runs',
  'GET /api/runs/{runId}',
  'GET /api/runs/{runId}/attempts',
  'GET /api/runs/{runId}/approvals',
  'GET /api/runs/{runId}/questions',
  'POST /api/runs/{runId}/pause',
  'POST /api/runs/{runId}/resume',
  'POST /api/runs/{runId}/cancel',
  'POST /api/runs/{runId}/raise',
  'GET /api/attempts/{attemptId}/transcript',
  'GET /api/attempts/{attemptId}/diff',
  'POST /api/approvals/{approvalId}/approve',
  'POST /api/approvals/{approvalId}/deny',
  'POST /api/questions/{questionId}/answer',
  'GET /api/events',
];

interface Doc {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

describe('the OpenAPI document', () => {
  it('lists every route the app serves, with the request schemas that validate them', async () => {
    const { api, app } = await serverFor('tasks: []\n');
    const doc = await api<Doc>('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    const listed = Object.entries(doc.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual([...ROUTES].sort());
    // And nothing the app routes under /api is missing from it (middleware and the document aside).
    const served = app.routes
      .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL' && r.path !== '/api/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...new Set(served)].sort()).toEqual([...ROUTES].sort());

    const { schemas } = doc.body.components;
    expect(schemas.StartRun?.required).toEqual(['plan']);
    expect(Object.keys(schemas.StartRun?.properties ?? {})).toEqual([
      'plan',
      'agent',
      'concurrency',
      'keepGoing',
      'schedule',
    ]);
    expect(schemas.Deny?.required).toEqual(['reason']);
    expect(Object.keys(schemas.Raise?.properties ?? {})).toEqual(['limits', 'tasks']);
    expect(doc.body.paths['/api/runs']?.post?.requestBody?.content['application/json']).toBeDefined();
  });
});
