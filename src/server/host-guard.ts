import { networkInterfaces } from 'node:os';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.js';

/**
 * Refuses requests whose Host header is not one the server is bound to (a DNS-rebinding guard: a
 * page on another site whose name now resolves to 127.0.0.1 still sends its own name as Host).
 * `allowed` is read per request, since the port is known only once the server listens.
 */
export function requireHost(allowed: () => readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host')?.toLowerCase();
    if (host === undefined || !allowed().includes(host))
      throw new ApiError(
        403,
        'GAFFER_FORBIDDEN_HOST',
        `requests must be addressed to ${allowed().join(' or ')}`,
        'open the URL `gaffer serve` printed',
      );
    await next();
  };
}

/**
 * The Host values a server bound to `host:port` answers to: a loopback server also to
 * `localhost`; a wildcard bind (`0.0.0.0`, `::`) to every address of this machine's interfaces,
 * the names other machines reach it by; on port 80 also without the port, as browsers send it.
 */
export function hostsFor(host: string, port: number): string[] {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  const names = wildcard
    ? [
        'localhost',
        ...Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)),
      ]
    : [host];
  if (isLoopback(host)) names.push('localhost', '127.0.0.1', '::1');
  const bracketed = names.map((name) => (name.includes(':') && !name.startsWith('[') ? `[${name}]` : name));
  const hosts = bracketed.flatMap((name) => [`${name}:${port}`, ...(port === 80 ? [name] : [])]);
  return [...new Set(hosts.map((h) => h.toLowerCase()))];
}

/** Whether `host` only accepts connections from this machine. */
export const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
