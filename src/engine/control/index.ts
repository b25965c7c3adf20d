export type { ControlRequest } from './control.js';
export { mustGetRun, requestStop } from './control.js';
export { isDriven, leaseIsLive } from './liveness.js';
export { watchControlRequests } from './watch-requests.js';
export type { ReopenOptions } from './reopen.js';
export { reopenRun } from './reopen.js';
