import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../engine/index.js';
import type { ServerApp, ServerAppOptions } from './app.js';
import { createServerApp } from './app.js';
import { newToken } from './auth.js';
import { hostsFor } from './host-guard.js';

export interface StartServerOptions extends Omit<ServerAppOptions, 'token' | 'allowedHosts'> {
  /** Default 127.0.0.1: only this machine can connect. */
  host?: string;
  /** Default 4477; 0 picks a free port. */
  port?: number;
  /** Default: a fresh random one. */
  token?: string;
}

export interface RunningServer {
  app: ServerApp;
  host: string;
  port: number;
  token: string;
  /** `http://host:port` */
  origin: string;
  /** The address to open: the origin with the token, which the dashboard reads. */
  url: string;
  /** Stops accepting requests, pauses the runs this server drives and waits for them. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4477;

/** Listens on `host:port` with the API over `engine`; resolves once it accepts connections. */
export async function startServer(engine: Engine, options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  let allowed: readonly string[] = [];
  const app = createServerApp(engine, { ...options, token, allowedHosts: () => allowed });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: host, port: options.port ?? DEFAULT_PORT }, () =>
      resolve(listening),
    );
    listening.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  allowed = hostsFor(host, port);
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    app,
    host,
    port,
    token,
    origin,
    url: `${origin}/?token=${token}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open event streams would hold the server open until their runs stop.
      if ('closeAllConnections' in server) server.closeAllConnections();
      await app.drives.close();
      await closed;
    },
  };
}
