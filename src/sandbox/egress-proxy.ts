import { lookup as dnsLookup } from 'node:dns/promises';
import { lstat, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { InvariantError } from '../domain/errors.js';
import type { AllowRule, EgressRefusal } from './host-allowlist.js';
import {
  formatHostPort,
  matchAllowRule,
  normalizeHost,
  parseAllowlist,
  splitHostPort,
  vetResolvedAddresses,
} from './host-allowlist.js';

/**
 * The host side of a sandboxed session's network: an HTTP proxy on a unix socket that the sandbox, which
 * has no network of its own, reaches through the bridge (`net-bridge.ts`). It tunnels `CONNECT host:port`
 * and forwards absolute-URI plain HTTP, both streaming, to the allowlisted targets only. One proxy per
 * session, so parallel sessions each get their own allowlist.
 */

/** A connection the proxy was asked for. */
export interface EgressTarget {
  readonly host: string;
  readonly port: number;
  /** `CONNECT`, or the method of a plain HTTP request. */
  readonly method: string;
}

/** A refused connection, with why. */
export interface DeniedEgress extends EgressTarget {
  readonly reason: string;
}

/** One resolved address, as `dns.lookup` gives it. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export interface EgressProxyOptions {
  /** Allowlist entries (`host`, `host:port`, `*.example.com:443`); a malformed one rejects the start. */
  readonly allow: readonly string[];
  /** A directory of the caller's, mode 0700, where the socket is created. */
  readonly socketDir: string;
  /** Called for every refused connection, as it is refused. */
  readonly onDenied?: (target: DeniedEgress) => void;
  /** Resolves a host name; defaults to the system resolver (`dns.lookup`). */
  readonly lookup?: (host: string) => Promise<readonly ResolvedAddress[]>;
}

export interface EgressProxy {
  readonly socketPath: string;
  /** The refused connections so far, oldest first (the first {@link MAX_DENIALS_KEPT}). */
  readonly denied: readonly DeniedEgress[];
  /** Stops listening, ends every open connection and tunnel, removes the socket. */
  close(): Promise<void>;
}

/** How many denials `denied` keeps; an agent retrying in a loop must not grow it without bound. */
export const MAX_DENIALS_KEPT = 1000;

/** Linux's sun_path is 108 bytes with its terminating NUL (macOS: 104). */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

type Verdict =
  | { readonly ok: true; readonly host: string; readonly addresses: readonly ResolvedAddress[] }
  | { readonly ok: false; readonly status: 403 | 502; readonly body: string };

