import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { userError } from '../domain/errors.js';
import { formatHostPort, parseAllowlist } from './host-allowlist.js';

/**
 * What the launcher hands to the in-sandbox bridge (`net-bridge.ts`) and merges into the sandboxed
 * environment. Pure: no I/O, so the launcher's argv and environment can be tested as data.
 */

/** The port the bridge listens on inside the sandbox for the proxy (the usual HTTP proxy port). */
export const BRIDGE_PROXY_PORT = 3128;

/** A loopback allowlist entry the bridge serves on 127.0.0.1:<port> inside, tunnelled through the proxy. */
export interface LoopbackForward {
  /** The host as the allowlist names it (`127.0.0.1` or `localhost`): the proxy matches it exactly. */
  readonly host: string;
  readonly port: number;
}

/** The bridge's one argument, as JSON. */
export interface NetBridgeConfig {
  /** The egress proxy's unix socket, bound into the sandbox at the same path. */
  readonly proxySocket: string;
  readonly proxyPort: number;
  readonly loopback: readonly LoopbackForward[];
}

/**
 * The bridge configuration for a session's allowlist: every `127.0.0.1:<port>` and `localhost:<port>` entry
 * gets a listener of its own, so a client given `http://127.0.0.1:<port>` as its base URL works without
 * proxy support. Two entries on one port share the first one's listener.
 */
export function netBridgeConfig(proxySocket: string, allow: readonly string[]): NetBridgeConfig {
  const loopback: LoopbackForward[] = [];
  for (const rule of parseAllowlist(allow)) {
    if (rule.wildcard || rule.port === undefined) continue;
    if (rule.host !== '127.0.0.1' && rule.host !== 'localhost') continue;
    if (rule.port === BRIDGE_PROXY_PORT) {
      throw userError(
        'GAFFER_BAD_INPUT',
        `sandbox network entry "${rule.entry}" uses port ${BRIDGE_PROXY_PORT}, where the sandbox's proxy listens`,
        `run the local service on another port`,
      );
    }
    if (!loopback.some((f) => f.port === rule.port)) loopback.push({ host: rule.host, port: rule.port });
  }
  return { proxySocket, proxyPort: BRIDGE_PROXY_PORT, loopback };
}

/**
 * The proxy variables for the sandboxed environment: every client that honours them goes through the
 * bridge's proxy port; the loopback-forwarded entries are in NO_PROXY, since they answer directly. Always
 * set, so a NO_PROXY from the user's allowlisted environment cannot send traffic around the proxy (it
 * would be refused anyway, but without a denial to report).
 */
export function proxyEnv(config: NetBridgeConfig): Record<string, string> {
  const proxy = `http://127.0.0.1:${config.proxyPort}`;
  const noProxy = config.loopback.map((f) => formatHostPort(f.host, f.port)).join(',');
  return {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    ALL_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    all_proxy: proxy,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}

/** The argv that runs `argv` behind the bridge: `<node> <bridge.js> <config> -- <argv...>`. */
export function netBridgeArgv(
  nodePath: string,
  bridgeScript: string,
  config: NetBridgeConfig,
  argv: readonly string[],
): string[] {
  return [nodePath, bridgeScript, JSON.stringify(config), '--', ...argv];
}

/**
 * The compiled bridge script: next to this module when it runs from dist/, or the package's
 * dist/sandbox/net-bridge.js when it runs from src/ (tests, tsx) — the sandbox runs it with plain node,
 * so it is always the built file (`npm run build`).
 */
export function netBridgeScript(moduleUrl: string = import.meta.url): string {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'net-bridge.js');
  return path.join(path.dirname(here), '..', '..', 'dist', 'sandbox', 'net-bridge.js');
}
