export type { ServerApp, ServerAppOptions } from './app.js';
export { createServerApp } from './app.js';
export type { RunningServer, StartServerOptions } from './start-server.js';
export { DEFAULT_PORT, startServer } from './start-server.js';
export { isLoopback } from './host-guard.js';
export { newToken } from './auth.js';
export type { ErrorBody } from './api-error.js';
export type { DriveFailure } from './background-drives.js';
