/**
 * Runs INSIDE the sandbox, which has no network but its own loopback:
 *
 *   node net-bridge.js <json NetBridgeConfig> -- <argv...>
 *
 * It listens on 127.0.0.1:<proxyPort> and pipes each connection to the egress proxy's unix socket (bound
 * into the sandbox), and on 127.0.0.1:<port> for each loopback allowlist entry, tunnelled to the proxy with
 * `CONNECT <host>:<port>`. Then it runs argv with inherited stdio and its own environment (the launcher gave
 * it the final one; the bridge adds nothing), passes SIGTERM, SIGINT and SIGHUP on, and exits with the
 * child's code, or 128 + the signal that ended it.
 *
 * The launcher binds this one file into the sandbox, so it imports node: modules only (types aside).
 * Exit codes of its own: 125 when the bridge cannot start (bad config, a port taken), 126 when argv cannot
 * be executed, 127 when it is not found.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { constants } from 'node:os';
import type { LoopbackForward, NetBridgeConfig } from './network-env.js';

const BRIDGE_FAILED = 125;
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const MAX_CONNECT_ANSWER = 16 * 1024;

function fail(message: string, code = BRIDGE_FAILED): never {
  process.stderr.write(`gaffer net-bridge: ${message}\n`);
  process.exit(code);
}

function parseArgs(args: readonly string[]): { config: NetBridgeConfig; argv: string[] } {
  const usage = 'usage: node net-bridge.js <json-config> -- <command> [args...]';
  const [json, separator, ...argv] = args;
  if (json === undefined || separator !== '--' || argv.length === 0) fail(usage);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    fail(`the config is not JSON (${(error as Error).message}); ${usage}`);
  }
  const config = value as Partial<NetBridgeConfig> | null;
  const isPort = (port: unknown) =>
    Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535;
  const valid =
    typeof config?.proxySocket === 'string' &&
    isPort(config.proxyPort) &&
    Array.isArray(config.loopback) &&
    config.loopback.every((f: Partial<LoopbackForward>) => typeof f?.host === 'string' && isPort(f.port));
  if (!valid)
    fail(
      `the config must be {"proxySocket": string, "proxyPort": port, "loopback": [{"host", "port"}]}: ${json}`,
    );
  return { config: config as NetBridgeConfig, argv };
}

function listen(port: number, onConnection: (client: net.Socket) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true }, onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Both ways, each direction ending on its own (half-close), either side's error ending both. */
function splice(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

function pipeToProxy(config: NetBridgeConfig, client: net.Socket): void {
  const upstream = net.connect({ path: config.proxySocket, allowHalfOpen: true });
  splice(client, upstream);
}

/** Opens a CONNECT tunnel through the proxy, then splices the client into it. */
function tunnelThroughProxy(config: NetBridgeConfig, forward: LoopbackForward, client: net.Socket): void {
  const target = `${forward.host}:${forward.port}`;
  const upstream = net.connect({ path: config.proxySocket, allowHalfOpen: true });
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  upstream.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`);
  let answer = Buffer.alloc(0);
  const onAnswer = (chunk: Buffer) => {
    answer = Buffer.concat([answer, chunk]);
    const end = answer.indexOf('\r\n\r\n');
    if (end === -1) {
      if (answer.length > MAX_CONNECT_ANSWER) upstream.destroy();
      return;
    }
    upstream.pause();
    upstream.off('data', onAnswer);
    const text = answer.toString('latin1');
    if (!/^HTTP\/1\.[01] 200/.test(text)) {
      process.stderr.write(
        `gaffer net-bridge: the proxy refused ${target}: ${text.split('\r\n\r\n')[1] ?? text}\n`,
      );
      client.destroy();
      upstream.destroy();
      return;
    }
    const early = answer.subarray(end + 4);
    if (early.length > 0) client.write(early);
    splice(client, upstream);
  };
  upstream.on('data', onAnswer);
}

let child: ChildProcess | undefined;

/** Installed before listening: a stop that arrives before the child exists ends the bridge itself. */
function forwardSignals(): void {
  for (const signal of FORWARDED_SIGNALS) {
    process.on(signal, () => {
      if (!child) process.exit(128 + constants.signals[signal]);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
}

function run(argv: readonly string[]): void {
  const [command = '', ...args] = argv;
  child = spawn(command, args, { stdio: 'inherit' });
  child.once('error', (error: NodeJS.ErrnoException) => {
    fail(`cannot run ${command}: ${error.message}`, error.code === 'ENOENT' ? 127 : 126);
  });
  child.once('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
  });
}

async function main(): Promise<void> {
  const { config, argv } = parseArgs(process.argv.slice(2));
  forwardSignals();
  try {
    await listen(config.proxyPort, (client) => pipeToProxy(config, client));
    for (const forward of config.loopback) {
      await listen(forward.port, (client) => tunnelThroughProxy(config, forward, client));
    }
  } catch (error) {
    fail(`cannot listen inside the sandbox: ${(error as Error).message}`);
  }
  run(argv);
}

await main();
