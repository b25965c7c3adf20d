import type { OpenAPIHono } from '@hono/zod-openapi';

const PLACEHOLDER = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Gaffer</title></head>
<body>
<h1>Gaffer</h1>
<p>The dashboard is coming. Until then the JSON API is served under <code>/api</code>
(its description: <code>/api/openapi.json</code>, with the token).</p>
</body>
</html>
`;

/**
 * The hook where the dashboard will be served from (`/` and its assets). For now a placeholder
 * page; it holds no data, so it needs no token (the API it will call does). Strict headers: no
 * script runs, and no other site may frame it.
 */
export function serveDashboard(app: OpenAPIHono): void {
  app.get('/', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(PLACEHOLDER);
  });
}
