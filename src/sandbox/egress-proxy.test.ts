import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEgressProxy } from './egress-proxy.js';
import type { DeniedEgress, EgressProxy, EgressProxyOptions } from './egress-proxy.js';

interface Upstream {
  port: number;
  /** `METHOD path body` of every request it received. */
  hits: string[];
  server: http.Server;
}

let socketDir: string;
let proxy: EgressProxy | undefined;
const upstreams: Upstream[] = [];

beforeEach(async () => {
  socketDir = await mkdtemp(path.join(tmpdir(), 'gaffer-egress-'));
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  for (const { server } of upstreams.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await rm(socketDir, { recursive: true, force: true });
});

/** A server on 127.0.0.1 that records each request and answers with `handler` (default: echo). */
async function upstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void = (req, res, body) =>
    res.end(`${req.method} ${req.url} host=${req.headers.host} body=${body}`),
): Promise<Upstream> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      hits.push(`${req.method} ${req.url} ${body}`.trim());
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const entry = { port: (server.address() as net.AddressInfo).port, hits, server };
  upstreams.push(entry);
  return entry;
}

async function start(options: Omit<EgressProxyOptions, 'socketDir'>): Promise<EgressProxy> {
  proxy = await startEgressProxy({ socketDir, ...options });
  return proxy;
}

interface Answer {
  status: number;
  body: string;
}

