export type { ControlRequest } from './control.js';
export { mustGetRun, requestStop } from './control.js';
export { isDriven, leaseIsLive } from './liveness.js';
export { watchControlRequests } from './watch-requests.js';
