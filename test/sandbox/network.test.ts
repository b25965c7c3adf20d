import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeniedEgress, EgressProxy } from '../../src/sandbox/egress-proxy.js';
import { startEgressProxy } from '../../src/sandbox/egress-proxy.js';
import { netBridgeArgv, netBridgeConfig, netBridgeScript, proxyEnv } from '../../src/sandbox/network-env.js';

/**
 * The whole network path of a sandboxed session: a process in a bubblewrap sandbox without a network of
 * its own reaches an allowlisted server on the host through the in-sandbox bridge and the session's egress
 * proxy, directly (loopback forward) and through the proxy variables, and nothing else.
 */

const onLinux = process.platform === 'linux';

/** Runs inside the sandbox; prints one JSON line per step. argv: p1 p2. */
const SANDBOXED_CLIENT = String.raw`
const http = require('node:http');
const [p1, p2] = process.argv.slice(1).map(Number);
const proxy = new URL(process.env.HTTP_PROXY);
const say = (step, fields) => console.log(JSON.stringify({ step, ...fields }));
function get(options, onChunk) {
  return new Promise((resolve) => {
    const req = http.request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; onChunk?.(chunk); });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (error) => resolve({ error: error.code }));
    req.end();
  });
}
const direct = (port, path) => ({ host: '127.0.0.1', port, path });
const viaProxy = (port, path) => ({ host: proxy.hostname, port: Number(proxy.port), path: 'http://127.0.0.1:' + port + path, headers: { host: '127.0.0.1:' + port } });
function connectViaProxy(port) {
  return new Promise((resolve) => {
    const req = http.request({ host: proxy.hostname, port: Number(proxy.port), method: 'CONNECT', path: '127.0.0.1:' + port });
    req.on('connect', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode }); });
    req.on('error', (error) => resolve({ error: error.code }));
    req.end();
  });
}
(async () => {
  say('direct-p1', await get(direct(p1, '/hello')));
  say('direct-p2', await get(direct(p2, '/hello')));
  say('proxy-p1', await get(viaProxy(p1, '/hello')));
  say('proxy-p2', await get(viaProxy(p2, '/hello')));
  say('connect-p2', await connectViaProxy(p2));
  await get(direct(p1, '/events?via=direct'), (chunk) => say('sse-direct', { chunk }));
  await get(viaProxy(p1, '/events?via=proxy'), (chunk) => say('sse-proxy', { chunk }));
  const bridgeEnv = Object.fromEntries(
    require('node:fs').readFileSync('/proc/' + process.ppid + '/environ', 'utf8').split('\0').filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  say('env', { child: process.env, bridge: bridgeEnv });
  process.exit(7);
})();
`;

/** Runs inside the sandbox: asks its parent (the bridge) to stop, and exits 42 when the stop reaches it. */
const STOPPED_CLIENT = String.raw`
process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(42); });
setInterval(() => {}, 1000);
process.kill(process.ppid, 'SIGTERM');
`;

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

