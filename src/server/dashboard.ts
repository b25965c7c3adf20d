import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the built dashboard is: `dist/web`, next to the compiled server (`dist/server/…` →
 * `../web`), or, when the server runs from its sources (vitest, tsx: `src/server/…`), in the
 * package's `dist/web`. The first with an index.html wins.
 */
export function dashboardDir(moduleUrl: string = import.meta.url): string | undefined {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, '..', 'web'), join(here, '..', '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The files of the build, by URL path (`/assets/index-3f2a.js`), listed once. Only these are ever
 * served: a request path is looked up in the list, never joined onto the disk, so no `..`, encoded
 * slash or symlink trick can reach another file.
 */
function listFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(`/${relative(root, path).split(sep).join('/')}`, path);
    }
  };
  walk(root);
  return files;
}

// The page talks to this server only; its styles include React Flow's inline positioning.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function secureHeaders(c: Context): void {
  c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
}

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Gaffer</title></head>
<body>
<h1>Gaffer</h1>
<p>The dashboard is not built: run <code>npm run build</code>. The JSON API is served under
<code>/api</code> (its description: <code>/api/openapi.json</code>, with the token).</p>
</body>
</html>
`;

/**
 * Serves the dashboard built into dist/web: its hashed assets with a year-long cache (a new build
 * has new names), and index.html — never cached, so a new build is picked up — for `/` and every
 * client route (`/runs/<id>`). The page and its assets hold no data, so they need no token; every
 * `/api` call the page makes does. Unknown `/api/*` paths stay the API's 404.
 */
export function serveDashboard(app: OpenAPIHono, root: string | undefined = dashboardDir()): void {
  let files: Map<string, string> | undefined;
  const fileAt = (path: string) => {
    if (root === undefined) return undefined;
    files ??= listFiles(root);
    return files.get(path);
  };
  app.get('*', (c) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/')) return c.notFound();
    secureHeaders(c);
    const file = path === '/' ? undefined : fileAt(path);
    if (file !== undefined) {
      c.header('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
      c.header(
        'Cache-Control',
        path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      return c.body(readFileSync(file));
    }
    // A path with an extension names a file: one that is not in the build is missing, not a page.
    if (extname(path) !== '') return c.notFound();
    const index = fileAt('/index.html');
    c.header('Cache-Control', 'no-cache');
    return c.html(index === undefined ? NOT_BUILT : readFileSync(index, 'utf8'), index ? 200 : 503);
  });
}