/** A plain HTTP request in absolute form, sent to the proxy's socket the way HTTP_PROXY clients do. */
function viaProxy(method: string, url: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: proxy?.socketPath, method, path: url, headers: { host: new URL(url).host } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `CONNECT target`; resolves with the status, the tunnel socket, and the body of a refusal. */
function connect(target: string): Promise<Answer & { socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: proxy?.socketPath, method: 'CONNECT', path: target });
    req.on('connect', (res: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const status = res.statusCode ?? 0;
      if (status === 200) return resolve({ status, body: '', socket });
      let body = head.toString('utf8');
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (body += chunk));
      socket.on('end', () => resolve({ status, body, socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A GET sent through an established tunnel. */
function getThrough(socket: net.Socket, host: string, requestPath: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ createConnection: () => socket, path: requestPath, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
}

describe('startEgressProxy', () => {
  it('forwards plain HTTP to an allowed target, request body and Host header included', async () => {
    const p1 = await upstream();
    await start({ allow: [`127.0.0.1:${p1.port}`] });

    const get = await viaProxy('GET', `http://127.0.0.1:${p1.port}/v1/models?x=1`);
    const post = await viaProxy('POST', `http://127.0.0.1:${p1.port}/v1/messages`, '{"hi":1}');

    expect(get).toEqual({ status: 200, body: `GET /v1/models?x=1 host=127.0.0.1:${p1.port} body=` });
    expect(post).toEqual({ status: 200, body: `POST /v1/messages host=127.0.0.1:${p1.port} body={"hi":1}` });
  });

  it('tunnels CONNECT to an allowed target', async () => {
    const p1 = await upstream();
    await start({ allow: [`127.0.0.1:${p1.port}`] });

    const tunnel = await connect(`127.0.0.1:${p1.port}`);
    expect(tunnel.status).toBe(200);
    expect(await getThrough(tunnel.socket, `127.0.0.1:${p1.port}`, '/through')).toEqual({
      status: 200,
      body: `GET /through host=127.0.0.1:${p1.port} body=`,
    });
  });

  it('streams a server-sent-events answer event by event', async () => {
    let sendSecond = () => {};
    const secondAllowed = new Promise<void>((resolve) => (sendSecond = resolve));
    const p1 = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      // The second event waits until the client has the first: a proxy that buffered would never deliver it.
      void secondAllowed.then(() => res.end('data: two\n\n'));
    });
    await start({ allow: [`127.0.0.1:${p1.port}`] });

    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        { socketPath: proxy?.socketPath, path: `http://127.0.0.1:${p1.port}/events` },
        (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            seen.push(chunk);
            if (chunk.includes('one')) sendSecond();
          });
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
    });
    expect(seen).toEqual(['data: one\n\n', 'data: two\n\n']);
  });

  it('refuses a target not in the allowlist with 403, says how to allow it, and reports it', async () => {
    const p1 = await upstream();
    const p2 = await upstream();
    const reported: DeniedEgress[] = [];
    const started = await start({ allow: [`127.0.0.1:${p1.port}`], onDenied: (t) => reported.push(t) });

    const plain = await viaProxy('POST', `http://127.0.0.1:${p2.port}/steal`, 'secret');
    const tunnel = await connect(`127.0.0.1:${p2.port}`);

    for (const answer of [plain, tunnel]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toContain(`127.0.0.1:${p2.port} is not in this session's network allowlist`);
      expect(answer.body).toContain(`sandbox: { network: ["127.0.0.1:${p2.port}"] }`);
    }
    expect(p2.hits).toEqual([]);
    expect(reported).toMatchObject([
      { host: '127.0.0.1', port: p2.port, method: 'POST' },
      { host: '127.0.0.1', port: p2.port, method: 'CONNECT' },
    ]);
    expect(started.denied).toEqual(reported);
  });

  it('refuses an allowed name that resolves to loopback or to the metadata endpoint', async () => {
    const p1 = await upstream();
    const reported: DeniedEgress[] = [];
    const answers: Record<string, string> = {
      'rebind.example.test': '127.0.0.1',
      'metadata.example.test': '169.254.169.254',
    };
    await start({
      allow: ['*.example.test'],
      lookup: async (host) => [{ address: answers[host] ?? '192.0.2.1', family: 4 }],
      onDenied: (t) => reported.push(t),
    });

    const rebind = await connect(`rebind.example.test:${p1.port}`);
    const metadata = await viaProxy('GET', 'http://metadata.example.test/latest/meta-data/');

    expect(rebind.status).toBe(403);
    expect(rebind.body).toContain('resolves to 127.0.0.1, a loopback address');
    expect(metadata.status).toBe(403);
    expect(metadata.body).toContain('resolves to 169.254.169.254, a link-local address');
    expect(metadata.body).toContain('sandbox: { network: ["169.254.169.254:80"] }');
    expect(p1.hits).toEqual([]);
    expect(reported.map((t) => t.host)).toEqual(['rebind.example.test', 'metadata.example.test']);
  });

  it('lets an exact localhost:<port> entry reach that port', async () => {
    const p1 = await upstream();
    await start({ allow: [`localhost:${p1.port}`] });

    expect((await viaProxy('GET', `http://localhost:${p1.port}/x`)).status).toBe(200);
    expect((await viaProxy('GET', `http://127.0.0.1:${p1.port}/x`)).status).toBe(403);
  });

  it('answers 502 with the reason when an allowed target does not answer', async () => {
    const gone = await upstream();
    const port = gone.port;
    gone.server.close();
    await start({ allow: [`127.0.0.1:${port}`] });

    const plain = await viaProxy('GET', `http://127.0.0.1:${port}/`);
    const tunnel = await connect(`127.0.0.1:${port}`);

    expect(plain.status).toBe(502);
    expect(plain.body).toContain('ECONNREFUSED');
    expect(tunnel.status).toBe(502);
    expect(proxy?.denied).toEqual([]);
  });

  it('answers 400 to a request that is not in proxy form', async () => {
    await start({ allow: ['example.com'] });
    const answer = await new Promise<Answer>((resolve) => {
      http.get({ socketPath: proxy?.socketPath, path: '/not-absolute' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: '' }));
      });
    });
    expect(answer.status).toBe(400);
  });

  it('refuses to start on a malformed entry, naming it and how to write it', async () => {
    await expect(startEgressProxy({ socketDir, allow: ['https://api.example.com'] })).rejects.toThrow(
      /"https:\/\/api\.example\.com" is a URL.*"api\.example\.com:443"/,
    );
  });

  it('refuses a socket directory others can reach', async () => {
    await chmod(socketDir, 0o755);
    await expect(startEgressProxy({ socketDir, allow: ['example.com'] })).rejects.toThrow(/mode 0700/);
  });

  it('close ends open tunnels and removes the socket', async () => {
    const p1 = await upstream();
    const started = await start({ allow: [`127.0.0.1:${p1.port}`] });
    const tunnel = await connect(`127.0.0.1:${p1.port}`);
    const closed = new Promise((resolve) => tunnel.socket.once('close', resolve));

    await started.close();

    await closed;
    await expect(stat(started.socketPath)).rejects.toThrow(/ENOENT/);
  });
});