describe.skipIf(!onLinux)(
  `network of a bubblewrap-sandboxed session${onLinux ? '' : ` (skipped: bubblewrap is Linux-only, this is ${process.platform})`}`,
  () => {
    let socketDir: string;
    let proxy: EgressProxy;
    const reported: DeniedEgress[] = [];
    const servers: http.Server[] = [];
    const p2Hits: string[] = [];
    const releaseSecondEvent = new Map<string, () => void>();
    let p1 = 0;
    let p2 = 0;
    let bwrap = '';
    let bridgeScript = '';

    async function listen(handler: http.RequestListener): Promise<number> {
      const server = http.createServer(handler);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as net.AddressInfo).port;
    }

    beforeAll(async () => {
      bwrap = findOnPath('bwrap') ?? '';
      expect(bwrap, 'bubblewrap is required on Linux: apt-get install bubblewrap').not.toBe('');
      bridgeScript = netBridgeScript();
      expect(existsSync(bridgeScript), `${bridgeScript} is missing: run npm run build`).toBe(true);

      p1 = await listen((req, res) => {
        if (!req.url?.startsWith('/events')) return void res.end(`p1 says hello to ${req.url}`);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        // The second event goes out only once the sandboxed client printed the first: a bridge or proxy
        // that buffered the stream would hold the first back and the test would never finish.
        releaseSecondEvent.set(req.url, () => res.end('data: two\n\n'));
      });
      p2 = await listen((req, res) => {
        p2Hits.push(`${req.method} ${req.url}`);
        res.end('p2 should never answer');
      });
      socketDir = await mkdtemp(path.join(tmpdir(), 'gaffer-net-'));
      proxy = await startEgressProxy({
        allow: [`127.0.0.1:${p1}`],
        socketDir,
        onDenied: (target) => reported.push(target),
      });
    });

    afterAll(async () => {
      await proxy?.close();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
    });

    /** Runs `node -e script args` behind the bridge in the sandbox; `onLine` sees each stdout line. */
    async function runSandboxed(
      script: string,
      args: string[],
      onLine: (line: string) => void = () => {},
    ): Promise<{ code: number | null; lines: string[]; stderr: string; env: Record<string, string> }> {
      const config = netBridgeConfig(proxy.socketPath, [`127.0.0.1:${p1}`]);
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/',
        ...proxyEnv(config),
      };
      const argv = [
        '--unshare-net',
        '--unshare-user',
        '--disable-userns',
        '--cap-drop',
        'ALL',
        '--unshare-pid',
        '--die-with-parent',
        '--ro-bind',
        '/',
        '/',
        '--proc',
        '/proc',
        '--dev',
        '/dev',
        '--tmpfs',
        '/run',
        '--ro-bind',
        socketDir,
        socketDir,
        '--',
        ...netBridgeArgv(process.execPath, bridgeScript, config, [process.execPath, '-e', script, ...args]),
      ];
      const child = spawn(bwrap, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const lines: string[] = [];
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        onLine(line);
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, lines, stderr, env };
    }

    it('reaches only the allowlisted host, directly and through the proxy, streaming, and exits with the child', async () => {
      const run = await runSandboxed(SANDBOXED_CLIENT, [String(p1), String(p2)], (line) => {
        const { step, chunk } = JSON.parse(line) as { step: string; chunk?: string };
        if (chunk?.includes('one')) releaseSecondEvent.get(`/events?via=${step.slice('sse-'.length)}`)?.();
      });
      const steps = run.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const step = (name: string) => steps.filter((s) => s.step === name);

      expect(run.code, run.stderr).toBe(7);
      expect(step('direct-p1')).toEqual([
        { step: 'direct-p1', status: 200, body: 'p1 says hello to /hello' },
      ]);
      expect(step('direct-p2')).toEqual([{ step: 'direct-p2', error: 'ECONNREFUSED' }]);
      expect(step('proxy-p1')).toEqual([{ step: 'proxy-p1', status: 200, body: 'p1 says hello to /hello' }]);
      expect(step('proxy-p2')).toMatchObject([{ status: 403 }]);
      expect(step('proxy-p2')[0]?.body).toContain(`sandbox: { network: ["127.0.0.1:${p2}"] }`);
      expect(step('connect-p2')).toEqual([{ step: 'connect-p2', status: 403 }]);
      for (const via of ['sse-direct', 'sse-proxy']) {
        expect(step(via).map((s) => s.chunk)).toEqual(['data: one\n\n', 'data: two\n\n']);
      }
      expect(p2Hits).toEqual([]);
      expect(reported).toMatchObject([
        { host: '127.0.0.1', port: p2, method: 'GET' },
        { host: '127.0.0.1', port: p2, method: 'CONNECT' },
      ]);
      // The bridge passes on exactly the environment it was given: the launcher's, plus the PWD bwrap sets.
      const [env] = step('env') as { child: Record<string, string>; bridge: Record<string, string> }[];
      expect(env?.child).toEqual(env?.bridge);
      expect(env?.child).toEqual({ ...run.env, PWD: expect.any(String) as string });
    });

    it('passes a stop on to the child and exits with its code', async () => {
      const run = await runSandboxed(STOPPED_CLIENT, []);
      expect(run.lines).toEqual(['child got SIGTERM']);
      expect(run.code, run.stderr).toBe(42);
    });

    it('exits with 128 + the signal that ended the child', async () => {
      const run = await runSandboxed("process.kill(process.pid, 'SIGKILL')", []);
      expect(run.code, run.stderr).toBe(128 + 9);
    });
  },
);