/** Starts a session's proxy; resolves once it listens on `<socketDir>/egress.sock`. */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const rules = parseAllowlist(options.allow);
  await assertPrivateDirectory(options.socketDir);
  const socketPath = path.join(options.socketDir, 'egress.sock');
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new InvariantError(
      `egress proxy socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes; unix sockets allow ${MAX_SOCKET_PATH_BYTES}: use a shorter socketDir`,
    );
  }
  const lookup = options.lookup ?? systemLookup;
  const denied: DeniedEgress[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const deny = (target: EgressTarget, refusal: EgressRefusal): Verdict => {
    const record = { ...target, host: normalizeHost(target.host), reason: refusal.problem };
    if (denied.length < MAX_DENIALS_KEPT) denied.push(record);
    try {
      options.onDenied?.(record);
    } catch {
      // A failing listener must not take the session's network, or Gaffer, down; `denied` still has it.
    }
    return { ok: false, status: 403, body: denialBody(refusal) };
  };

  const authorize = async (target: EgressTarget): Promise<Verdict> => {
    const host = normalizeHost(target.host);
    const rule: AllowRule | undefined = matchAllowRule(rules, host, target.port);
    const where = formatHostPort(host, target.port);
    if (!rule) {
      return deny(target, {
        problem: `${where} is not in this session's network allowlist`,
        allowWith: where,
      });
    }
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await lookup(host);
    } catch (error) {
      return {
        ok: false,
        status: 502,
        body: `gaffer sandbox: cannot resolve ${host}: ${messageOf(error)}\n`,
      };
    }
    if (addresses.length === 0)
      return { ok: false, status: 502, body: `gaffer sandbox: ${host} has no address\n` };
    const refusal = vetResolvedAddresses(
      rule,
      target,
      addresses.map((a) => a.address),
    );
    return refusal ? deny(target, refusal) : { ok: true, host, addresses };
  };

  const server = http.createServer();
  server.on('connection', track);

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    forwardPlainHttp(req, res).catch(() => res.destroy());
  });

  const forwardPlainHttp = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return reply(
        res,
        400,
        'gaffer sandbox: this is a proxy; send an absolute URI (GET http://host:port/path) or CONNECT\n',
      );
    }
    if (url.protocol !== 'http:') {
      return reply(
        res,
        400,
        `gaffer sandbox: the proxy forwards http: URLs; use CONNECT for ${url.protocol}\n`,
      );
    }
    const port = url.port === '' ? 80 : Number(url.port);
    const verdict = await authorize({ host: url.hostname, port, method });
    if (!verdict.ok) return reply(res, verdict.status, verdict.body);

    const upstream = http.request({
      host: verdict.host,
      port,
      method,
      path: `${url.pathname}${url.search}`,
      headers: endToEndHeaders(req.headers),
      lookup: pinnedLookup(verdict.addresses),
      agent: false,
    });
    upstream.on('socket', (socket) => {
      track(socket);
      socket.setNoDelay(true);
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.headers));
      res.flushHeaders(); // a streamed (SSE) answer must not wait for its first body chunk
      pipeline(answer, res, () => undefined);
    });
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else reply(res, 502, `gaffer sandbox: ${formatHostPort(verdict.host, port)}: ${messageOf(error)}\n`);
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnel(req, client, head).catch(() => client.destroy());
  });

  const tunnel = async (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    const split = splitHostPort(req.url ?? '');
    const port = Number(split?.port);
    if (!split || !Number.isInteger(port) || port < 1 || port > 65535) {
      return client.end(rawResponse(400, 'gaffer sandbox: CONNECT needs host:port\n'));
    }
    const verdict = await authorize({ host: split.host, port, method: 'CONNECT' });
    if (!verdict.ok) return client.end(rawResponse(verdict.status, verdict.body));

    const upstream = net.connect({
      host: verdict.host,
      port,
      lookup: pinnedLookup(verdict.addresses),
      allowHalfOpen: true,
    });
    track(upstream);
    let established = false;
    upstream.once('connect', () => {
      established = true;
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', (error) => {
      const where = formatHostPort(verdict.host, port);
      if (established) client.destroy();
      else client.end(rawResponse(502, `gaffer sandbox: ${where}: ${messageOf(error)}\n`));
    });
    client.on('close', () => upstream.destroy());
  };

  // WebSocket and other upgrades over plain HTTP: clients tunnel them with CONNECT instead.
  server.on('upgrade', (_req: http.IncomingMessage, client: net.Socket) => {
    client.end(rawResponse(501, 'gaffer sandbox: upgrade requests go through CONNECT\n'));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    denied,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await stopped;
        await rm(socketPath, { force: true });
      })();
      return closing;
    },
  };
}

/** The socket directory must be the caller's own and closed to others: anyone who can connect gets egress. */
async function assertPrivateDirectory(dir: string): Promise<void> {
  const stats = await lstat(dir);
  const uid = process.getuid?.();
  if (!stats.isDirectory() || (stats.mode & 0o077) !== 0 || (uid !== undefined && stats.uid !== uid)) {
    throw new InvariantError(
      `egress proxy socketDir ${dir} must be a directory of this user with mode 0700 (it is ${stats.isDirectory() ? `mode ${(stats.mode & 0o777).toString(8)}, uid ${stats.uid}` : 'not a directory'})`,
    );
  }
}

function denialBody(refusal: EgressRefusal): string {
  const fix =
    refusal.allowWith === undefined
      ? ''
      : `To allow it, add it to the plan: sandbox: { network: ["${refusal.allowWith}"] }\n`;
  return `gaffer sandbox: ${refusal.problem}.\n${fix}`;
}

function reply(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function rawResponse(status: number, body: string): string {
  const text = http.STATUS_CODES[status] ?? 'Error';
  return (
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

/** The headers meant for the far end: without hop-by-hop ones, nor those `Connection` names. */
function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value;
  }
  return out;
}

/** Connects to the addresses that were checked, so a second DNS answer cannot swap them (rebinding). */
function pinnedLookup(addresses: readonly ResolvedAddress[]): net.LookupFunction {
  return (_host, options, callback) => {
    const first = addresses[0];
    if (options.all)
      callback(
        null,
        addresses.map((a) => ({ ...a })),
      );
    else if (first) callback(null, first.address, first.family);
  };
}

async function systemLookup(host: string): Promise<readonly ResolvedAddress[]> {
  return dnsLookup(host, { all: true, verbatim: true });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
